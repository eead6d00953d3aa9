namespace Acd.Grains.Events.Types;

/// <summary>The ConferenceSid became known (design rule 3): clients can now act on the conference.</summary>
[EventType("call.conference")]
public sealed record ConferenceKnown(string ConferenceSid) : EventDetails;

/// <summary>Twilio reported a participant's flags (hold, mute, coaching).</summary>
[EventType("call.participant")]
public sealed record ParticipantChanged(string LegId, string Role, string? AgentId, bool Hold, bool Muted, bool Coaching) : EventDetails
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override bool SupervisorsOnly => Role == "supervisor";
}

[EventType("call.hold")]
public sealed record CustomerHeld(string? By) : EventDetails;

[EventType("call.unhold")]
public sealed record CustomerResumed(string? By) : EventDetails;

[EventType("call.mute")]
public sealed record AgentMuted(string AgentId) : EventDetails;

[EventType("call.unmute")]
public sealed record AgentUnmuted(string AgentId) : EventDetails;

/// <summary>An agent's leg answered after Acd had ended its offer: it was hung up at once (the re-offer stands).</summary>
[EventType("call.late-answer")]
public sealed record LateAnswerHungUp(string LegId, string? AgentId) : EventDetails;

/// <summary>A conference operation waited for the ConferenceSid in vain and was given up.</summary>
[EventType("call.operation.failed")]
public sealed record OperationFailed(string Operation, string Reason) : EventDetails;

[EventType("call.transfer")]
public sealed record TransferStarted(string Mode, string From, string? ToAgent = null, string? ToQueue = null) : EventDetails;

[EventType("call.transfer.answered")]
public sealed record TransferAnswered(string ToAgent) : EventDetails;

[EventType("call.transfer.failed")]
public sealed record TransferFailed(string ToAgent, string Reason) : EventDetails;

[EventType("call.transfer.completed")]
public sealed record TransferCompleted(string From, string ToAgent) : EventDetails;

[EventType("call.transfer.canceled")]
public sealed record TransferCanceled(string From, string ToAgent) : EventDetails;

[EventType("call.outbound.dialing")]
public sealed record OutboundDialing(string? To) : EventDetails;

[EventType("call.outbound.answered")]
public sealed record OutboundAnswered(string? To) : EventDetails;

[EventType("call.outbound.failed")]
public sealed record OutboundFailed(string Reason, string? To) : EventDetails;
