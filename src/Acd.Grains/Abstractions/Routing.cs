namespace Acd.Grains.Abstractions;

/// <summary>A call waiting in a queue, as the router orders it: priority first, then age, then arrival.</summary>
[GenerateSerializer, Immutable, Alias("acd.WaitingCall")]
public sealed record WaitingCall(
    [property: Id(0)] string CallId,
    [property: Id(1)] string QueueId,
    [property: Id(2)] int Priority,
    [property: Id(3)] DateTimeOffset AgeOrigin,
    [property: Id(4)] long Sequence,
    [property: Id(5)] string? TaskAttributesJson,
    [property: Id(6)] string? TargetExpression,
    [property: Id(7)] string? KnownWorkerId,
    [property: Id(8)] string? KnownWorkerFriendlyName,
    [property: Id(9)] string? OrderBy,
    [property: Id(10)] IReadOnlyList<string>? ExcludedAgents = null);

/// <summary>What the router needs to know of an agent. <see cref="Version"/> orders snapshots; older ones are ignored.</summary>
[GenerateSerializer, Immutable, Alias("acd.AgentRouting")]
public sealed record AgentRouting(
    [property: Id(0)] string Id,
    [property: Id(1)] string FriendlyName,
    [property: Id(2)] string AttributesJson,
    [property: Id(3)] string Activity,
    [property: Id(4)] bool Available,
    [property: Id(5)] int Capacity,
    [property: Id(6)] IReadOnlyList<string> ActiveCalls,
    [property: Id(7)] DateTimeOffset IdleSince,
    [property: Id(8)] int CallsToday,
    [property: Id(9)] double TalkSecondsToday,
    [property: Id(10)] long Version);

public enum EnqueueOutcome
{
    Waiting,
    Matched,
    Skipped,
    Full,
    Closed,
    UnknownQueue,
}

/// <summary>
/// The router's answer to an enqueue. <see cref="Sequence"/> is the call's arrival order, kept across requeues;
/// the queue's limits and message come along so the call need not ask the queue again.
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.EnqueueResult")]
public sealed record EnqueueResult(
    [property: Id(0)] EnqueueOutcome Outcome,
    [property: Id(1)] string? AgentId,
    [property: Id(2)] long Sequence,
    [property: Id(3)] int MaxWaitSeconds = 0,
    [property: Id(4)] int? WrapUpSeconds = null,
    [property: Id(5)] string? Message = null,
    [property: Id(6)] RingGroup? Ring = null,
    [property: Id(7)] CallbackOffer? Callback = null);

/// <summary>Realtime figures of one queue (TaskRouter's TaskQueue realtime statistics, in Acd's names).</summary>
[GenerateSerializer, Immutable, Alias("acd.QueueRealtime")]
public sealed record QueueRealtime(
    [property: Id(0)] string QueueId,
    [property: Id(1)] int Waiting,
    [property: Id(2)] double LongestWaitingSeconds,
    [property: Id(3)] IReadOnlyDictionary<string, int> AgentsByActivity,
    [property: Id(4)] int EligibleAgents,
    [property: Id(5)] int AvailableAgents,
    [property: Id(6)] IReadOnlyList<string> WaitingCallIds,
    [property: Id(7)] double? EstimatedWaitSeconds = null,
    [property: Id(8)] double HandleSeconds = 0,
    [property: Id(9)] double AgentsAtWork = 0);

/// <summary>What a waiting caller may be told: their place, their estimated wait, and how often the queue tells it.</summary>
[GenerateSerializer, Immutable, Alias("acd.WaitInfo")]
public sealed record WaitInfo(
    [property: Id(0)] int Position,
    [property: Id(1)] double? EstimatedWaitSeconds,
    [property: Id(2)] int AnnounceEverySeconds,
    [property: Id(3)] bool CallbackOffered = false,
    [property: Id(4)] bool VoicemailOffered = false);
