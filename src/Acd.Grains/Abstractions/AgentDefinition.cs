namespace Acd.Grains.Abstractions;

/// <summary>An agent (TaskRouter's Worker) as configured. The contact URI is the <c>contact_uri</c> attribute, as in Flex.</summary>
[GenerateSerializer, Immutable, Alias("acd.AgentDefinition")]
public sealed record AgentDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string FriendlyName,
    [property: Id(2)] string AttributesJson,
    [property: Id(3)] int Capacity,
    [property: Id(4)] string? Activity);

/// <summary>What an agent looks like from outside.</summary>
[GenerateSerializer, Immutable, Alias("acd.AgentView")]
public sealed record AgentView(
    [property: Id(0)] string Id,
    [property: Id(1)] string FriendlyName,
    [property: Id(2)] string AttributesJson,
    [property: Id(3)] string? ContactUri,
    [property: Id(4)] string Activity,
    [property: Id(5)] DateTimeOffset ActivitySince,
    [property: Id(6)] bool Available,
    [property: Id(7)] int Capacity,
    [property: Id(8)] IReadOnlyList<string> Offers,
    [property: Id(9)] IReadOnlyList<string> Calls,
    [property: Id(10)] DateTimeOffset? LastCallEndedAt,
    [property: Id(11)] int ConsecutiveMissedOffers,
    [property: Id(12)] int CallsToday,
    [property: Id(13)] double TalkSecondsToday,
    [property: Id(14)] DateTimeOffset? WrapUpEndsAt,
    [property: Id(15)] string? WrapUpCallId);
