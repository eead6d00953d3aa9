using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Workflows;

namespace Acd.Grains.Calls.Lifecycle;

/// <summary>Where the call is in its workflow and queue, and the deadlines that move it on.</summary>
[GenerateSerializer, Alias("acd.CallRouting")]
public sealed class CallRouting
{
    [Id(0)] public string? WorkflowId { get; set; }

    [Id(1)] public RoutingStep? Step { get; set; }

    [Id(2)] public string? FilterName { get; set; }

    [Id(3)] public string? QueueId { get; set; }

    [Id(4)] public int Priority { get; set; }

    /// <summary>The call's arrival order in its queue, kept across requeues.</summary>
    [Id(5)] public long Sequence { get; set; }

    /// <summary>The workflow target's timeout.</summary>
    [Id(6)] public DateTimeOffset? StepDeadline { get; set; }

    /// <summary>The queue's maximum wait.</summary>
    [Id(7)] public DateTimeOffset? MaxWaitDeadline { get; set; }

    /// <summary>The entry the call waits with, reused on requeue so it keeps its age and place.</summary>
    [Id(8)] public WaitingCall? Waiting { get; set; }

    /// <summary>What to say if the current queue overflows (max wait).</summary>
    [Id(9)] public string? OverflowMessage { get; set; }

    /// <summary>Agents who declined this call: it is not offered to them again.</summary>
    [Id(10)] public List<string> DeclinedBy { get; set; } = [];

    [Id(11)] public int ReservationTimeoutSeconds { get; set; }

    [Id(12)] public int WrapUpSeconds { get; set; }

    /// <summary>A deadline came while a match was on its way to the call: look again then.</summary>
    [Id(13)] public DateTimeOffset? RecheckAt { get; set; }

    /// <summary>When the waiting caller's leg is next looked up at Twilio (a hang-up whose callback was lost).</summary>
    [Id(14)] public DateTimeOffset? CallerCheckAt { get; set; }

    /// <summary>The queue's ring group (null: one agent at a time), as the queue said when it took the call.</summary>
    [Id(15)] public RingGroup? Ring { get; set; }

    /// <summary>ring_progressively: when one more agent is rung while the call is offered.</summary>
    [Id(16)] public DateTimeOffset? NextRingAt { get; set; }

    /// <summary>The queue's callback settings, as the call last entered it.</summary>
    [Id(17)] public CallbackOffer? Callback { get; set; }

    /// <summary>
    /// The caller left the wait (pressed *, hangupOnStar) and is in the callback menu, out of the queue but keeping their
    /// place; by then they are back, have asked for a callback, or are looked up (they may have hung up there).
    /// </summary>
    [Id(18)] public DateTimeOffset? CallerAwayUntil { get; set; }

    /// <summary>Whether the caller who left the wait was offered a callback then (their wait or estimate met the queue's rule).</summary>
    [Id(19)] public bool CallbackEligible { get; set; }

    /// <summary>The caller was put into their conference with hangupOnStar (their first queue offers callbacks): * takes them to the menu.</summary>
    [Id(20)] public bool CallerCanStepOut { get; set; }

    /// <summary>While connected: when the live legs are next looked up at Twilio (kept in memory; set again on a reload).</summary>
    [Id(21)] public DateTimeOffset? TalkCheckAt { get; set; }

    /// <summary>The agent declined: the call is not offered to them again.</summary>
    public void Declined(string agentId)
    {
        if (!DeclinedBy.Contains(agentId))
        {
            DeclinedBy.Add(agentId);
            Waiting = Waiting is null ? null : Waiting with { ExcludedAgents = [.. DeclinedBy] };
        }
    }

    public void ClearDeadlines()
    {
        StepDeadline = null;
        MaxWaitDeadline = null;
        RecheckAt = null;
        CallerCheckAt = null;
        NextRingAt = null;
        TalkCheckAt = null;
    }
}
