using System.Text.Json;

namespace Acd.Grains.Routing.Expressions;

/// <summary>What an expression is evaluated against.</summary>
public readonly struct ExpressionContext
{
    /// <summary>Task (call) attributes.</summary>
    public JsonElement Task { get; init; }

    /// <summary>Worker (agent) attributes.</summary>
    public JsonElement Worker { get; init; }

    /// <summary>For TaskRouter's <c>taskrouter.*</c> time-of-day keys.</summary>
    public DateTimeOffset Now { get; init; }

    /// <summary>Acd's own keys in local time (<c>acd.localTime</c>, <c>schedule.&lt;id&gt;</c>), where the caller has them.</summary>
    public Schedules.LocalClock? Local { get; init; }
}

/// <summary>A node of a compiled expression. Paths are split and constants parsed once, at compile time.</summary>
internal abstract class ExpressionNode
{
    public abstract ExprValue Evaluate(in ExpressionContext context, AttributeRoot defaultRoot);

    public bool IsTrue(in ExpressionContext context, AttributeRoot defaultRoot) => Evaluate(context, defaultRoot).Boolean;

    public virtual void Visit(Action<ExpressionNode> visitor) => visitor(this);
}

internal sealed class ConstantNode(ExprValue value) : ExpressionNode
{
    public ExprValue Value { get; } = value;

    public override ExprValue Evaluate(in ExpressionContext context, AttributeRoot defaultRoot) => Value;
}

internal sealed class PathNode(AttributePath path) : ExpressionNode
{
    public AttributePath Path { get; } = path;

    public override ExprValue Evaluate(in ExpressionContext context, AttributeRoot defaultRoot)
    {
        if (context.Local is { } local && Path.LocalKey is { } key && local.Resolve(key, Path.Argument, context.Now) is { } value)
        {
            return value;
        }
        var root = Path.Root == AttributeRoot.Default ? defaultRoot : Path.Root;
        return root switch
        {
            AttributeRoot.Task => Path.Resolve(context.Task),
            AttributeRoot.Worker => Path.Resolve(context.Worker),
            AttributeRoot.Clock => Path.ResolveClock(context.Now),
            _ => ExprValue.Null,
        };
    }
}

internal sealed class ListNode(ExpressionNode[] items) : ExpressionNode
{
    public override ExprValue Evaluate(in ExpressionContext context, AttributeRoot defaultRoot)
    {
        var values = new ExprValue[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            values[i] = items[i].Evaluate(context, defaultRoot);
        }
        return ExprValue.FromList(values);
    }

    public override void Visit(Action<ExpressionNode> visitor)
    {
        visitor(this);
        foreach (var item in items)
        {
            item.Visit(visitor);
        }
    }
}

internal sealed class NotNode(ExpressionNode operand) : ExpressionNode
{
    public override ExprValue Evaluate(in ExpressionContext context, AttributeRoot defaultRoot) =>
        ExprValue.FromBoolean(!operand.IsTrue(context, defaultRoot));

    public override void Visit(Action<ExpressionNode> visitor)
    {
        visitor(this);
        operand.Visit(visitor);
    }
}

/// <summary>A chain of ANDs or of ORs, as one node: evaluated in a loop, short-circuiting, whatever its length.</summary>
internal sealed class LogicalNode(bool isAnd, ExpressionNode[] operands) : ExpressionNode
{
    public override ExprValue Evaluate(in ExpressionContext context, AttributeRoot defaultRoot)
    {
        foreach (var operand in operands)
        {
            if (operand.IsTrue(context, defaultRoot) != isAnd)
            {
                return ExprValue.FromBoolean(!isAnd);
            }
        }
        return ExprValue.FromBoolean(isAnd);
    }

    public override void Visit(Action<ExpressionNode> visitor)
    {
        visitor(this);
        foreach (var operand in operands)
        {
            operand.Visit(visitor);
        }
    }
}

internal sealed class ComparisonNode(TokenKind op, ExpressionNode left, ExpressionNode right) : ExpressionNode
{
    public override ExprValue Evaluate(in ExpressionContext context, AttributeRoot defaultRoot)
    {
        var l = left.Evaluate(context, defaultRoot);
        var r = right.Evaluate(context, defaultRoot);
        return ExprValue.FromBoolean(Apply(op, l, r));
    }

    public override void Visit(Action<ExpressionNode> visitor)
    {
        visitor(this);
        left.Visit(visitor);
        right.Visit(visitor);
    }

    internal static bool Apply(TokenKind op, in ExprValue l, in ExprValue r)
    {
        switch (op)
        {
            case TokenKind.Equal:
                return ExprValue.AreEqual(l, r);
            case TokenKind.NotEqual:
                return !ExprValue.AreEqual(l, r);
            case TokenKind.Less:
                return ExprValue.Compare(l, r) is < 0;
            case TokenKind.LessOrEqual:
                return ExprValue.Compare(l, r) is <= 0;
            case TokenKind.Greater:
                return ExprValue.Compare(l, r) is > 0;
            case TokenKind.GreaterOrEqual:
                return ExprValue.Compare(l, r) is >= 0;
            case TokenKind.Has:
                // An array operator: list HAS value. TaskRouter's documentation makes an array operator on two scalars
                // false (`tier HAS 'gold'` on a scalar tier does not match).
                return l.Kind == ExprKind.Array && Any(l, r);
            case TokenKind.In:
                return r.Kind == ExprKind.Array && In(l, r);
            case TokenKind.NotIn:
                // A missing key is NOT IN any list; two scalars are not an array comparison at all (false).
                return r.Kind == ExprKind.Array && !In(l, r);
            case TokenKind.Contains:
                return Contains(l, r);
            default:
                throw new InvalidOperationException($"Not a comparison: {op}");
        }
    }

    private static bool Any(in ExprValue list, ExprValue item)
    {
        foreach (var element in list.Items())
        {
            if (ExprValue.AreEqual(element, item))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>value IN list (<paramref name="r"/> is a list); a list on the left is IN when any of its items is (intersection).</summary>
    private static bool In(in ExprValue l, in ExprValue r)
    {
        if (l.Kind == ExprKind.Null)
        {
            return false;
        }
        if (l.Kind == ExprKind.Array)
        {
            foreach (var item in l.Items())
            {
                if (Any(r, item))
                {
                    return true;
                }
            }
            return false;
        }
        return Any(r, l);
    }

    /// <summary>
    /// string CONTAINS substring: a scalar operator, so a list on either side is false (TaskRouter's documentation: scalar
    /// operators on arrays are false; `skills CONTAINS 'sales'` on a list of skills does not match; use HAS).
    /// </summary>
    private static bool Contains(in ExprValue l, in ExprValue r) =>
        l.Kind == ExprKind.String && r.Kind == ExprKind.String && l.Text!.Contains(r.Text!, StringComparison.Ordinal);
}
