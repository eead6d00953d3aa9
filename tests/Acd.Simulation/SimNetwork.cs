using System.Net;
using System.Text;

namespace Acd.Simulation;

/// <summary>What the simulated network does with one request to Twilio.</summary>
public enum NetworkOutcome
{
    /// <summary>Twilio answers.</summary>
    Deliver,

    /// <summary>429: refused before anything was done.</summary>
    TooManyRequests,

    /// <summary>500 before Twilio did anything.</summary>
    ServerErrorBefore,

    /// <summary>Twilio did it, then answered 500.</summary>
    ServerErrorAfter,

    /// <summary>The connection dropped before the request reached Twilio.</summary>
    DropBefore,

    /// <summary>Twilio did it; the connection dropped before the answer came back.</summary>
    DropAfter,

    /// <summary>Twilio did it and the answer never comes: the client's timeout ends the wait.</summary>
    Stall,
}

/// <summary>
/// The network between Acd's Twilio client and the fake Twilio: every request waits here until the simulation serves it,
/// in the order and with the outcome it picks. Requests are listed in a stable order (by what they ask), not by arrival,
/// so a replay serves the same request for the same choice.
/// </summary>
public sealed class SimNetwork(HttpMessageHandler twilio) : DelegatingHandler(twilio)
{
    /// <summary>The silo a request comes from (its process: when it dies, its connections reset).</summary>
    public static readonly HttpRequestOptionsKey<string> Silo = new("sim.silo");

    private readonly Lock _gate = new();
    private readonly HashSet<string> _gone = new(StringComparer.Ordinal);
    private readonly List<Waiting> _waiting = [];
    private readonly List<Waiting> _stalled = [];
    private long _arrivals;
    private long _stamp;

    /// <summary>A request waiting on the network.</summary>
    public sealed record Waiting(HttpRequestMessage Request, byte[] Body, string Key, long Arrival, TaskCompletionSource<HttpResponseMessage> Reply, CancellationToken Cancellation)
    {
        public string Method => Request.Method.Method;

        public string Path => Request.RequestUri!.AbsolutePath;

        public string Form => Encoding.UTF8.GetString(Body);

        public bool CreatesCall => Method == "POST" && (Path.EndsWith("/Participants.json", StringComparison.Ordinal) || Path.EndsWith("/Calls.json", StringComparison.Ordinal));
    }

    /// <summary>Requests waiting to be served, in a stable order.</summary>
    public IReadOnlyList<Waiting> Pending
    {
        get
        {
            lock (_gate)
            {
                return [.. _waiting.OrderBy(w => w.Key, StringComparer.Ordinal).ThenBy(w => w.Arrival)];
            }
        }
    }

    /// <summary>Requests on the network: waiting to be served, or stalled until the client gives up.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count + _stalled.Count;
            }
        }
    }

    /// <summary>Grows with every request that arrives or is answered.</summary>
    public long Stamp => Interlocked.Read(ref _stamp);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(Silo, out var silo);
        lock (_gate)
        {
            if (silo is not null && _gone.Contains(silo))
            {
                throw new HttpRequestException("The process is shutting down (simulated)");
            }
        }
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var key = $"{request.Method.Method} {request.RequestUri!.PathAndQuery} {Encoding.UTF8.GetString(body)}";
        var waiting = new Waiting(request, body, key, Interlocked.Increment(ref _arrivals), new(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        lock (_gate)
        {
            _waiting.Add(waiting);
        }
        Interlocked.Increment(ref _stamp);
        using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _waiting.Remove(waiting);
                _stalled.Remove(waiting);
            }
            Interlocked.Increment(ref _stamp);
            waiting.Reply.TrySetCanceled(cancellationToken);
        });
        return await waiting.Reply.Task;
    }

    /// <summary>
    /// A silo goes away: its connections reset. What it had waiting never reached Twilio; what stalled at Twilio was done
    /// there. Either way the request fails, and any it sends from now on.
    /// </summary>
    public void Abandon(string silo)
    {
        List<Waiting> lost;
        lock (_gate)
        {
            _gone.Add(silo);
            lost = [.. _waiting.Concat(_stalled).Where(w => w.Request.Options.TryGetValue(Silo, out var from) && from == silo)];
            _waiting.RemoveAll(lost.Contains);
            _stalled.RemoveAll(lost.Contains);
        }
        Interlocked.Increment(ref _stamp);
        foreach (var waiting in lost)
        {
            waiting.Reply.TrySetException(new HttpRequestException("The connection was reset: the process went away (simulated)"));
        }
    }

    /// <summary>Serves a waiting request with the given outcome.</summary>
    public async Task ServeAsync(Waiting waiting, NetworkOutcome outcome)
    {
        lock (_gate)
        {
            if (!_waiting.Remove(waiting))
            {
                return;
            }
        }
        Interlocked.Increment(ref _stamp);
        HttpResponseMessage? answer = null;
        if (outcome is NetworkOutcome.Deliver or NetworkOutcome.ServerErrorAfter or NetworkOutcome.DropAfter or NetworkOutcome.Stall)
        {
            answer = await base.SendAsync(Copy(waiting), CancellationToken.None);
        }
        switch (outcome)
        {
            case NetworkOutcome.Deliver:
                waiting.Reply.TrySetResult(answer!);
                break;
            case NetworkOutcome.TooManyRequests:
                waiting.Reply.TrySetResult(Error(waiting.Request, HttpStatusCode.TooManyRequests, 20429, "Too Many Requests"));
                break;
            case NetworkOutcome.ServerErrorBefore or NetworkOutcome.ServerErrorAfter:
                answer?.Dispose();
                waiting.Reply.TrySetResult(Error(waiting.Request, HttpStatusCode.InternalServerError, 20500, "Internal Server Error"));
                break;
            case NetworkOutcome.DropBefore or NetworkOutcome.DropAfter:
                answer?.Dispose();
                waiting.Reply.TrySetException(new HttpRequestException("The connection was reset (simulated)"));
                break;
            case NetworkOutcome.Stall:
                answer?.Dispose();
                lock (_gate)
                {
                    if (!waiting.Cancellation.IsCancellationRequested)
                    {
                        _stalled.Add(waiting);
                    }
                }
                break;
        }
    }

    private static HttpRequestMessage Copy(Waiting waiting)
    {
        var copy = new HttpRequestMessage(waiting.Request.Method, waiting.Request.RequestUri) { Content = new ByteArrayContent(waiting.Body) };
        foreach (var (name, values) in waiting.Request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }
        if (waiting.Request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }
        return copy;
    }

    private static HttpResponseMessage Error(HttpRequestMessage request, HttpStatusCode status, int code, string message)
    {
        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent($"{{\"code\":{code},\"message\":\"{message}\",\"more_info\":\"https://www.twilio.com/docs/errors/{code}\",\"status\":{(int)status}}}", Encoding.UTF8, "application/json"),
        };
        if (status == HttpStatusCode.TooManyRequests)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", "1");
        }
        return response;
    }
}
