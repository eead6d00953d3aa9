using Acd.Grains.Abstractions;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Events;

/// <summary>
/// Keeps the recent events of one feed and fans each out to its live subscribers. What it keeps, for a client that
/// reconnects to catch up with, is bounded three ways: at most <see cref="Window"/> events, none older than
/// <see cref="MaxAge"/>, and at most <see cref="AgentBytes"/> (an agent's feed) or <see cref="SupervisorBytes"/> of
/// them, so thousands of agents' feeds do not grow by megabytes each. A client further behind is told to reload its
/// state (the durable record is the event log). Subscribers renew every <see cref="Renewal"/>; one that has not renewed
/// for three renewals is dropped (its silo died).
/// </summary>
[CollectionAgeLimit(Minutes = 60)]
public sealed class EventFeedGrain(TimeProvider time, ILogger<EventFeedGrain> logger) : Grain, IEventFeedGrain
{
    public const int Window = 2000;
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(30);

    /// <summary>Long enough for a softphone or a dashboard to come back from a network drop.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>
    /// About the last call's events (an event carrying a call's snapshot is 1–2 KB in memory): enough for a softphone
    /// back from a short drop, and a few KB per agent however long the day. Further behind, the client reloads its state.
    /// </summary>
    public const int AgentBytes = 8 * 1024;

    public const int SupervisorBytes = 8 * 1024 * 1024;

    private readonly LinkedList<(AcdEvent Event, DateTimeOffset At, int Bytes)> _recent = new();
    private long _bytes;
    private readonly Dictionary<IEventObserver, DateTimeOffset> _subscribers = [];
    private long _sequence;

    public Task PublishAsync(AcdEvent e)
    {
        var numbered = e with { Sequence = ++_sequence };
        var now = time.GetUtcNow();
        var bytes = Size(numbered);
        _recent.AddLast((numbered, now, bytes));
        _bytes += bytes;
        var budget = this.GetPrimaryKeyString() == IEventFeedGrain.Supervisor ? SupervisorBytes : AgentBytes;
        while (_recent.First is { } oldest && oldest != _recent.Last
            && (_recent.Count > Window || _bytes > budget || oldest.Value.At < now - MaxAge))
        {
            _bytes -= oldest.Value.Bytes;
            _recent.RemoveFirst();
        }
        var stale = now - (3 * Renewal);
        foreach (var (subscriber, renewed) in _subscribers.ToList())
        {
            if (renewed < stale)
            {
                _subscribers.Remove(subscriber);
                continue;
            }
            try
            {
                subscriber.OnEventAsync(numbered).Ignore();
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Dropping a subscriber of {Feed}", this.GetPrimaryKeyString());
                _subscribers.Remove(subscriber);
            }
        }
        return Task.CompletedTask;
    }

    public Task<FeedCatchUp> SubscribeAsync(IEventObserver observer, long? after)
    {
        _subscribers[observer] = time.GetUtcNow();
        if (after is not { } last)
        {
            return Task.FromResult(new FeedCatchUp([], false, _sequence));
        }
        var oldest = _recent.First?.Value.Event.Sequence ?? _sequence + 1;
        var missed = _recent.Select(r => r.Event).Where(e => e.Sequence > last).ToList();
        // A client further behind than the window (or from before this feed restarted) must reload its state.
        var truncated = last < oldest - 1 || last > _sequence;
        return Task.FromResult(new FeedCatchUp(missed, truncated, _sequence, _recent.First?.Value.Event.Time));
    }

    public Task UnsubscribeAsync(IEventObserver observer)
    {
        _subscribers.Remove(observer);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AcdEvent>> RecentAsync(long after) =>
        Task.FromResult<IReadOnlyList<AcdEvent>>([.. _recent.Select(r => r.Event).Where(e => e.Sequence > after)]);

    /// <summary>What an event holds in memory, roughly: its strings (UTF-16) and the record around them.</summary>
    private static int Size(AcdEvent e) =>
        64 + (2 * (e.Type.Length + e.DataJson.Length + (e.CallId?.Length ?? 0) + (e.AgentId?.Length ?? 0) + (e.QueueId?.Length ?? 0)));
}
