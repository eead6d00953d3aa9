using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;

namespace Acd.Grains.Routing.Matching;

/// <summary>One queue in the router: its waiting calls in service order and its free eligible agents in selection order.</summary>
internal sealed class IndexedQueue
{
    public IndexedQueue(QueueDefinition definition)
    {
        Definition = definition;
        Target = RoutingExpression.Parse(definition.TargetWorkers, ExpressionScope.Worker);
        OrderBy = definition.Selection == AgentSelection.OrderBy && !string.IsNullOrWhiteSpace(definition.OrderBy)
            ? OrderBySpec.Parse(definition.OrderBy)
            : null;
        Calls = new SortedSet<IndexedCall>(CallOrder.For(definition.TaskOrder));
        FreeAgents = new SortedSet<IndexedAgent>(AgentOrder.For(this));
    }

    public QueueDefinition Definition { get; }

    public string Id => Definition.Id;

    public RoutingExpression Target { get; }

    public OrderBySpec? OrderBy { get; }

    public SortedSet<IndexedCall> Calls { get; }

    public SortedSet<IndexedAgent> FreeAgents { get; }

    public HashSet<IndexedAgent> Members { get; } = [];

    public Dictionary<string, int> MembersByActivity { get; } = new(StringComparer.Ordinal);

    /// <summary>Recent handle time of calls answered from this queue (talk, hold and wrap-up), seconds; see <see cref="WaitEstimate"/>.</summary>
    public double HandleSeconds { get; set; } = WaitEstimate.DefaultHandleSeconds;

    public int HandleSamples { get; set; }

    public void CountActivity(string activity, int delta)
    {
        var count = MembersByActivity.GetValueOrDefault(activity) + delta;
        if (count == 0)
        {
            MembersByActivity.Remove(activity);
        }
        else
        {
            MembersByActivity[activity] = count;
        }
    }
}
