namespace Acd.Grains.Events.Types;

/// <summary>A callback was asked for: by the waiting caller (keeping their place), or through the API (now or at a time).</summary>
[EventType("callback.requested")]
public sealed record CallbackRequested(string Source, string Number, DateTimeOffset? DueAt, double? WaitedSeconds) : EventDetails;

/// <summary>An agent took the callback: the customer is being dialled (attempt 1, 2, …).</summary>
[EventType("callback.attempted")]
public sealed record CallbackAttempted(int Attempt, string Number, string? AgentId) : EventDetails;

/// <summary>The customer answered: agent and customer are talking. Seconds from the request to now.</summary>
[EventType("callback.connected")]
public sealed record CallbackConnected(int Attempt, double SecondsToConnect) : EventDetails;

/// <summary>An attempt did not reach the customer (busy, no-answer, failed, the agent left): it is tried again at <see cref="NextAt"/>.</summary>
[EventType("callback.attempt-failed")]
public sealed record CallbackAttemptFailed(int Attempt, string Reason, DateTimeOffset? NextAt) : EventDetails;

/// <summary>Every attempt failed: the callback ends.</summary>
[EventType("callback.failed")]
public sealed record CallbackFailed(int Attempts, string Reason) : EventDetails;

/// <summary>Canceled through the API before it connected.</summary>
[EventType("callback.canceled")]
public sealed record CallbackCanceled(string? By) : EventDetails;

/// <summary>A caller left a voicemail: it is a call of its own now (its id the RecordingSid), waiting in its queue for an agent.</summary>
[EventType("voicemail.left")]
public sealed record VoicemailLeft(string FromCallId, string? Number, string RecordingSid, string RecordingUrl, int DurationSeconds) : EventDetails;

/// <summary>An agent dealt with a voicemail: <c>called-back</c> (they pressed 1 and the customer is dialled) or <c>listened</c> (marked handled).</summary>
[EventType("voicemail.handled")]
public sealed record VoicemailHandled(string AgentId, string How) : EventDetails;
