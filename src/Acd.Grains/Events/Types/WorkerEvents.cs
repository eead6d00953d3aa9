namespace Acd.Grains.Events.Types;

/// <summary>An agent's activity changed (TaskRouter's worker.activity.update); written under <c>agent</c>.</summary>
[EventType("worker.activity.update", Payload = "agent")]
public sealed record WorkerActivityUpdated(string Id, string FriendlyName, string Activity, bool Available, DateTimeOffset ActivitySince, DateTimeOffset? WrapUpEndsAt) : EventDetails;
