namespace Acd.Grains.Abstractions;

/// <summary>
/// A workflow as configured: TaskRouter's workflow resource, with <see cref="Configuration"/> kept verbatim
/// (the <c>task_routing</c> JSON) so a TaskRouter user's file round-trips unchanged.
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.WorkflowDefinition")]
public sealed record WorkflowDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string FriendlyName,
    [property: Id(2)] int TaskReservationTimeout,
    [property: Id(3)] string Configuration);
