using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;

namespace Acd.Grains.Routing.Matching;

/// <summary>
/// The router's view of one agent. Fields that order agents (idle time, counters, keys) change only while
/// the agent is out of every free set: <see cref="RoutingIndex"/> removes, mutates, then re-inserts.
/// </summary>
internal sealed class IndexedAgent(string id)
{
    public string Id { get; } = id;

    public AgentRouting Snapshot { get; set; } = null!;

    public JsonElement Attributes { get; set; }

    public List<IndexedQueue> Queues { get; } = [];

    /// <summary>Calls the agent grain holds (offers and connected calls), from its latest snapshot.</summary>
    public HashSet<string> Active { get; } = new(StringComparer.Ordinal);

    /// <summary>Calls matched here that the agent has not confirmed yet.</summary>
    public Dictionary<string, DateTimeOffset> Pending { get; } = new(StringComparer.Ordinal);

    public Dictionary<IndexedQueue, ExprValue[]> OrderKeys { get; } = [];

    public long LastMatchSequence { get; set; }

    public double RandomKey { get; set; }

    public bool InFreeSets { get; set; }

    public int Load => Active.Count + Pending.Keys.Count(k => !Active.Contains(k));

    public bool IsFree => Snapshot.Available && Load < Math.Max(1, Snapshot.Capacity);

    public DateTimeOffset IdleSince => Snapshot.IdleSince;
}
