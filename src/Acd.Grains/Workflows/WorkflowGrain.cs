using Acd.Grains.Infrastructure;
using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Workspace;

namespace Acd.Grains.Workflows;

public sealed class WorkflowGrain(
    [PersistentState("workflow", "acd")] IPersistentState<WorkflowState> state,
    IGrainFactory grains) : Grain, IWorkflowGrain
{
    private string Id => this.GetPrimaryKeyString();

    public async Task<Outcome<WorkflowDefinition>> ConfigureAsync(WorkflowDefinition definition)
    {
        if (definition.Id != Id || !Ids.IsValid(definition.Id))
        {
            return Problem.Invalid("id", Ids.Rule);
        }
        if (definition.TaskReservationTimeout is < 1 or > 600)
        {
            return Problem.Invalid("task_reservation_timeout", "Must be between 1 and 600 seconds");
        }
        WorkflowPlan plan;
        try
        {
            plan = WorkflowPlans.Get(definition);
        }
        catch (ConfigurationException e)
        {
            return Problem.Invalid(e.Field, e.Message);
        }
        var queues = new List<(string, string)>();
        for (var i = 0; i < plan.Filters.Count; i++)
        {
            for (var t = 0; t < plan.Filters[i].Targets.Count; t++)
            {
                queues.Add(($"configuration.task_routing.filters[{i}].targets[{t}].queue", plan.Filters[i].Targets[t].QueueId));
            }
        }
        foreach (var target in plan.DefaultFilter?.Targets ?? [])
        {
            queues.Add(("configuration.task_routing.default_filter.queue", target.QueueId));
        }
        for (var i = -1; i < plan.Filters.Count; i++)
        {
            var targets = i < 0 ? plan.DefaultFilter?.Targets ?? [] : plan.Filters[i].Targets;
            for (var t = 0; t < targets.Count; t++)
            {
                if (targets[t].ScheduleId is { } scheduleId && await grains.GetGrain<Schedules.IScheduleGrain>(scheduleId).GetAsync() is null)
                {
                    var field = i < 0 ? "configuration.task_routing.default_filter" : $"configuration.task_routing.filters[{i}]";
                    return Problem.Invalid($"{field}.targets[{t}].schedule", $"No schedule '{scheduleId}'");
                }
            }
        }
        var registered = await grains.Workspace().RegisterWorkflowAsync(Id, queues);
        if (!registered.Ok)
        {
            return registered.Problem!;
        }
        if (state.State.Definition != definition)
        {
            state.State.Definition = definition;
            await state.PersistAsync(this);
        }
        return definition;
    }

    public Task<WorkflowDefinition?> GetAsync() => Task.FromResult(state.State.Definition);

    public async Task<Outcome<bool>> DeleteAsync()
    {
        if (state.State.Definition is null)
        {
            return Problem.NotFound($"No workflow '{Id}'");
        }
        await grains.Workspace().UnregisterWorkflowAsync(Id);
        await state.ClearAsync(this);
        state.State = new WorkflowState();
        return true;
    }
}
