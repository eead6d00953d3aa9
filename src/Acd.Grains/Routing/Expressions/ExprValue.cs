using System.Globalization;
using System.Text.Json;

namespace Acd.Grains.Routing.Expressions;

internal enum ExprKind
{
    Null,
    String,
    Number,
    Boolean,
    Array,
    Object,
}

/// <summary>
/// One value during evaluation: a constant, or a piece of an attribute document.
/// Arrays are either a literal list or a JSON array, read without copying.
/// </summary>
internal readonly struct ExprValue
{
    public static ExprValue Null => default;

    private ExprValue(ExprKind kind, string? text = null, double number = 0, JsonElement json = default, ExprValue[]? list = null)
    {
        Kind = kind;
        Text = text;
        Number = number;
        Json = json;
        List = list;
    }

    public ExprKind Kind { get; }

    public string? Text { get; }

    public double Number { get; }

    public JsonElement Json { get; }

    public ExprValue[]? List { get; }

    public bool Boolean => Kind == ExprKind.Boolean && Number != 0;

    public static ExprValue FromString(string s) => new(ExprKind.String, text: s);

    public static ExprValue FromNumber(double d) => new(ExprKind.Number, number: d);

    public static ExprValue FromBoolean(bool b) => new(ExprKind.Boolean, number: b ? 1 : 0);

    public static ExprValue FromList(ExprValue[] items) => new(ExprKind.Array, list: items);

    public static ExprValue FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => FromString(e.GetString()!),
        JsonValueKind.Number => FromNumber(e.GetDouble()),
        JsonValueKind.True => FromBoolean(true),
        JsonValueKind.False => FromBoolean(false),
        JsonValueKind.Array => new(ExprKind.Array, json: e),
        JsonValueKind.Object => new(ExprKind.Object, json: e),
        _ => Null,
    };

    public IEnumerable<ExprValue> Items()
    {
        if (List is not null)
        {
            foreach (var item in List)
            {
                yield return item;
            }
        }
        else if (Kind == ExprKind.Array)
        {
            foreach (var item in Json.EnumerateArray())
            {
                yield return FromJson(item);
            }
        }
    }

    /// <summary>
    /// Equality as TaskRouter users expect it: numbers numerically, strings ordinally (case-sensitive).
    /// A string that reads as a number equals that number, because webhook attributes arrive as text
    /// (Twilio's <c>Digits=1</c> must match <c>digits == 1</c>).
    /// </summary>
    public static bool AreEqual(in ExprValue a, in ExprValue b)
    {
        if (a.Kind == ExprKind.Null || b.Kind == ExprKind.Null)
        {
            return a.Kind == b.Kind;
        }
        if (a.Kind == b.Kind)
        {
            return a.Kind switch
            {
                ExprKind.String => string.Equals(a.Text, b.Text, StringComparison.Ordinal),
                ExprKind.Number or ExprKind.Boolean => a.Number == b.Number,
                _ => false,
            };
        }
        return TryNumbers(a, b, out var x, out var y) && x == y;
    }

    /// <summary>Ordering for &lt; &gt; &lt;= &gt;=; null when the two cannot be ordered (then the comparison is false).</summary>
    public static int? Compare(in ExprValue a, in ExprValue b)
    {
        if (TryNumbers(a, b, out var x, out var y))
        {
            return x.CompareTo(y);
        }
        if (a.Kind == ExprKind.String && b.Kind == ExprKind.String)
        {
            return string.CompareOrdinal(a.Text, b.Text);
        }
        return null;
    }

    private static bool TryNumbers(in ExprValue a, in ExprValue b, out double x, out double y)
    {
        x = y = 0;
        return (a.Kind == ExprKind.Number || b.Kind == ExprKind.Number) && AsNumber(a, out x) && AsNumber(b, out y);
    }

    private static bool AsNumber(in ExprValue v, out double d)
    {
        switch (v.Kind)
        {
            case ExprKind.Number:
                d = v.Number;
                return true;
            case ExprKind.String:
                return double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out d);
            default:
                d = 0;
                return false;
        }
    }

    public override string ToString() => Kind switch
    {
        ExprKind.String => $"\"{Text}\"",
        ExprKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        ExprKind.Boolean => Boolean ? "true" : "false",
        ExprKind.Array or ExprKind.Object => List is not null ? $"[{string.Join(", ", List)}]" : Json.GetRawText(),
        _ => "null",
    };
}
