namespace Acd.Grains.Abstractions;

/// <summary>
/// A call's lifecycle: Created → Queued → Offered → Connected → WrapUp → Completed,
/// with side exits Abandoned (caller left), Canceled (not routable, overflow, closed) and Failed.
/// </summary>
public enum CallStatus
{
    Created,
    Queued,
    Offered,
    Connected,
    WrapUp,
    Completed,
    Abandoned,
    Canceled,
    Failed,

    /// <summary>A callback waiting for its time (scheduled, or its next attempt) before it enters its queue.</summary>
    Scheduled,
}

public static class CallStatusExtensions
{
    public static bool IsFinal(this CallStatus status) =>
        status is CallStatus.Completed or CallStatus.Abandoned or CallStatus.Canceled or CallStatus.Failed;

    /// <summary>The call still has someone on the line (waiting or talking).</summary>
    public static bool IsLive(this CallStatus status) =>
        status is CallStatus.Created or CallStatus.Queued or CallStatus.Offered or CallStatus.Connected;
}

/// <summary>How a call enters Acd: the domain entry point behind <c>POST /api/calls</c> and the voice webhook.</summary>
[GenerateSerializer, Immutable, Alias("acd.CallStart")]
public sealed record CallStart(
    [property: Id(0)] string AttributesJson,
    [property: Id(1)] string? WorkflowId,
    [property: Id(2)] string? CallerCallSid,
    [property: Id(3)] int Priority = 0);

/// <summary>What a call looks like from outside. <see cref="OfferExpiresAt"/> is set once the offered agent's phone rings.</summary>
[GenerateSerializer, Immutable, Alias("acd.CallView")]
public sealed record CallView(
    [property: Id(0)] string Id,
    [property: Id(1)] CallStatus Status,
    [property: Id(2)] DateTimeOffset StatusSince,
    [property: Id(3)] string AttributesJson,
    [property: Id(4)] string? WorkflowId,
    [property: Id(5)] string? FilterName,
    [property: Id(6)] string? QueueId,
    [property: Id(7)] int Priority,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset? QueuedAt,
    [property: Id(10)] string? OfferedAgentId,
    [property: Id(11)] DateTimeOffset? OfferExpiresAt,
    [property: Id(12)] string? AgentId,
    [property: Id(13)] DateTimeOffset? ConnectedAt,
    [property: Id(14)] DateTimeOffset? EndedAt,
    [property: Id(15)] string? EndReason,
    [property: Id(16)] double? WaitSeconds,
    [property: Id(17)] string? Message,
    [property: Id(18)] string ConferenceName,
    [property: Id(19)] string? ConferenceSid,
    [property: Id(20)] IReadOnlyList<CallLegView> Legs,
    [property: Id(21)] IReadOnlyList<string> DeclinedBy,
    [property: Id(22)] CallKind Kind = CallKind.Inbound,
    [property: Id(23)] string? ConsultAgentId = null,
    [property: Id(24)] IReadOnlyList<string>? PendingOperations = null,
    [property: Id(25)] bool OnHold = false,
    [property: Id(26)] IReadOnlyList<string>? WrapUpCodes = null,
    [property: Id(27)] string? WrapUpCode = null,
    [property: Id(28)] IReadOnlyList<string>? OfferedToAll = null,
    [property: Id(29)] CallbackView? Callback = null,
    [property: Id(30)] bool CallbackOffered = false,
    [property: Id(31)] bool CallerInMenu = false,
    [property: Id(32)] VoicemailView? Voicemail = null);

/// <summary>
/// A voicemail as shown. On a caller's call: the queue it may be left for (<see cref="MaxLengthSeconds"/> at most) and,
/// once recorded, <see cref="VoicemailCallId"/>. On the voicemail's call: where it came from and Twilio's recording.
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.VoicemailView")]
public sealed record VoicemailView(
    [property: Id(0)] string QueueId,
    [property: Id(1)] int MaxLengthSeconds,
    [property: Id(2)] string? VoicemailCallId,
    [property: Id(3)] string? FromCallId,
    [property: Id(4)] string? RecordingSid,
    [property: Id(5)] string? RecordingUrl,
    [property: Id(6)] int DurationSeconds,
    [property: Id(7)] DateTimeOffset? LeftAt,
    [property: Id(8)] DateTimeOffset? HandledAt,
    [property: Id(9)] string? HandledHow);

