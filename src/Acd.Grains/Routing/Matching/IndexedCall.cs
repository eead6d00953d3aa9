using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;

namespace Acd.Grains.Routing.Matching;

/// <summary>A waiting call with its per-call worker filter (target expression, known worker) compiled.</summary>
internal sealed class IndexedCall
{
    public IndexedCall(WaitingCall call, IndexedQueue queue)
    {
        Call = call;
        Queue = queue;
        if (call.TargetExpression is { } expression && !string.IsNullOrWhiteSpace(expression))
        {
            var compiled = RoutingExpression.Parse(expression, ExpressionScope.Target);
            if (!compiled.IsMatchAll)
            {
                Filter = compiled;
            }
        }
        if (Filter?.UsesTask == true || call.TaskAttributesJson is not null)
        {
            TaskAttributes = Json.ParseElement(call.TaskAttributesJson ?? "{}");
        }
        if (!string.IsNullOrWhiteSpace(call.OrderBy))
        {
            OrderBy = OrderBySpec.Parse(call.OrderBy);
        }
    }

    public WaitingCall Call { get; }

    public IndexedQueue Queue { get; }

    public string Id => Call.CallId;

    public RoutingExpression? Filter { get; }

    public JsonElement TaskAttributes { get; }

    public OrderBySpec? OrderBy { get; }

    public bool HasAgentFilter => Filter is not null || Call.KnownWorkerId is not null || Call.KnownWorkerFriendlyName is not null
        || Call.ExcludedAgents is { Count: > 0 };

    public bool Accepts(IndexedAgent agent, DateTimeOffset now)
    {
        if (Call.ExcludedAgents is { Count: > 0 } excluded && excluded.Contains(agent.Id))
        {
            return false; // declined this call already (TaskRouter does not reserve a worker again for a task it rejected)
        }
        if (Call.KnownWorkerId is { } known && agent.Id != known)
        {
            return false;
        }
        if (Call.KnownWorkerFriendlyName is { } name && agent.Snapshot.FriendlyName != name)
        {
            return false;
        }
        return Filter is null || Filter.Matches(new ExpressionContext { Task = TaskAttributes, Worker = agent.Attributes, Now = now });
    }
}
