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
        app.MapGet("/api/agents/{id}/events", (string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, ILoggerFactory logs, CancellationToken cancellation) =>
        {
            if (Problems.CheckId(id) is { } bad)
            {
                return bad;
            }
            if (!user.MayActAs(id))
            {
                return AcdUser.Forbidden($"An agent listens only to their own events, not '{id}'s");
            }
            return TypedResults.ServerSentEvents(StreamAsync(grains, IEventFeedGrain.ForAgent(id), LastEventId(request), logs, cancellation));
        }).WithTags("Events").WithSummary("An agent's live events: offers, connected (ConferenceSid, every leg's CallSid), hold and mute, transfers, ended, activity. The agent themself or a supervisor.");

        app.MapGet("/api/supervisor/events", (HttpRequest request, IGrainFactory grains, ILoggerFactory logs, CancellationToken cancellation) =>
            TypedResults.ServerSentEvents(StreamAsync(grains, IEventFeedGrain.Supervisor, LastEventId(request), logs, cancellation)))
            .RequireAuthorization(Roles.SupervisorPolicy)
            .WithTags("Events").WithSummary("Every call and agent change, for the dashboard. Supervisor.");
        return app;
    }

    /// <summary>The browser's EventSource sends Last-Event-ID on reconnect; other clients may use ?after=.</summary>
    private static long? LastEventId(HttpRequest request) =>
        long.TryParse(request.Headers["Last-Event-ID"].FirstOrDefault() ?? request.Query["after"].FirstOrDefault(), out var id) ? id : null;

    private static async IAsyncEnumerable<SseItem<object>> StreamAsync(
        IGrainFactory grains, string feedKey, long? after, ILoggerFactory logs, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var subscriber = new Subscriber();
        var reference = grains.CreateObjectReference<IEventObserver>(subscriber);
        var feed = grains.GetGrain<IEventFeedGrain>(feedKey);
        try
        {
            var catchUp = await feed.SubscribeAsync(reference, after);
            var last = after is null ? catchUp.Latest : Math.Min(after.Value, catchUp.Latest);
            yield return new SseItem<object>(new { feed = feedKey, latest = catchUp.Latest }, "ready") { EventId = catchUp.Latest.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (catchUp.Truncated)
            {
                // The durable record fills the gap: this feed's events up to the oldest it still keeps, from the log.
                var agentId = feedKey == IEventFeedGrain.Supervisor ? null : IEventFeedGrain.AgentOf(feedKey);
                var log = "/api/events?" + (agentId is null ? "" : $"agentId={Uri.EscapeDataString(agentId)}&")
                    + (catchUp.OldestKeptAt is { } kept ? $"to={Uri.EscapeDataString(kept.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}&" : "")
                    + "limit=1000";
                yield return new SseItem<object>(new
                {
                    reason = "Events were missed beyond what this stream keeps: reload the state, or read what was missed from the event log (add from= the time of the last event you saw)",
                    kept_from = catchUp.OldestKeptAt,
                    log,
                }, "resync");
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
                if (next.Sequence <= last)
                {
                    continue; // already sent in the catch-up
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

    private static SseItem<object> Item(AcdEvent e) =>
        new(EventResource.From(e), e.Type) { EventId = e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private sealed class Subscriber : IEventObserver
    {
        public Channel<AcdEvent> Events { get; } = Channel.CreateBounded<AcdEvent>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

        public Task OnEventAsync(AcdEvent e)
        {
            Events.Writer.TryWrite(e);
            return Task.CompletedTask;
        }
    }
}
