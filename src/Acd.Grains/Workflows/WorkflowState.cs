using Acd.Grains.Abstractions;

namespace Acd.Grains.Workflows;

[GenerateSerializer, Alias("acd.WorkflowState")]
public sealed record WorkflowState
{
    [Id(0)] public WorkflowDefinition? Definition { get; set; }
}
