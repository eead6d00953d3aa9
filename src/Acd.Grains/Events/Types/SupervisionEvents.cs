namespace Acd.Grains.Events.Types;

/// <summary>What a supervisor does to a call: for supervisors' eyes only (a silent monitor stays silent).</summary>
public abstract record SupervisionEvent(string SupervisorId) : EventDetails
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override bool SupervisorsOnly => true;
}

[EventType("call.supervisor.monitor")]
public sealed record SupervisorMonitors(string SupervisorId) : SupervisionEvent(SupervisorId);

[EventType("call.supervisor.coach")]
public sealed record SupervisorCoaches(string SupervisorId) : SupervisionEvent(SupervisorId);

[EventType("call.supervisor.barge")]
public sealed record SupervisorBarges(string SupervisorId) : SupervisionEvent(SupervisorId);

[EventType("call.supervisor.leave")]
public sealed record SupervisorLeaves(string SupervisorId) : SupervisionEvent(SupervisorId);

[EventType("call.supervisor.joined")]
public sealed record SupervisorJoined(string SupervisorId) : SupervisionEvent(SupervisorId);

[EventType("call.supervisor.left")]
public sealed record SupervisorLeft(string SupervisorId, string Status) : SupervisionEvent(SupervisorId);
