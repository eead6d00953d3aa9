using System.Diagnostics.Metrics;
using System.Globalization;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests;

/// <summary>An event-stream client that reads slowly: its buffer lets events go, and it is never left with a silent gap.</summary>
public sealed class SlowEventClientTests
{
    [Fact]
    public async Task AClientThatReadsSlowlyGetsEveryEventAgainOrIsToldToResync()
    {
        long refills = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "acd.event_stream.refills")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref refills, value));
        listener.Start();
        await using var app = new AcdAppFactory().With("Acd:EventStreamBuffer", "2");
        var admin = app.CreateClient();
        (await admin.PutJsonAsync("/api/agents/slow-a", new { activity = "Offline", attributes = new { } })).AssertOk();
        var supervisor = app.ClientAs(Roles.Supervisor, "boss");
        var cancellation = TestContext.Current.CancellationToken;
        using var response = await supervisor.GetAsync(new Uri("/api/supervisor/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellation);
        await using var body = await response.Content.ReadAsStreamAsync(cancellation);

        // The client reads nothing while 400 changes happen: what the server writes stops at the transport's buffer,
        // and the stream's own buffer of two lets the rest go.
        const int Changes = 400;
        for (var i = 0; i < Changes; i++)
        {
            (await admin.PutJsonAsync("/api/agents/slow-a/activity", new { activity = i % 2 == 0 ? "Available" : "Break" })).AssertOk();
        }

        using var reader = new StreamReader(body);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        var ids = new List<long>();
        var changes = 0;
        var resync = false;
        string? id = null, type = null;
        while (changes < Changes && !resync && await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.Length == 0 && type is not null)
            {
                resync |= type == "resync";
                if (type != "ready" && type != "ping" && id is not null)
                {
                    ids.Add(long.Parse(id, CultureInfo.InvariantCulture));
                }
                changes += type == "worker.activity.update" ? 1 : 0;
                (id, type) = (null, null);
            }
        }

        Assert.True(Interlocked.Read(ref refills) > 0, "the client's buffer let events go, and the stream noticed");
        // Either every event arrived, in order and without a gap, or the client was told to resync.
        Assert.True(resync || ids.Zip(ids.Skip(1)).All(p => p.Second == p.First + 1), $"a gap in {string.Join(",", ids)}");
        Assert.True(resync || changes == Changes, $"{changes} of {Changes} changes arrived");
    }
}
