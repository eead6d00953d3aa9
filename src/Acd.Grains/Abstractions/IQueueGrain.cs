using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

/// <summary>A queue (key: queue id): its definition and the calls waiting in it, kept durable.</summary>
[Alias("acd.IQueueGrain")]
public interface IQueueGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the queue's definition; a bad <c>target_workers</c> or <c>order_by</c> is rejected with its position.</summary>
    Task<Outcome<QueueDefinition>> ConfigureAsync(QueueDefinition definition);

    [ReadOnly, AlwaysInterleave]
    Task<QueueDefinition?> GetAsync();

    /// <summary>Deletes the queue unless calls wait in it or a workflow routes to it.</summary>
    Task<Outcome<bool>> DeleteAsync();

    /// <summary>
    /// Asks for service: the call is matched at once, waits, or is turned away (closed, full, skipped).
    /// <paramref name="readmit"/>: the call was admitted before and comes back (its offer failed): it keeps its place
    /// even if the queue has closed or filled meanwhile.
    /// </summary>
    Task<EnqueueResult> EnqueueAsync(WaitingCall call, string? skipIf, bool readmit = false);

    /// <summary>Takes a waiting call out (caller left, timeout). False when it was not waiting.</summary>
    Task<bool> WithdrawAsync(string callId);

    /// <summary>The call became an offer: it is no longer waiting here.</summary>
    Task RemoveAsync(string callId);

    /// <summary>The queue's schedule closed: with <see cref="AtClosing.PlayMessage"/> the calls waiting hear why and end.</summary>
    [Orleans.Concurrency.OneWay]
    Task ScheduleClosedAsync(Schedules.ScheduleStatus status, string timeZone);

    /// <summary>A match the call could not use: frees the agent and puts the call back with its original age.</summary>
    Task<EnqueueResult> ReturnAsync(WaitingCall call, string agentId);

    /// <summary>The definition and waiting calls, for the router to rebuild its index.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<(QueueDefinition? Definition, IReadOnlyList<WaitingCall> Waiting)> GetRoutingAsync();
}
