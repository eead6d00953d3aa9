using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

/// <summary>
/// The matching engine of a workspace (key <c>default</c>). Holds an in-memory index of waiting calls and agents,
/// rebuilt from the queue and agent grains when it activates. It never awaits another grain while matching, so a
/// match is atomic; matches for calls other than the one asking are sent to those calls as one-way messages.
/// </summary>
[Alias("acd.IRouterGrain")]
public interface IRouterGrain : IGrainWithStringKey
{
    Task UpsertQueueAsync(QueueDefinition definition);

    /// <summary>Keeps the router active: each silo's keeper calls it, so a router lost with its silo comes back within seconds.</summary>
    Task PingAsync();

    /// <summary>After a silo is lost: reactivate the waiting calls and agents (and with them their deadlines) and resend lost matches.</summary>
    Task RecoverAsync();


    /// <summary>False when calls still wait in the queue.</summary>
    Task<bool> RemoveQueueAsync(string queueId);

    Task UpsertAgentAsync(AgentRouting agent);

    Task RemoveAgentAsync(string agentId);

    /// <summary>A call asks for service; <paramref name="readmit"/>: it was admitted before, so closed and full do not apply.</summary>
    Task<EnqueueResult> EnqueueAsync(WaitingCall call, string? skipIf, bool readmit = false);

    Task<bool> WithdrawAsync(string callId);

    /// <summary>A ring group's offered call asks for up to <paramref name="count"/> more free agents, held for it until confirmed or released.</summary>
    Task<List<string>> MatchMoreAsync(WaitingCall call, IReadOnlyList<string> ringing, int count);

    /// <summary>Frees an agent's slot for a match that did not become an offer, then optionally puts the call back.</summary>
    Task<EnqueueResult?> ReleaseMatchAsync(string callId, string agentId, WaitingCall? requeue);

    [ReadOnly]
    Task<QueueRealtime?> GetRealtimeAsync(string queueId);

    /// <summary>
    /// Every queue's realtime figures in one call (the dashboard's refresh: one router turn, not one per queue); the
    /// waiting calls' ids are left empty unless <paramref name="waitingCallIds"/>.
    /// </summary>
    [ReadOnly]
    Task<List<QueueRealtime>> GetRealtimeAllAsync(bool waitingCallIds);

    [ReadOnly]
    Task<int> GetPositionAsync(string callId);

    /// <summary>A waiting call's estimated wait in seconds (README, "Estimated wait"); null when not waiting or nobody is at work.</summary>
    [ReadOnly]
    Task<double?> GetEstimatedWaitAsync(string callId);

    /// <summary>What a waiting caller may be told (the wait music's announcement); null when the call is not waiting.</summary>
    [ReadOnly]
    Task<WaitInfo?> GetWaitAsync(string callId);

    /// <summary>A call answered from <paramref name="queueId"/> took <paramref name="seconds"/> (talk, hold, wrap-up): the queue's handle time learns it.</summary>
    [OneWay]
    Task RecordHandleTimeAsync(string queueId, double seconds);

    /// <summary>How many agents are in an activity (to refuse deleting one in use).</summary>
    [ReadOnly]
    Task<int> CountAgentsInActivityAsync(string activity);
}
