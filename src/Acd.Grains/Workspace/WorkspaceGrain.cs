using Acd.Grains.Infrastructure;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Workspace;

public sealed class WorkspaceGrain(
    [PersistentState("workspace", "acd")] IPersistentState<WorkspaceState> state,
    IGrainFactory grains) : Grain, IWorkspaceGrain
{
    private WorkspaceState S => state.State;

    public Task<IReadOnlyList<ActivityDefinition>> GetActivitiesAsync() =>
        Task.FromResult<IReadOnlyList<ActivityDefinition>>([.. Activities.BuiltIn, .. S.Activities]);

    public async Task<Outcome<ActivityDefinition>> SetActivityAsync(ActivityDefinition activity)
    {
        if (string.IsNullOrWhiteSpace(activity.Name) || activity.Name.Length > 64)
        {
            return Problem.Invalid("friendly_name", "Required: 1–64 characters");
        }
        if (Activities.BuiltIn.FirstOrDefault(a => a.Name == activity.Name) is { } builtIn)
        {
            return builtIn.Available == activity.Available
                ? builtIn
                : Problem.Conflict($"'{builtIn.Name}' is built in and its availability cannot change", "available");
        }
        var index = S.Activities.FindIndex(a => a.Name == activity.Name);
        if (index >= 0 && S.Activities[index] == activity)
        {
            return activity;
        }
        if (index >= 0)
        {
            if (await grains.GetGrain<IRouterGrain>(RouterGrainKey.Default).CountAgentsInActivityAsync(activity.Name) > 0)
            {
                return Problem.Conflict($"Agents are in '{activity.Name}': move them before changing its availability", "available");
            }
            S.Activities[index] = activity;
        }
        else
        {
            S.Activities.Add(activity);
        }
        await state.PersistAsync(this);
        return activity;
    }

    public async Task<Outcome<bool>> RemoveActivityAsync(string name)
    {
        if (Activities.IsBuiltIn(name))
        {
            return Problem.Conflict($"'{name}' is built in and cannot be deleted");
        }
        var index = S.Activities.FindIndex(a => a.Name == name);
        if (index < 0)
        {
            return Problem.NotFound($"No activity '{name}'");
        }
        var inUse = await grains.GetGrain<IRouterGrain>(RouterGrainKey.Default).CountAgentsInActivityAsync(name);
        if (inUse > 0)
        {
            return Problem.Conflict($"{inUse} agent(s) are in '{name}'");
        }
        S.Activities.RemoveAt(index);
        await state.PersistAsync(this);
        return true;
    }

    public Task<IReadOnlyList<string>> GetQueueIdsAsync() => Task.FromResult<IReadOnlyList<string>>([.. S.Queues]);

    public Task<IReadOnlyList<string>> GetWorkflowIdsAsync() => Task.FromResult<IReadOnlyList<string>>([.. S.Workflows]);

    public Task<IReadOnlyList<string>> GetScheduleIdsAsync() => Task.FromResult<IReadOnlyList<string>>([.. S.Schedules]);

    public async Task RegisterScheduleAsync(string scheduleId)
    {
        if (!S.Schedules.Contains(scheduleId))
        {
            S.Schedules.Add(scheduleId);
            await state.PersistAsync(this);
        }
    }

    public async Task UnregisterScheduleAsync(string scheduleId)
    {
        if (S.Schedules.Remove(scheduleId))
        {
            await state.PersistAsync(this);
        }
    }

    public async Task RegisterQueueAsync(string queueId)
    {
        if (!S.Queues.Contains(queueId))
        {
            S.Queues.Add(queueId);
            await state.PersistAsync(this);
        }
    }

    public async Task<Outcome<bool>> UnregisterQueueAsync(string queueId)
    {
        var user = S.WorkflowQueues.FirstOrDefault(w => w.Value.Contains(queueId)).Key;
        if (user is not null)
        {
            return Problem.Conflict($"Workflow '{user}' routes to queue '{queueId}'");
        }
        if (S.Queues.Remove(queueId))
        {
            await state.PersistAsync(this);
        }
        return true;
    }

    public async Task<Outcome<bool>> RegisterWorkflowAsync(string workflowId, IReadOnlyList<(string Field, string QueueId)> queues)
    {
        foreach (var (field, queueId) in queues)
        {
            if (!S.Queues.Contains(queueId))
            {
                return Problem.Invalid(field, $"No queue '{queueId}'");
            }
        }
        if (!S.Workflows.Contains(workflowId))
        {
            S.Workflows.Add(workflowId);
        }
        S.WorkflowQueues[workflowId] = [.. queues.Select(q => q.QueueId).Distinct()];
        await state.PersistAsync(this);
        return true;
    }

    public async Task UnregisterWorkflowAsync(string workflowId)
    {
        if (S.Workflows.Remove(workflowId) | S.WorkflowQueues.Remove(workflowId))
        {
            await state.PersistAsync(this);
        }
    }
}
