using Acd.Grains.Abstractions;

namespace Acd.Grains.Workspace;

[GenerateSerializer, Alias("acd.WorkspaceState")]
public sealed record WorkspaceState
{
    /// <summary>Configured activities besides the built-ins, in the order they were added.</summary>
    [Id(0)] public List<ActivityDefinition> Activities { get; set; } = [];

    [Id(1)] public List<string> Queues { get; set; } = [];

    /// <summary>Workflows in the order they were added: the first is the default for calls that name none.</summary>
    [Id(2)] public List<string> Workflows { get; set; } = [];

    /// <summary>Each workflow's queues, to refuse deleting a queue that is still routed to.</summary>
    [Id(3)] public Dictionary<string, List<string>> WorkflowQueues { get; set; } = [];

    /// <summary>Schedules of open hours, in the order they were added.</summary>
    [Id(4)] public List<string> Schedules { get; set; } = [];
}
