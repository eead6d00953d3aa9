namespace Acd.Grains.Agents;

[GenerateSerializer, Alias("acd.AgentState")]
public sealed record AgentState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public string FriendlyName { get; set; } = "";

    [Id(2)] public string AttributesJson { get; set; } = "{}";

    [Id(3)] public int Capacity { get; set; } = 1;

    [Id(4)] public string Activity { get; set; } = Abstractions.Activities.Offline;

    [Id(5)] public DateTimeOffset ActivitySince { get; set; }

    /// <summary>Calls ringing this agent (reserved, not yet answered).</summary>
    [Id(6)] public List<string> Offers { get; set; } = [];

    /// <summary>Calls this agent is connected to, with the time each connected (for talk time).</summary>
    [Id(7)] public Dictionary<string, DateTimeOffset> Calls { get; set; } = new(StringComparer.Ordinal);

    [Id(8)] public DateTimeOffset? LastCallEndedAt { get; set; }

    [Id(9)] public int ConsecutiveMissedOffers { get; set; }

    /// <summary>The local day (yyyymmdd in the center's time zone) the daily counters belong to.</summary>
    [Id(10)] public int CountersDay { get; set; }

    [Id(11)] public int CallsToday { get; set; }

    [Id(12)] public double TalkSecondsToday { get; set; }

    [Id(13)] public DateTimeOffset? WrapUpEndsAt { get; set; }

    [Id(14)] public string? WrapUpCallId { get; set; }

    /// <summary>Orders the snapshots the router receives; bumped on every change.</summary>
    [Id(15)] public long Version { get; set; }

    /// <summary>When the agent last became available: idle time for an agent who has had no call yet.</summary>
    [Id(16)] public DateTimeOffset AvailableSince { get; set; }

    /// <summary>Whether <see cref="Activity"/> is an available one, kept so routing never looks it up.</summary>
    [Id(17)] public bool ActivityAvailable { get; set; }

    /// <summary>When each offer and call in <see cref="Offers"/> and <see cref="Calls"/> was taken on: the agent verifies the old ones.</summary>
    [Id(18)] public Dictionary<string, DateTimeOffset> HeldSince { get; set; } = new(StringComparer.Ordinal);
}
