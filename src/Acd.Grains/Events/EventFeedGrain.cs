using Acd.Grains.Abstractions;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Events;

/// <summary>
/// Keeps the last <see cref="Window"/> events of one feed and fans each out to its live subscribers. Subscribers
/// renew every <see cref="Renewal"/>; one that has not renewed for three renewals is dropped (its silo died).
/// The window is memory only: the durable record of what happened is the event log.
/// </summary>
[CollectionAgeLimit(Minutes = 60)]
public sealed class EventFeedGrain(TimeProvider time, ILogger<EventFeedGrain> logger) : Grain, IEventFeedGrain
{
    public const int Window = 2000;
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(30);

    private readonly LinkedList<AcdEvent> _recent = new();
    private readonly Dictionary<IEventObserver, DateTimeOffset> _subscribers = [];
    private long _sequence;

    public Task PublishAsync(AcdEvent e)
    {
        var numbered = e with { Sequence = ++_sequence };
        _recent.AddLast(numbered);
        if (_recent.Count > Window)
        {
            _recent.RemoveFirst();
        }
        var stale = time.GetUtcNow() - (3 * Renewal);
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
        var oldest = _recent.First?.Value.Sequence ?? _sequence + 1;
        var missed = _recent.Where(e => e.Sequence > last).ToList();
        // A client further behind than the window (or from before this feed restarted) must reload its state.
        var truncated = last < oldest - 1 || last > _sequence;
        return Task.FromResult(new FeedCatchUp(missed, truncated, _sequence));
    }

    public Task UnsubscribeAsync(IEventObserver observer)
    {
        _subscribers.Remove(observer);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AcdEvent>> RecentAsync(long after) =>
        Task.FromResult<IReadOnlyList<AcdEvent>>([.. _recent.Where(e => e.Sequence > after)]);
}
