using System.Text.Json.Serialization;

namespace Acd.Grains.Events.Types;

/// <summary>
/// What an event says, one record per event type (<see cref="EventTypeAttribute"/> names it), so readers such as the
/// statistics are checked by the compiler. Stored as the event's JSON <c>details</c> (snake_case), beside a snapshot
/// of the call; <see cref="EventTypes"/> writes and reads it.
/// </summary>
public abstract record EventDetails
{
    /// <summary>Seen by supervisors only (and the supervisor it is about): an agent is never told they are being monitored.</summary>
    [JsonIgnore]
    public virtual bool SupervisorsOnly => false;
}

/// <summary>The event type an <see cref="EventDetails"/> record is written as, in TaskRouter's style (<c>reservation.accepted</c>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>The JSON property of the event's data that holds the record: <c>details</c>, or <c>agent</c> for worker events.</summary>
    public string Payload { get; init; } = "details";
}
