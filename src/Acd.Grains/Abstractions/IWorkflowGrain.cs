using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

/// <summary>A workflow (key: workflow id): TaskRouter's workflow configuration.</summary>
[Alias("acd.IWorkflowGrain")]
public interface IWorkflowGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the workflow; errors name the field (<c>configuration.task_routing.filters[0].expression</c>).</summary>
    Task<Outcome<WorkflowDefinition>> ConfigureAsync(WorkflowDefinition definition);

    [ReadOnly, AlwaysInterleave]
    Task<WorkflowDefinition?> GetAsync();

    Task<Outcome<bool>> DeleteAsync();
}
