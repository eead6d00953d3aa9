using System.Globalization;
using System.Text.Json;

namespace Acd.Grains.Routing.Expressions;

/// <summary>Which document a key is read from.</summary>
internal enum AttributeRoot
{
    /// <summary>The expression's own document: worker attributes in a queue, task attributes in a filter.</summary>
    Default,
    Task,
    Worker,
    /// <summary>TaskRouter's <c>taskrouter.currentTime</c> and friends (UTC, as TaskRouter defines them).</summary>
    Clock,
}

/// <summary>A dotted key with optional array indices, split once at compile time.</summary>
internal sealed class AttributePath
{
    private readonly object[] _segments; // string (property) or int (index)

    private AttributePath(string text, AttributeRoot root, object[] segments)
    {
        Text = text;
        Root = root;
        _segments = segments;
    }

    public string Text { get; }

    public AttributeRoot Root { get; }

    /// <summary>
    /// One of Acd's local keys this path may be: <c>acd.localTime</c>, <c>acd.localHour</c>, <c>acd.dayOfWeek</c>,
    /// <c>acd.holiday</c>, or <c>schedule.&lt;id&gt;</c> (with <see cref="Argument"/> the id). Where the evaluation has
    /// no such value (no local clock, no schedule of that id) the path reads attributes as before, so attributes that
    /// happen to be named so keep working.
    /// </summary>
    public string? LocalKey { get; private init; }

    public string? Argument { get; private init; }

    public static AttributePath Parse(string text, int position, bool prefixes)
    {
        var segments = new List<object>();
        foreach (var part in text.Split('.'))
        {
            var name = part;
            var bracket = name.IndexOf('[');
            var indices = new List<int>();
            if (bracket >= 0)
            {
                var rest = name[bracket..];
                name = name[..bracket];
                foreach (var idx in rest.Split('[', StringSplitOptions.RemoveEmptyEntries))
                {
                    indices.Add(int.Parse(idx.TrimEnd(']'), CultureInfo.InvariantCulture));
                }
            }
            if (name.Length == 0)
            {
                throw new ExpressionException($"Bad key '{text}'", position);
            }
            segments.Add(name);
            segments.AddRange(indices.Cast<object>());
        }

        var root = AttributeRoot.Default;
        if (segments.Count > 1 && segments[0] is string first)
        {
            if (first == "taskrouter")
            {
                root = AttributeRoot.Clock;
                segments.RemoveAt(0);
            }
            else if (prefixes && first == "task")
            {
                root = AttributeRoot.Task;
                segments.RemoveAt(0);
            }
            else if (prefixes && first == "worker")
            {
                root = AttributeRoot.Worker;
                segments.RemoveAt(0);
            }
        }
        var (localKey, argument) = segments switch
        {
            ["acd", string key] when key is "localTime" or "localHour" or "dayOfWeek" or "holiday" => (key, null),
            ["schedule", string id] => ("schedule", id),
            _ => ((string?)null, (string?)null),
        };
        return new AttributePath(text, root, [.. segments]) { LocalKey = localKey, Argument = argument };
    }

    public ExprValue Resolve(JsonElement document)
    {
        var current = document;
        foreach (var segment in _segments)
        {
            if (segment is string name)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                {
                    return ExprValue.Null;
                }
            }
            else
            {
                var index = (int)segment;
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return ExprValue.Null;
                }
                current = current[index];
            }
        }
        return ExprValue.FromJson(current);
    }

    public ExprValue ResolveClock(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return _segments is [string key] ? key switch
        {
            "currentTime" => ExprValue.FromNumber((utc.Hour * 100) + utc.Minute),
            "currentHour" => ExprValue.FromNumber(utc.Hour),
            "currentMin" => ExprValue.FromNumber(utc.Minute),
            "dayOfWeek" => ExprValue.FromString(utc.DayOfWeek.ToString()[..3]),
            _ => ExprValue.Null,
        } : ExprValue.Null;
    }
}