/// <summary>Twilio's word that a voicemail's recording is complete (the &lt;Record&gt;'s recordingStatusCallback).</summary>
[GenerateSerializer, Immutable, Alias("acd.VoicemailRecording")]
public sealed record VoicemailRecording(
    [property: Id(0)] string RecordingSid,
    [property: Id(1)] string RecordingUrl,
    [property: Id(2)] int DurationSeconds,
    [property: Id(3)] string CallSid);

/// <summary>What the voicemail's call is made of: the caller's call hands it over when the recording is in.</summary>
[GenerateSerializer, Immutable, Alias("acd.VoicemailStart")]
public sealed record VoicemailStart(
    [property: Id(0)] string FromCallId,
    [property: Id(1)] string QueueId,
    [property: Id(2)] string AttributesJson,
    [property: Id(3)] string? WorkflowId,
    [property: Id(4)] int Priority,
    [property: Id(5)] DateTimeOffset AgeFrom,
    [property: Id(6)] string? Number,
    [property: Id(7)] string? CallerId,
    [property: Id(8)] VoicemailRecording Recording,
    [property: Id(9)] int CallbackAttempts,
    [property: Id(10)] int CallbackRetrySeconds);

/// <summary>A callback as shown: whom, since when, attempts made of how many, and when it next enters its queue.</summary>
[GenerateSerializer, Immutable, Alias("acd.CallbackView")]
public sealed record CallbackView(
    [property: Id(0)] string Number,
    [property: Id(1)] DateTimeOffset RequestedAt,
    [property: Id(2)] string Source,
    [property: Id(3)] int Attempts,
    [property: Id(4)] int MaxAttempts,
    [property: Id(5)] DateTimeOffset? DueAt,
    [property: Id(6)] DateTimeOffset? ConnectedAt,
    [property: Id(7)] string? LastFailure);

/// <summary>A callback asked for through the API: whom to call, how to route it, and optionally when.</summary>
[GenerateSerializer, Immutable, Alias("acd.CallbackStart")]
public sealed record CallbackStart(
    [property: Id(0)] string Number,
    [property: Id(1)] string AttributesJson,
    [property: Id(2)] string? WorkflowId,
    [property: Id(3)] int Priority,
    [property: Id(4)] DateTimeOffset? At,
    [property: Id(5)] string? CallerId);

/// <summary>What a caller who left the wait (pressed *) hears next.</summary>
public enum WaitExitStep
{
    /// <summary>The call is not waiting (it was answered, ended, or its conference ended): hang up.</summary>
    Hangup,

    /// <summary>The callback menu: keep your place and be called back, or go on waiting.</summary>
    Menu,

    /// <summary>Back to the wait, in a new conference.</summary>
    Back,

    /// <summary>Told why the call ends (the queue gave up), then hang up.</summary>
    Message,

    /// <summary>Leave a voicemail (<c>&lt;Record&gt;</c>), then hang up.</summary>
    Voicemail,
}

[GenerateSerializer, Immutable, Alias("acd.WaitExit")]
public sealed record WaitExit(
    [property: Id(0)] WaitExitStep Step,
    [property: Id(1)] string? Number = null,
    [property: Id(2)] string? ConferenceName = null,
    [property: Id(3)] string? Message = null,
    [property: Id(4)] bool Callback = true,
    [property: Id(5)] bool Voicemail = false,
    [property: Id(6)] int VoicemailMaxLength = 0);

/// <summary>One phone leg in a call's conference.</summary>
[GenerateSerializer, Immutable, Alias("acd.CallLegView")]
public sealed record CallLegView(
    [property: Id(0)] string LegId,
    [property: Id(1)] LegRole Role,
    [property: Id(2)] string? AgentId,
    [property: Id(3)] string? CallSid,
    [property: Id(4)] LegStatus Status,
    [property: Id(5)] bool Muted,
    [property: Id(6)] bool Hold,
    [property: Id(7)] bool Coaching);
