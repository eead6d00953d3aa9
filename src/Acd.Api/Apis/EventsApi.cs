using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Threading.Channels;
using Acd.Api.Contracts;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acd.Api.Apis;

/// <summary>
/// Live events as server-sent events. Each connection subscribes to its feed grain with a grain observer, so events
/// raised on any silo reach it. A client that reconnects with <c>Last-Event-ID</c> gets what it missed within the
/// feed's window; further behind, it gets a <c>resync</c> event and should reload its state.
/// </summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/agents/{id}/events", (string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, ILoggerFactory logs, IOptions<AcdOptions> acd, CancellationToken cancellation) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (!user.MayActAs(id))
            {
                return AcdUser.Forbidden($"An agent listens only to their own events, not '{id}'s");
            }
            return TypedResults.ServerSentEvents(StreamAsync(grains, IEventFeedGrain.ForAgent(id), LastEventId(request), acd.Value.EventStreamBuffer, logs, cancellation));
        }).WithTags("Events").WithSummary("An agent's live events: offers, connected (ConferenceSid, every leg's CallSid), hold and mute, transfers, ended, activity. The agent themself or a supervisor.");

        app.MapGet("/api/supervisor/events", (HttpRequest request, IGrainFactory grains, ILoggerFactory logs, IOptions<AcdOptions> acd, CancellationToken cancellation) =>
            TypedResults.ServerSentEvents(StreamAsync(grains, IEventFeedGrain.Supervisor, LastEventId(request), acd.Value.EventStreamBuffer, logs, cancellation)))
            .RequireAuthorization(Roles.SupervisorPolicy)
            .WithTags("Events").WithSummary("Every call and agent change, for the dashboard. Supervisor.");
        return app;
    }

    /// <summary>The browser's EventSource sends Last-Event-ID on reconnect; other clients may use ?after=.</summary>
    private static long? LastEventId(HttpRequest request) =>
        long.TryParse(request.Headers["Last-Event-ID"].FirstOrDefault() ?? request.Query["after"].FirstOrDefault(), out var id) ? id : null;

    private static async IAsyncEnumerable<SseItem<object>> StreamAsync(
        IGrainFactory grains, string feedKey, long? after, int buffer, ILoggerFactory logs, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var subscriber = new Subscriber(Math.Max(1, buffer));
        var reference = grains.CreateObjectReference<IEventObserver>(subscriber);
        var feed = grains.GetGrain<IEventFeedGrain>(feedKey);
        try
        {
            var catchUp = await feed.SubscribeAsync(reference, after);
            var last = after is null ? catchUp.Latest : Math.Min(after.Value, catchUp.Latest);
            yield return new SseItem<object>(new { feed = feedKey, latest = catchUp.Latest }, "ready") { EventId = catchUp.Latest.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (catchUp.Truncated)
            {
                yield return Resync(feedKey, catchUp);
            }
            foreach (var missed in catchUp.Missed)
            {
                last = missed.Sequence;
                yield return Item(missed);
            }
            while (!cancellation.IsCancellationRequested)
            {
                AcdEvent? next;
                using (var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
                {
                    renewal.CancelAfter(Grains.Events.EventFeedGrain.Renewal);
                    try
                    {
                        next = await subscriber.Events.Reader.ReadAsync(renewal.Token);
                    }
                    catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                    {
                        next = null;
                    }
                }
                if (next is null)
                {
                    // Renew the subscription (the feed drops silent subscribers) and keep proxies from closing the stream.
                    var renewed = await feed.SubscribeAsync(reference, last);
                    foreach (var missed in renewed.Missed)
                    {
                        last = missed.Sequence;
                        yield return Item(missed);
                    }
                    yield return new SseItem<object>(new { latest = renewed.Latest }, "ping");
                    continue;
                }
                if (next.Sequence > last + 1)
                {
                    // A feed numbers its events without gaps, so one here is events lost on the way: this client read
                    // too slowly and its buffer let them go (or they arrived out of order). They come again from the
                    // feed's window, or, gone from it too, the client is told to resync. Never a silent gap.
                    if (subscriber.TakeDropped() is > 0 and var dropped)
                    {
                        Refills.Add(1);
                        logs.CreateLogger("Acd.Api.Events").LogInformation("A client of {Feed} read too slowly: {Dropped} events are sent again from the feed", feedKey, dropped);
                    }
                    var refill = await feed.SubscribeAsync(reference, last);
                    if (refill.Truncated)
                    {
                        yield return Resync(feedKey, refill);
                    }
                    foreach (var missed in refill.Missed.Where(m => m.Sequence > last))
                    {
                        last = missed.Sequence;
                        yield return Item(missed);
                    }
                }
                if (next.Sequence <= last)
                {
                    continue; // already sent in a catch-up
                }
                last = next.Sequence;
                yield return Item(next);
            }
        }
        finally
        {
            try
            {
                await feed.UnsubscribeAsync(reference);
            }
            catch (Exception e)
            {
                logs.CreateLogger("Acd.Api.Events").LogDebug(e, "Unsubscribing from {Feed} failed", feedKey);
            }
            grains.DeleteObjectReference<IEventObserver>(reference);
        }
    }

    /// <summary>Events were missed beyond what the feed keeps: the durable log fills the gap, up to the oldest the feed still has.</summary>
    private static SseItem<object> Resync(string feedKey, FeedCatchUp catchUp)
    {
        var agentId = feedKey == IEventFeedGrain.Supervisor ? null : IEventFeedGrain.AgentOf(feedKey);
        var log = "/api/events?" + (agentId is null ? "" : $"agentId={Uri.EscapeDataString(agentId)}&")
            + (catchUp.OldestKeptAt is { } kept ? $"to={Uri.EscapeDataString(kept.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}&" : "")
            + "limit=1000";
        return new SseItem<object>(new
        {
            reason = "Events were missed beyond what this stream keeps: reload the state, or read what was missed from the event log (add from= the time of the last event you saw)",
            kept_from = catchUp.OldestKeptAt,
            log,
        }, "resync");
    }

    private static readonly System.Diagnostics.Metrics.Counter<long> Refills = new System.Diagnostics.Metrics.Meter(Grains.Events.AcdMetrics.MeterName, "1.0")
        .CreateCounter<long>("acd.event_stream.refills", "{refill}", "Times a slow event-stream client's buffer let events go and they were sent again from the feed (or a resync)");

    private static SseItem<object> Item(AcdEvent e) =>
        new(EventResource.From(e), e.Type) { EventId = e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private sealed class Subscriber : IEventObserver
    {
        private int _dropped;

        public Subscriber(int capacity = 10_000)
        {
            Events = Channel.CreateBounded<AcdEvent>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest }, _ => Interlocked.Increment(ref _dropped));
        }

        public Channel<AcdEvent> Events { get; }

        /// <summary>How many events the buffer let go since the last call.</summary>
        public int TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

        public Task OnEventAsync(AcdEvent e)
        {
            Events.Writer.TryWrite(e);
            return Task.CompletedTask;
        }
    }
}
