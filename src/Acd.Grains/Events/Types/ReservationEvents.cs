namespace Acd.Grains.Events.Types;

/// <summary>An offer (TaskRouter's reservation) to an agent; <see cref="ExpiresAt"/> once their phone rings.</summary>
[EventType("reservation.created")]
public sealed record ReservationCreated(string AgentId, DateTimeOffset? ExpiresAt, bool? Outbound = null) : EventDetails;

/// <summary>The agent answered; <see cref="WaitSeconds"/> is the caller's wait, absent for a transfer straight to an agent.</summary>
[EventType("reservation.accepted")]
public sealed record ReservationAccepted(string AgentId, double? WaitSeconds) : EventDetails;

[EventType("reservation.rejected")]
public sealed record ReservationRejected(string AgentId, string Reason) : EventDetails;

/// <summary>The agent's phone rang out, was busy or failed: a miss.</summary>
[EventType("reservation.timeout")]
public sealed record ReservationTimedOut(string AgentId, string Reason) : EventDetails;

/// <summary>Taken back, not the agent's doing: the caller left, the agent went unavailable, the leg never rang.</summary>
[EventType("reservation.canceled")]
public sealed record ReservationCanceled(string AgentId, string Reason) : EventDetails;

/// <summary>An agent handed the call on (a transfer): their own talk and hold, counted now.</summary>
[EventType("reservation.wrapup")]
public sealed record ReservationWrapUp(string AgentId, string Reason, double? TalkSeconds, double? HoldSeconds) : EventDetails;

/// <summary>An agent who handed the call on finished wrapping it up.</summary>
[EventType("reservation.completed")]
public sealed record ReservationCompleted(string AgentId, string Reason, double? WrapUpSeconds) : EventDetails;
