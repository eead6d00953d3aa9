using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

/// <summary>
/// The workspace (key <c>default</c>): its activities, and the registry of queues, workflows and agents with
/// the references between them, so that cross-checks (a workflow naming a queue, a queue being deleted) are atomic.
/// </summary>
[Alias("acd.IWorkspaceGrain")]
public interface IWorkspaceGrain : IGrainWithStringKey
{
    /// <summary>Built-in activities first, then configured ones.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<ActivityDefinition>> GetActivitiesAsync();

    /// <summary>Adds or changes a configured activity. Built-ins cannot change their availability.</summary>
    Task<Outcome<ActivityDefinition>> SetActivityAsync(ActivityDefinition activity);

    /// <summary>Removes a configured activity that no agent is in.</summary>
    Task<Outcome<bool>> RemoveActivityAsync(string name);

    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> GetQueueIdsAsync();

    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> GetWorkflowIdsAsync();

    Task RegisterQueueAsync(string queueId);

    /// <summary>Forgets a queue unless a workflow still routes to it (then the problem names that workflow).</summary>
    Task<Outcome<bool>> UnregisterQueueAsync(string queueId);

    /// <summary>Records a workflow and the queues it routes to; fails naming the field of a queue that does not exist.</summary>
    Task<Outcome<bool>> RegisterWorkflowAsync(string workflowId, IReadOnlyList<(string Field, string QueueId)> queues);

    Task UnregisterWorkflowAsync(string workflowId);

    [ReadOnly, AlwaysInterleave]
    Task<IReadOnlyList<string>> GetScheduleIdsAsync();

    Task RegisterScheduleAsync(string scheduleId);

    Task UnregisterScheduleAsync(string scheduleId);
}
