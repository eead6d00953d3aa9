using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Acd.Api.Tests.Infrastructure;

/// <summary>One server-sent event as a client sees it.</summary>
public sealed record SseEvent(string? Id, string Type, JsonNode? Data);

/// <summary>A live SSE connection read in the background, as an agent's softphone or the dashboard would.</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly ConcurrentQueue<SseEvent> _events = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private EventStream(HttpResponseMessage response)
    {
        Status = (int)response.StatusCode;
        _reader = Task.Run(() => ReadAsync(response));
    }

    public int Status { get; }

    public IReadOnlyList<SseEvent> Events => [.. _events];

    public static async Task<EventStream> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = new EventStream(response);
        if (response.IsSuccessStatusCode)
        {
            await stream.WaitForAsync("ready");
        }
        return stream;
    }

    /// <summary>Waits for an event of <paramref name="type"/> matching the condition and returns it.</summary>
    public async Task<SseEvent> WaitForAsync(string type, Func<SseEvent, bool>? condition = null, int timeoutMs = 10000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var found = _events.FirstOrDefault(e => e.Type == type && (condition?.Invoke(e) ?? true));
            if (found is not null)
            {
                return found;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"No '{type}' event came; saw: {string.Join(", ", _events.Select(e => e.Type))}");
            }
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // the connection is being torn down
        }
        _stop.Dispose();
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(body);
            string? id = null;
            string type = "message";
            var data = new List<string>();
            try
            {
                while (!_stop.IsCancellationRequested && await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (data.Count > 0)
                        {
                            _events.Enqueue(new SseEvent(id, type, JsonNode.Parse(string.Join('\n', data))));
                        }
                        (id, type, data) = (null, "message", []);
                        continue;
                    }
                    if (line.StartsWith("id:", StringComparison.Ordinal))
                    {
                        id = line[3..].Trim();
                    }
                    else if (line.StartsWith("event:", StringComparison.Ordinal))
                    {
                        type = line[6..].Trim();
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Add(line[5..].TrimStart());
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // closed by the test
            }
            catch (IOException)
            {
                // the server went away
            }
        }
    }
}
