using Acd.Grains.Routing.Expressions;
using Acd.Grains.Routing.Matching;

namespace Acd.Grains.Routing.Workflows;

/// <summary>One routing step of a workflow filter (TaskRouter's target), compiled.</summary>
public sealed record RoutingTarget(
    string QueueId,
    int? Priority,
    int? TimeoutSeconds,
    RoutingExpression? Expression,
    string? KnownWorkerId,
    string? KnownWorkerFriendlyName,
    RoutingExpression? SkipIf,
    OrderBySpec? OrderBy,
    string? ScheduleId = null);

/// <summary>A filter: its expression over task attributes and its targets, tried in order.</summary>
public sealed record RoutingFilter(string Name, RoutingExpression? Expression, IReadOnlyList<RoutingTarget> Targets);

/// <summary>Where a call is in its workflow: filter index (-1 is the default filter) and target index.</summary>
[GenerateSerializer, Immutable, Alias("acd.RoutingStep")]
public sealed record RoutingStep([property: Id(0)] int Filter, [property: Id(1)] int Target);
