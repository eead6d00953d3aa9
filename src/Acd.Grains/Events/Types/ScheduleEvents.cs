namespace Acd.Grains.Events.Types;

/// <summary>A schedule of open hours opened (its weekly hours began, or a closure or holiday ended).</summary>
[EventType("schedule.opened")]
public sealed record ScheduleOpened(string ScheduleId, string FriendlyName, DateTimeOffset? Until) : EventDetails;

/// <summary>A schedule closed: why (<c>outside-hours</c>, <c>holiday</c>, <c>closure</c>), the day's name, and when it opens next.</summary>
[EventType("schedule.closed")]
public sealed record ScheduleClosed(string ScheduleId, string FriendlyName, string Reason, string? Name, DateTimeOffset? Until) : EventDetails;
