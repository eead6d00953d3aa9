namespace Acd.Grains.Abstractions;

/// <summary>How a queue picks among its eligible available agents.</summary>
public enum AgentSelection
{
    /// <summary>The agent whose last call ended longest ago (or who became available longest ago).</summary>
    LongestIdle,

    /// <summary>TaskRouter's <c>order_by</c> on worker attributes, ties broken by longest idle.</summary>
    OrderBy,

    /// <summary>The agent who has handled the fewest calls today.</summary>
    FewestCalls,

    /// <summary>The agent with the least talk time today.</summary>
    LeastTalkTime,

    /// <summary>The agent offered a call least recently.</summary>
    RoundRobin,

    /// <summary>Any eligible agent, uniformly at random.</summary>
    Random,
}

/// <summary>What happens to the calls waiting in a queue when its schedule closes.</summary>
public enum AtClosing
{
    /// <summary>They keep their place and are served (the default).</summary>
    KeepServing,

    /// <summary>They hear why it is closed and when it opens, and the call ends.</summary>
    PlayMessage,
}

/// <summary>A queue (TaskRouter's TaskQueue) as configured.</summary>
[GenerateSerializer, Immutable, Alias("acd.QueueDefinition")]
public sealed record QueueDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string FriendlyName,
    [property: Id(2)] string TargetWorkers,
    [property: Id(3)] string TaskOrder,
    [property: Id(4)] AgentSelection Selection,
    [property: Id(5)] string? OrderBy,
    [property: Id(6)] int MaxLength,
    [property: Id(7)] int MaxWaitSeconds,
    [property: Id(8)] int? WrapUpSeconds,
    [property: Id(9)] bool Closed,
    [property: Id(10)] string? OverflowMessage,
    [property: Id(11)] string? ClosedMessage,
    [property: Id(12)] string? ScheduleId = null,
    [property: Id(13)] AtClosing AtClosing = AtClosing.KeepServing,
    [property: Id(14)] IReadOnlyList<string>? WrapUpCodes = null);
