using System.Collections.Concurrent;
using System.Text.Json;

namespace Acd.Grains.Routing.Expressions;

/// <summary>Which document unprefixed keys refer to.</summary>
public enum ExpressionScope
{
    /// <summary>A queue's <c>target_workers</c>: keys are worker attributes.</summary>
    Worker,

    /// <summary>A workflow filter: keys are task (call) attributes.</summary>
    Task,

    /// <summary>A workflow target's worker expression: <c>task.</c> and <c>worker.</c> prefixes; bare keys are the worker's.</summary>
    Target,
}

/// <summary>
/// A TaskRouter expression, parsed and compiled once, evaluated many times.
/// Parse errors surface when the expression is configured (<see cref="ExpressionException"/> with the position).
/// </summary>
public sealed class RoutingExpression
{
    /// <summary>Compiled expressions by source; bounded, since clients choose the sources (a full cache starts over).</summary>
    private static readonly ConcurrentDictionary<(string, ExpressionScope), RoutingExpression> Cache = new();

    private const int CacheLimit = 4096;

    private readonly ExpressionNode _root;
    private readonly AttributeRoot _defaultRoot;

    private RoutingExpression(string source, ExpressionScope scope)
    {
        Source = source;
        Scope = scope;
        _root = Parser.Parse(source, scope == ExpressionScope.Target);
        _defaultRoot = scope == ExpressionScope.Task ? AttributeRoot.Task : AttributeRoot.Worker;

        var usesTask = false;
        var usesWorker = false;
        var usesClock = false;
        var hasPath = false;
        var schedules = new List<string>();
        _root.Visit(node =>
        {
            if (node is PathNode p)
            {
                hasPath = true;
                usesClock |= p.Path.LocalKey is not null;
                if (p.Path is { LocalKey: "schedule", Argument: { } scheduleId } && !schedules.Contains(scheduleId))
                {
                    schedules.Add(scheduleId);
                }
                var root = p.Path.Root == AttributeRoot.Default ? _defaultRoot : p.Path.Root;
                usesTask |= root == AttributeRoot.Task;
                usesWorker |= root == AttributeRoot.Worker;
                usesClock |= root == AttributeRoot.Clock;
            }
        });
        UsesTask = usesTask;
        UsesWorker = usesWorker;
        IsConstant = !hasPath;
        IsMatchAll = IsConstant && _root.IsTrue(default, _defaultRoot);
        UsesClock = usesClock;
        ScheduleIds = schedules;
    }

    /// <summary>The schedules the expression may read (<c>schedule.&lt;id&gt;</c>): their state goes in its <see cref="ExpressionContext.Local"/>.</summary>
    public IReadOnlyList<string> ScheduleIds { get; }

    public string Source { get; }

    public ExpressionScope Scope { get; }

    /// <summary>True when the expression reads task attributes (then it must be evaluated per call).</summary>
    public bool UsesTask { get; }

    public bool UsesWorker { get; }

    public bool UsesClock { get; }

    /// <summary>No keys at all: the value never changes.</summary>
    public bool IsConstant { get; }

    /// <summary>A constant true, such as TaskRouter's <c>1==1</c>.</summary>
    public bool IsMatchAll { get; }

    /// <summary>Parses and compiles; identical sources share one compiled instance.</summary>
    public static RoutingExpression Parse(string source, ExpressionScope scope)
    {
        if (Cache.TryGetValue((source, scope), out var known))
        {
            return known;
        }
        var compiled = new RoutingExpression(source, scope);
        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }
        return Cache.GetOrAdd((source, scope), compiled);
    }

    /// <summary>Validates without keeping anything; returns the error or null.</summary>
    public static ExpressionException? Check(string source, ExpressionScope scope)
    {
        try
        {
            Parse(source, scope);
            return null;
        }
        catch (ExpressionException e)
        {
            return e;
        }
    }

    public bool Matches(in ExpressionContext context) => _root.IsTrue(context, _defaultRoot);

    /// <summary>Evaluates against one document (worker attributes for a queue, task attributes for a filter).</summary>
    public bool Matches(JsonElement document, DateTimeOffset now = default, Schedules.LocalClock? local = null) => Scope switch
    {
        ExpressionScope.Task => _root.IsTrue(new ExpressionContext { Task = document, Now = now, Local = local }, _defaultRoot),
        _ => _root.IsTrue(new ExpressionContext { Worker = document, Now = now, Local = local }, _defaultRoot),
    };

    public override string ToString() => Source;
}
