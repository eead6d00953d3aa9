namespace Acd.Grains.Abstractions;

/// <summary>
/// A change in the contact center, in TaskRouter's event style (<c>reservation.created</c>, <c>task.completed</c>,
/// <c>worker.activity.update</c>) plus Acd's conference events (<c>call.hold</c>, <c>call.monitor</c>, …).
/// <see cref="Sequence"/> is given by the feed that carries it: a client resumes from it (SSE Last-Event-ID).
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.AcdEvent")]
public sealed record AcdEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string Type,
    [property: Id(2)] DateTimeOffset Time,
    [property: Id(3)] string? CallId,
    [property: Id(4)] string? AgentId,
    [property: Id(5)] string? QueueId,
    [property: Id(6)] string DataJson);

/// <summary>What a feed answers a subscriber: the events it missed, and whether the window no longer reaches back that far.</summary>
[GenerateSerializer, Immutable, Alias("acd.FeedCatchUp")]
public sealed record FeedCatchUp(
    [property: Id(0)] IReadOnlyList<AcdEvent> Missed,
    [property: Id(1)] bool Truncated,
    [property: Id(2)] long Latest,
    [property: Id(3)] DateTimeOffset? OldestKeptAt = null);

/// <summary>A live client of a feed (an SSE connection on some silo).</summary>
[Alias("acd.IEventObserver")]
public interface IEventObserver : IGrainObserver
{
    [Orleans.Concurrency.OneWay]
    Task OnEventAsync(AcdEvent e);
}

/// <summary>
/// One stream of events (key <c>supervisor</c> or <c>agent/{id}</c>) with a bounded window kept for clients that
/// reconnect. Clients on any silo subscribe with a grain observer, so an event raised on one silo reaches a client
/// connected to another.
/// </summary>
[Alias("acd.IEventFeedGrain")]
public interface IEventFeedGrain : IGrainWithStringKey
{
    public const string Supervisor = "supervisor";

    static string ForAgent(string agentId) => $"agent/{agentId}";

    /// <summary>The agent whose feed <paramref name="feedKey"/> is (<see cref="ForAgent"/>), or null for another feed.</summary>
    static string? AgentOf(string feedKey) => feedKey.StartsWith("agent/", StringComparison.Ordinal) ? feedKey["agent/".Length..] : null;

    [Orleans.Concurrency.OneWay]
    Task PublishAsync(AcdEvent e);

    /// <summary>Registers (or renews) a subscriber and returns what it missed after <paramref name="after"/>, atomically.</summary>
    Task<FeedCatchUp> SubscribeAsync(IEventObserver observer, long? after);

    Task UnsubscribeAsync(IEventObserver observer);

    /// <summary>The recent window, for tests and for clients that poll.</summary>
    [Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<AcdEvent>> RecentAsync(long after);
}
