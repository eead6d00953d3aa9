using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Workflows;

namespace Acd.Grains.Calls;

/// <summary>One leg in the call's conference: the caller, a rung agent, a supervisor.</summary>
[GenerateSerializer, Alias("acd.CallLeg")]
public sealed record CallLeg
{
    [Id(0)] public string LegId { get; set; } = "";

    /// <summary>caller, agent, customer (outbound) or supervisor.</summary>
    [Id(1)] public string Role { get; set; } = "";

    [Id(2)] public string? AgentId { get; set; }

    [Id(3)] public string? CallSid { get; set; }

    /// <summary>Twilio's call status words: queued, initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled.</summary>
    [Id(4)] public string Status { get; set; } = "queued";

    /// <summary>The highest status callback sequence number seen for this leg.</summary>
    [Id(8)] public int LastSequence { get; set; } = -1;

    [Id(5)] public bool Muted { get; set; }

    [Id(6)] public bool Hold { get; set; }

    [Id(7)] public bool Coaching { get; set; }

    /// <summary>A supervisor changed mode while this leg was still ringing: the flags are sent when it joins.</summary>
    [Id(9)] public bool FlagsToApply { get; set; }

    public CallLegView View() => new(LegId, Role, AgentId, CallSid, Status, Muted, Hold, Coaching);
}

[GenerateSerializer, Alias("acd.CallState")]
public sealed record CallState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public CallStatus Status { get; set; }

    [Id(2)] public DateTimeOffset StatusSince { get; set; }

    [Id(3)] public string AttributesJson { get; set; } = "{}";

    [Id(4)] public string? WorkflowId { get; set; }

    [Id(5)] public RoutingStep? Step { get; set; }

    [Id(6)] public string? FilterName { get; set; }

    [Id(7)] public string? QueueId { get; set; }

    [Id(8)] public int Priority { get; set; }

    /// <summary>The call's age origin: ordering by age uses this, across requeues and transfers.</summary>
    [Id(9)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the call entered its current queue.</summary>
    [Id(10)] public DateTimeOffset? QueuedAt { get; set; }

    [Id(11)] public long Sequence { get; set; }

    /// <summary>The workflow target's timeout.</summary>
    [Id(12)] public DateTimeOffset? StepDeadline { get; set; }

    /// <summary>The queue's maximum wait.</summary>
    [Id(13)] public DateTimeOffset? MaxWaitDeadline { get; set; }

    [Id(14)] public string? OfferedAgentId { get; set; }

    [Id(15)] public DateTimeOffset? OfferDeadline { get; set; }

    [Id(16)] public string? AgentId { get; set; }

    [Id(17)] public DateTimeOffset? ConnectedAt { get; set; }

    [Id(18)] public DateTimeOffset? EndedAt { get; set; }

    [Id(19)] public string? EndReason { get; set; }

    [Id(20)] public double? WaitSeconds { get; set; }

    /// <summary>What the caller is told when Acd gives up (closed, overflow, no route).</summary>
    [Id(21)] public string? Message { get; set; }

    [Id(22)] public string ConferenceName { get; set; } = "";

    [Id(23)] public string? ConferenceSid { get; set; }

    [Id(24)] public List<CallLeg> Legs { get; set; } = [];

    [Id(25)] public int ReservationTimeoutSeconds { get; set; }

    [Id(26)] public int WrapUpSeconds { get; set; }

    [Id(27)] public int LegCounter { get; set; }

    /// <summary>The entry the call waits with, reused on requeue so it keeps its age and place.</summary>
    [Id(28)] public WaitingCall? Waiting { get; set; }

    /// <summary>What to say if the current queue overflows (max wait).</summary>
    [Id(29)] public string? OverflowMessage { get; set; }

    [Id(30)] public DateTimeOffset? TalkEndedAt { get; set; }

    /// <summary>How many offers the call has had.</summary>
    [Id(31)] public int Offers { get; set; }

    /// <summary>Bumped on every save; orders the one-way updates the call list receives.</summary>
    [Id(33)] public long Version { get; set; }

    /// <summary>Agents who declined this call: it is not offered to them again.</summary>
    [Id(34)] public List<string> DeclinedBy { get; set; } = [];

    /// <summary>Conference callbacks already handled (by SequenceNumber), so a duplicate changes nothing.</summary>
    [Id(35)] public List<int> ConferenceSequences { get; set; } = [];

    /// <summary>When the ConferenceSid was learned.</summary>
    [Id(36)] public DateTimeOffset? ConferenceSidAt { get; set; }

    /// <summary>inbound (a caller called in) or outbound (an agent called out).</summary>
    [Id(37)] public string Direction { get; set; } = "inbound";

    /// <summary>The agent being consulted in a warm transfer.</summary>
    [Id(38)] public string? ConsultAgentId { get; set; }

    /// <summary>Conference operations asked for before the ConferenceSid was known (design rule 3).</summary>
    [Id(39)] public List<PendingOperation> Pending { get; set; } = [];

    /// <summary>How long pending operations wait for the ConferenceSid.</summary>
    [Id(40)] public DateTimeOffset? PendingDeadline { get; set; }

    /// <summary>Whom an outbound call dials.</summary>
    [Id(41)] public string? OutboundTo { get; set; }

    /// <summary>Caller ID of an outbound call's customer leg.</summary>
    [Id(42)] public string? OutboundCallerId { get; set; }

    /// <summary>Since when the customer is on hold (null: not on hold).</summary>
    [Id(43)] public DateTimeOffset? HoldStartedAt { get; set; }

    /// <summary>Hold time so far, in seconds (closed holds).</summary>
    [Id(44)] public double HoldSeconds { get; set; }

    /// <summary>When an agent first answered: the customer's conversation runs from here, across transfers.</summary>
    [Id(45)] public DateTimeOffset? FirstConnectedAt { get; set; }

    /// <summary>When the current agent's part of the call began, and the call's hold seconds at that moment.</summary>
    [Id(46)] public DateTimeOffset? AgentSince { get; set; }

    [Id(47)] public double HoldAtAgentSince { get; set; }

    /// <summary>When the consulted agent of a warm transfer answered, and the call's hold seconds then.</summary>
    [Id(48)] public DateTimeOffset? ConsultAnsweredAt { get; set; }

    [Id(49)] public double HoldAtConsultAnswered { get; set; }

    /// <summary>Agents who transferred the call away and are wrapping it up, with when they left.</summary>
    [Id(50)] public Dictionary<string, DateTimeOffset> WrappingAfterTransfer { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A conference operation waiting for the ConferenceSid: at most one of its parts is set.</summary>
[GenerateSerializer, Alias("acd.PendingOperation")]
public sealed record PendingOperation
{
    [Id(0)] public string Description { get; set; } = "";

    [Id(1)] public Telephony.ParticipantUpdate? Update { get; set; }

    [Id(2)] public Telephony.AddParticipant? Add { get; set; }

    [Id(3)] public bool EndConference { get; set; }

    [Id(4)] public DateTimeOffset RequestedAt { get; set; }
}
