using System.Text.Json;
using Acd.Grains.Routing.Expressions;

namespace Acd.Grains.Routing.Matching;

/// <summary>
/// TaskRouter's <c>order_by</c>: comma-separated worker keys, each <c>ASC</c> or <c>DESC</c> (default ASC),
/// e.g. <c>worker.skills.billing DESC, worker.level ASC</c>. Agents without the key sort last.
/// </summary>
public sealed class OrderBySpec
{
    private readonly (AttributePath Path, bool Descending)[] _keys;

    private OrderBySpec(string source, (AttributePath, bool)[] keys)
    {
        Source = source;
        _keys = keys;
    }

    public string Source { get; }

    public static OrderBySpec Parse(string source)
    {
        var keys = new List<(AttributePath, bool)>();
        var offset = 0;
        foreach (var raw in source.Split(','))
        {
            var position = offset + (raw.Length - raw.TrimStart().Length);
            offset += raw.Length + 1;
            var words = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length is 0 or > 2)
            {
                throw new ExpressionException("Expected 'key [ASC|DESC]'", position);
            }
            var descending = false;
            if (words.Length == 2)
            {
                descending = words[1].ToUpperInvariant() switch
                {
                    "DESC" => true,
                    "ASC" => false,
                    _ => throw new ExpressionException($"Expected ASC or DESC, found '{words[1]}'", position + raw.Trim().IndexOf(words[1], StringComparison.Ordinal)),
                };
            }
            var key = words[0];
            if (key.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '.' or '[' or ']')))
            {
                throw new ExpressionException($"Bad key '{key}'", position);
            }
            var path = AttributePath.Parse(key.StartsWith("worker.", StringComparison.Ordinal) ? key : "worker." + key, position, prefixes: true);
            keys.Add((path, descending));
        }
        return new OrderBySpec(source, [.. keys]);
    }

    internal ExprValue[] KeyOf(JsonElement workerAttributes)
    {
        var values = new ExprValue[_keys.Length];
        for (var i = 0; i < _keys.Length; i++)
        {
            values[i] = _keys[i].Path.Resolve(workerAttributes);
        }
        return values;
    }

    /// <summary>Negative when <paramref name="a"/> is preferred.</summary>
    internal int Compare(ExprValue[] a, ExprValue[] b)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            var xNull = x.Kind is ExprKind.Null or ExprKind.Array or ExprKind.Object;
            var yNull = y.Kind is ExprKind.Null or ExprKind.Array or ExprKind.Object;
            if (xNull || yNull)
            {
                if (xNull != yNull)
                {
                    return xNull ? 1 : -1;
                }
                continue;
            }
            var c = ExprValue.Compare(x, y) ?? string.CompareOrdinal(x.ToString(), y.ToString());
            if (c != 0)
            {
                return _keys[i].Descending ? -c : c;
            }
        }
        return 0;
    }
}
