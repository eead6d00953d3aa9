namespace Acd.Grains.Abstractions;

/// <summary>
/// A status callback for one phone leg, in the domain's words (the edge translates Twilio's).
/// <see cref="LegId"/> is Acd's own id from the callback URL; it is null for the caller's leg, which Acd did not create.
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.LegStatusReport")]
public sealed record LegStatusReport(
    [property: Id(0)] string? LegId,
    [property: Id(1)] string CallSid,
    [property: Id(2)] LegStatus Status,
    [property: Id(3)] int? SequenceNumber,
    [property: Id(4)] DateTimeOffset? Timestamp);

/// <summary>A conference status callback (the event and the participant it concerns), in the domain's words.</summary>
[GenerateSerializer, Immutable, Alias("acd.ConferenceEventReport")]
public sealed record ConferenceEventReport(
    [property: Id(0)] string ConferenceSid,
    [property: Id(1)] ConferenceEvent Event,
    [property: Id(2)] string? CallSid,
    [property: Id(3)] int? SequenceNumber,
    [property: Id(4)] DateTimeOffset? Timestamp,
    [property: Id(5)] string? Label,
    [property: Id(6)] bool? Hold,
    [property: Id(7)] bool? Muted,
    [property: Id(8)] bool? Coaching,
    [property: Id(9)] string? FriendlyName,
    [property: Id(10)] string? CallSidEndingConference = null);
