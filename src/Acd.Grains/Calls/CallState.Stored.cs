using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Routing.Workflows;

namespace Acd.Grains.Calls;

/// <summary>
/// Fields of the flat state written before the call lifecycle became parts, at their ids and with their types, so state
/// stored by those versions still loads. <see cref="StoredCallState.Upgrade"/> moves them into the parts and clears them.
/// </summary>
public sealed partial record CallState
{
    [Id(4)] public string? StoredWorkflowId { get; set; }

    [Id(5)] public RoutingStep? StoredStep { get; set; }

    [Id(6)] public string? StoredFilterName { get; set; }

    [Id(7)] public string? StoredQueueId { get; set; }

    [Id(8)] public int StoredPriority { get; set; }

    [Id(9)] public DateTimeOffset StoredCreatedAt { get; set; }

    [Id(10)] public DateTimeOffset? StoredQueuedAt { get; set; }

    [Id(11)] public long StoredSequence { get; set; }

    [Id(12)] public DateTimeOffset? StoredStepDeadline { get; set; }

    [Id(13)] public DateTimeOffset? StoredMaxWaitDeadline { get; set; }

    [Id(14)] public string? StoredOfferedAgentId { get; set; }

    [Id(15)] public DateTimeOffset? StoredOfferDeadline { get; set; }

    [Id(17)] public DateTimeOffset? StoredConnectedAt { get; set; }

    [Id(18)] public DateTimeOffset? StoredEndedAt { get; set; }

    [Id(20)] public double? StoredWaitSeconds { get; set; }

    [Id(22)] public string? StoredConferenceName { get; set; }

    [Id(23)] public string? StoredConferenceSid { get; set; }

    [Id(24)] public List<CallLeg>? StoredLegs { get; set; }

    [Id(25)] public int StoredReservationTimeoutSeconds { get; set; }

    [Id(26)] public int StoredWrapUpSeconds { get; set; }

    [Id(27)] public int StoredLegCounter { get; set; }

    [Id(28)] public WaitingCall? StoredWaiting { get; set; }

    [Id(29)] public string? StoredOverflowMessage { get; set; }

    [Id(30)] public DateTimeOffset? StoredTalkEndedAt { get; set; }

    [Id(31)] public int StoredOffers { get; set; }

    [Id(34)] public List<string>? StoredDeclinedBy { get; set; }

    [Id(35)] public List<int>? StoredConferenceSequences { get; set; }

    [Id(36)] public DateTimeOffset? StoredConferenceSidAt { get; set; }

    [Id(37)] public string? StoredDirection { get; set; }

    [Id(39)] public List<PendingOperation>? StoredPending { get; set; }

    [Id(40)] public DateTimeOffset? StoredPendingDeadline { get; set; }

    [Id(43)] public DateTimeOffset? StoredHoldStartedAt { get; set; }

    [Id(44)] public double StoredHoldSeconds { get; set; }

    [Id(45)] public DateTimeOffset? StoredFirstConnectedAt { get; set; }

    [Id(46)] public DateTimeOffset? StoredAgentSince { get; set; }

    [Id(47)] public double StoredHoldAtAgentSince { get; set; }

    [Id(48)] public DateTimeOffset? StoredConsultAnsweredAt { get; set; }

    [Id(49)] public double StoredHoldAtConsultAnswered { get; set; }
}

/// <summary>A leg as the flat state stored it: Twilio's words for role and status.</summary>
[GenerateSerializer, Alias("acd.CallLeg")]
public sealed record CallLeg
{
    [Id(0)] public string LegId { get; set; } = "";

    [Id(1)] public string Role { get; set; } = "";

    [Id(2)] public string? AgentId { get; set; }

    [Id(3)] public string? CallSid { get; set; }

    [Id(4)] public string Status { get; set; } = "queued";

    [Id(8)] public int LastSequence { get; set; } = -1;

    [Id(5)] public bool Muted { get; set; }

    [Id(6)] public bool Hold { get; set; }

    [Id(7)] public bool Coaching { get; set; }

    [Id(9)] public bool FlagsToApply { get; set; }
}
