using Acd.Grains.Abstractions;
using Acd.Grains.Events;

namespace Acd.Grains.Tests.Cluster;

/// <summary>What an event feed keeps for clients that reconnect is bounded by count, bytes and age.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EventFeedBoundsTests(ClusterFixture fixture)
{
    private static AcdEvent Event(int n, int dataChars) => new(0, "reservation.created", default, $"call-{n}", "a", "q", $"{{\"pad\":\"{new string('x', dataChars)}\"}}");

    private static async Task PublishedAsync(IEventFeedGrain feed, long sequence) =>
        await Scenario.EventuallyAsync(async () => (await feed.RecentAsync(sequence - 1)).Any(e => e.Sequence == sequence), $"event {sequence} is in the feed");

    [Fact]
    public async Task AnAgentsFeedKeepsAboutItsByteBudgetOfRecentEvents()
    {
        var feed = fixture.Grains.GetGrain<IEventFeedGrain>(IEventFeedGrain.ForAgent($"bounds-{Guid.NewGuid():N}"));
        // 2 KB events, as an event carrying a call's snapshot is: 200 of them are 800 KB of strings.
        for (var n = 1; n <= 200; n++)
        {
            await feed.PublishAsync(Event(n, 1000));
        }
        await PublishedAsync(feed, 200);

        var kept = await feed.RecentAsync(0);
        var bytes = kept.Sum(e => 2 * (e.DataJson.Length + e.Type.Length) + 64);
        Assert.InRange(bytes, EventFeedGrain.AgentBytes - 4096, EventFeedGrain.AgentBytes + 1024);
        Assert.Equal(200, kept[^1].Sequence);
        Assert.Equal(Enumerable.Range((int)kept[0].Sequence, kept.Count).Select(i => (long)i), kept.Select(e => e.Sequence));

        // A client that last saw an event no longer kept is told to reload; one within the window gets what it missed.
        var observer = new Observer();
        var reference = fixture.Cluster.Client.CreateObjectReference<IEventObserver>(observer);
        Assert.True((await feed.SubscribeAsync(reference, 10)).Truncated);
        var recent = await feed.SubscribeAsync(reference, 197);
        Assert.False(recent.Truncated);
        Assert.Equal([198L, 199, 200], recent.Missed.Select(e => e.Sequence));
    }

    [Fact]
    public async Task EventsOlderThanTheMaximumAgeAreDroppedAsNewOnesCome()
    {
        var feed = fixture.Grains.GetGrain<IEventFeedGrain>(IEventFeedGrain.ForAgent($"aged-{Guid.NewGuid():N}"));
        await feed.PublishAsync(Event(1, 10));
        await feed.PublishAsync(Event(2, 10));
        await PublishedAsync(feed, 2);

        fixture.Time.Advance(EventFeedGrain.MaxAge + TimeSpan.FromSeconds(1));
        await feed.PublishAsync(Event(3, 10));
        await PublishedAsync(feed, 3);

        Assert.Equal([3L], (await feed.RecentAsync(0)).Select(e => e.Sequence));
    }

    private sealed class Observer : IEventObserver
    {
        public Task OnEventAsync(AcdEvent e) => Task.CompletedTask;
    }
}
