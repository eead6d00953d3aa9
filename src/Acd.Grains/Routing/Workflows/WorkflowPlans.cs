using System.Collections.Concurrent;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Routing.Workflows;

/// <summary>Compiled plans by definition, so a workflow is parsed once per silo however many calls it routes.</summary>
public static class WorkflowPlans
{
    private static readonly ConcurrentDictionary<WorkflowDefinition, WorkflowPlan> Cache = new();

    public static WorkflowPlan Get(WorkflowDefinition definition)
    {
        if (Cache.TryGetValue(definition, out var plan))
        {
            return plan;
        }
        plan = WorkflowPlan.Parse(definition.Configuration);
        if (Cache.Count > 1000)
        {
            Cache.Clear(); // definitions change rarely; a bound keeps old versions from piling up
        }
        return Cache[definition] = plan;
    }
}
