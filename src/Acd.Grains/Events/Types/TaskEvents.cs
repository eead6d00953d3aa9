namespace Acd.Grains.Events.Types;

[EventType("task.created")]
public sealed record TaskCreated(string? Workflow, string? Direction = null, string? To = null) : EventDetails;

[EventType("task-queue.entered")]
public sealed record QueueEntered(string QueueId, string? Filter, int Priority) : EventDetails;

/// <summary>The talk ended and the call's agent is wrapping it up.</summary>
[EventType("task.wrapup")]
public sealed record TaskWrapUp(string Reason, int WrapUpSeconds) : EventDetails;

/// <summary>
/// How a call ended, with the figures statistics are made of: wait until answered or abandoned, the customer's talk
/// (hold included) from the first answer, hold, wrap-up, and the last agent's own part of the talk and hold.
/// </summary>
public abstract record TaskEnded(
    string Status,
    string? Reason,
    string? AgentId,
    double? WaitSeconds,
    double? TalkSeconds,
    double? HoldSeconds,
    double? WrapUpSeconds,
    double? AgentTalkSeconds,
    double? AgentHoldSeconds) : EventDetails;

/// <summary>Handled and wrapped up; <see cref="WrapUpCode"/> is the disposition the agent chose, if any.</summary>
[EventType("task.completed")]
public sealed record TaskCompleted(string Status, string? Reason, string? AgentId, double? WaitSeconds, double? TalkSeconds, double? HoldSeconds, double? WrapUpSeconds, double? AgentTalkSeconds, double? AgentHoldSeconds, string? WrapUpCode = null)
    : TaskEnded(Status, Reason, AgentId, WaitSeconds, TalkSeconds, HoldSeconds, WrapUpSeconds, AgentTalkSeconds, AgentHoldSeconds);

/// <summary>Ended without being handled: abandoned (status <c>abandoned</c>), or canceled (no route, closed, overflow, hung up by Acd).</summary>
[EventType("task.canceled")]
public sealed record TaskCanceled(string Status, string? Reason, string? AgentId, double? WaitSeconds, double? TalkSeconds, double? HoldSeconds, double? WrapUpSeconds, double? AgentTalkSeconds, double? AgentHoldSeconds)
    : TaskEnded(Status, Reason, AgentId, WaitSeconds, TalkSeconds, HoldSeconds, WrapUpSeconds, AgentTalkSeconds, AgentHoldSeconds)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Abandoned => Status == "abandoned";
}

[EventType("task.failed")]
public sealed record TaskFailed(string Status, string? Reason, string? AgentId, double? WaitSeconds, double? TalkSeconds, double? HoldSeconds, double? WrapUpSeconds, double? AgentTalkSeconds, double? AgentHoldSeconds)
    : TaskEnded(Status, Reason, AgentId, WaitSeconds, TalkSeconds, HoldSeconds, WrapUpSeconds, AgentTalkSeconds, AgentHoldSeconds);
