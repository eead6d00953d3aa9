using Acd.Grains.Abstractions;

namespace Acd.Grains.Routing.Matching;

/// <summary>Selection order of free agents in a queue, one comparer per <see cref="AgentSelection"/>.</summary>
internal sealed class AgentOrder(IndexedQueue queue, AgentSelection selection) : IComparer<IndexedAgent>
{
    /// <summary>A ring group rings the longest idle first; every other selection orders as it says.</summary>
    public static AgentOrder For(IndexedQueue queue) => new(queue, queue.Definition.Selection);

    public int Compare(IndexedAgent? x, IndexedAgent? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        var c = selection switch
        {
            AgentSelection.OrderBy when queue.OrderBy is { } spec => spec.Compare(x!.OrderKeys[queue], y!.OrderKeys[queue]),
            AgentSelection.FewestCalls => x!.Snapshot.CallsToday.CompareTo(y!.Snapshot.CallsToday),
            AgentSelection.LeastTalkTime => x!.Snapshot.TalkSecondsToday.CompareTo(y!.Snapshot.TalkSecondsToday),
            AgentSelection.RoundRobin => x!.LastMatchSequence.CompareTo(y!.LastMatchSequence),
            AgentSelection.Random => x!.RandomKey.CompareTo(y!.RandomKey),
            _ => 0,
        };
        if (c == 0)
        {
            c = x!.IdleSince.CompareTo(y!.IdleSince);
        }
        return c != 0 ? c : string.CompareOrdinal(x!.Id, y!.Id);
    }
}
