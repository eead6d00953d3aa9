using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;
using Acd.Grains.Routing.Matching;

namespace Acd.Grains.Routing.Workflows;

/// <summary>
/// A workflow's <c>task_routing</c> compiled: filters tried in order against the call's attributes, the first
/// that matches supplies targets; a call whose targets are exhausted (skipped or timed out) falls through to
/// later matching filters and finally <c>default_filter</c>, as TaskRouter does with skipped filters.
/// </summary>
public sealed class WorkflowPlan
{
    private WorkflowPlan(IReadOnlyList<RoutingFilter> filters, RoutingFilter? defaultFilter)
    {
        Filters = filters;
        DefaultFilter = defaultFilter;
    }

    public IReadOnlyList<RoutingFilter> Filters { get; }

    public RoutingFilter? DefaultFilter { get; }

    public IEnumerable<string> QueueIds =>
        Filters.SelectMany(f => f.Targets).Concat(DefaultFilter?.Targets ?? []).Select(t => t.QueueId).Distinct();

    /// <summary>Parses TaskRouter's workflow configuration JSON; errors name the field.</summary>
    public static WorkflowPlan Parse(string configurationJson)
    {
        JsonElement root;
        try
        {
            root = Json.ParseElement(configurationJson);
        }
        catch (JsonException e)
        {
            throw new ConfigurationException("configuration", $"Not valid JSON: {e.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("task_routing", out var routing) || routing.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException("configuration.task_routing", "Required: an object with 'filters' and/or 'default_filter'");
        }

        var filters = new List<RoutingFilter>();
        if (routing.TryGetProperty("filters", out var filterArray))
        {
            if (filterArray.ValueKind != JsonValueKind.Array)
            {
                throw new ConfigurationException("configuration.task_routing.filters", "Must be an array");
            }
            var i = 0;
            foreach (var filter in filterArray.EnumerateArray())
            {
                filters.Add(ParseFilter(filter, $"configuration.task_routing.filters[{i}]"));
                i++;
            }
        }

        RoutingFilter? defaultFilter = null;
        if (routing.TryGetProperty("default_filter", out var df) && df.ValueKind != JsonValueKind.Null)
        {
            const string field = "configuration.task_routing.default_filter";
            defaultFilter = df.ValueKind switch
            {
                JsonValueKind.Object when df.TryGetProperty("targets", out _) => ParseFilter(df, field) with { Name = "default" },
                JsonValueKind.Object => new RoutingFilter("default", null, [ParseTarget(df, field)]),
                _ => throw new ConfigurationException(field, "Must be an object such as {\"queue\": \"support\"}"),
            };
        }

        if (filters.Count == 0 && defaultFilter is null)
        {
            throw new ConfigurationException("configuration.task_routing", "Needs at least one filter or a default_filter");
        }
        return new WorkflowPlan(filters, defaultFilter);
    }

    /// <summary>The first step for a call with these attributes, or null when nothing matches and there is no default.</summary>
    public (RoutingStep Step, RoutingTarget Target, string FilterName)? First(JsonElement task, DateTimeOffset now, Schedules.LocalClock? local = null) =>
        FromFilter(0, task, now, local);

    /// <summary>The schedules the filters' expressions read (<c>schedule.&lt;id&gt;</c>).</summary>
    public IReadOnlyList<string> ScheduleIds => _scheduleIds ??= [.. Filters.Concat(DefaultFilter is null ? [] : [DefaultFilter])
        .SelectMany(f => (f.Expression?.ScheduleIds ?? []).Concat(f.Targets.Select(t => t.ScheduleId).OfType<string>())).Distinct()];

    private IReadOnlyList<string>? _scheduleIds;

    /// <summary>The step after <paramref name="current"/>, or null when the workflow has nothing further.</summary>
    public (RoutingStep Step, RoutingTarget Target, string FilterName)? Next(RoutingStep current, JsonElement task, DateTimeOffset now, Schedules.LocalClock? local = null)
    {
        var filter = FilterAt(current.Filter);
        if (filter is not null && current.Target + 1 < filter.Targets.Count)
        {
            var step = current with { Target = current.Target + 1 };
            return (step, filter.Targets[step.Target], filter.Name);
        }
        return current.Filter < 0 ? null : FromFilter(current.Filter + 1, task, now, local);
    }

    public RoutingTarget? TargetAt(RoutingStep step)
    {
        var filter = FilterAt(step.Filter);
        return filter is not null && step.Target < filter.Targets.Count ? filter.Targets[step.Target] : null;
    }

    public string? FilterNameAt(RoutingStep step) => FilterAt(step.Filter)?.Name;

    private RoutingFilter? FilterAt(int index) =>
        index < 0 ? DefaultFilter : index < Filters.Count ? Filters[index] : null;

    private (RoutingStep, RoutingTarget, string)? FromFilter(int start, JsonElement task, DateTimeOffset now, Schedules.LocalClock? local)
    {
        for (var i = start; i < Filters.Count; i++)
        {
            var filter = Filters[i];
            if (filter.Targets.Count > 0 && (filter.Expression is null || filter.Expression.Matches(task, now, local)))
            {
                return (new RoutingStep(i, 0), filter.Targets[0], filter.Name);
            }
        }
        if (DefaultFilter is { Targets.Count: > 0 } d)
        {
            return (new RoutingStep(-1, 0), d.Targets[0], d.Name);
        }
        return null;
    }

    private static RoutingFilter ParseFilter(JsonElement filter, string field)
    {
        if (filter.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException(field, "Must be an object");
        }
        var name = OptionalString(filter, "filter_friendly_name", field) ?? OptionalString(filter, "friendly_name", field) ?? field;
        var expressionText = OptionalString(filter, "expression", field);
        var expression = expressionText is null ? null : Compile(expressionText, ExpressionScope.Task, $"{field}.expression");
        var targets = new List<RoutingTarget>();
        if (!filter.TryGetProperty("targets", out var targetArray) || targetArray.ValueKind != JsonValueKind.Array || targetArray.GetArrayLength() == 0)
        {
            throw new ConfigurationException($"{field}.targets", "Required: a non-empty array of targets");
        }
        var t = 0;
        foreach (var target in targetArray.EnumerateArray())
        {
            targets.Add(ParseTarget(target, $"{field}.targets[{t}]"));
            t++;
        }
        return new RoutingFilter(name, expression, targets);
    }

    private static RoutingTarget ParseTarget(JsonElement target, string field)
    {
        if (target.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException(field, "Must be an object");
        }
        var queue = OptionalString(target, "queue", field);
        if (string.IsNullOrWhiteSpace(queue))
        {
            throw new ConfigurationException($"{field}.queue", "Required: the id of a queue");
        }
        var priority = OptionalInt(target, "priority", field, min: int.MinValue);
        var timeout = OptionalInt(target, "timeout", field, min: 1);
        var expressionText = OptionalString(target, "expression", field);
        var skipIfText = OptionalString(target, "skip_if", field);
        var orderByText = OptionalString(target, "order_by", field);
        OrderBySpec? orderBy = null;
        if (orderByText is not null)
        {
            try
            {
                orderBy = OrderBySpec.Parse(orderByText);
            }
            catch (ExpressionException e)
            {
                throw new ConfigurationException($"{field}.order_by", e.Message);
            }
        }
        var knownId = OptionalString(target, "known_worker_id", field) ?? OptionalString(target, "known_worker_sid", field);
        var knownName = OptionalString(target, "known_worker_friendly_name", field);
        var schedule = OptionalString(target, "schedule", field);
        return new RoutingTarget(
            queue,
            priority,
            timeout,
            expressionText is null ? null : Compile(expressionText, ExpressionScope.Target, $"{field}.expression"),
            knownId,
            knownName,
            skipIfText is null ? null : Compile(skipIfText, ExpressionScope.Worker, $"{field}.skip_if"),
            orderBy,
            string.IsNullOrWhiteSpace(schedule) ? null : schedule);
    }

    /// <summary>Known-agent targets name a task attribute (<c>task.agent_id</c>), as TaskRouter's do, or an agent id directly.</summary>
    public static string? ResolveKnownWorker(string? reference, JsonElement task)
    {
        if (reference is null)
        {
            return null;
        }
        if (!reference.StartsWith("task.", StringComparison.Ordinal))
        {
            return reference.Trim('\'', '"');
        }
        var value = AttributePath.Parse(reference, 0, prefixes: true).Resolve(task);
        return value.Kind switch
        {
            ExprKind.String => value.Text,
            ExprKind.Number => value.ToString(),
            _ => null,
        };
    }

    private static RoutingExpression Compile(string text, ExpressionScope scope, string field)
    {
        try
        {
            return RoutingExpression.Parse(text, scope);
        }
        catch (ExpressionException e)
        {
            throw new ConfigurationException(field, e.Message);
        }
    }

    private static string? OptionalString(JsonElement obj, string name, string field)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ConfigurationException($"{field}.{name}", "Must be a string");
        }
        return value.GetString();
    }

    private static int? OptionalInt(JsonElement obj, string name, string field, int min)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min)
        {
            throw new ConfigurationException($"{field}.{name}", min > int.MinValue ? $"Must be an integer ≥ {min}" : "Must be an integer");
        }
        return number;
    }

}
