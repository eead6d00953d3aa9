using System.Text.Json;
using System.Text.RegularExpressions;

namespace Acd.Twilio.Fake;

/// <summary>
/// Checks requests against Twilio's own OpenAPI description of the 2010-04-01 API (twilio/twilio-oai): the path,
/// the method, parameter names, required parameters, enum values and simple types. A request that fails is one
/// real Twilio would reject, and the fake answers it 400 as Twilio does.
/// </summary>
public sealed class OpenApiCheck
{
    private readonly List<(Regex Pattern, string Template, JsonElement Item)> _paths = [];
    private readonly JsonElement _schemas;

    private OpenApiCheck(JsonElement root)
    {
        _schemas = root.GetProperty("components").GetProperty("schemas");
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(path.Name), @"\\\{[^}]+}", "[^/]+") + "$";
            _paths.Add((new Regex(pattern), path.Name, path.Value));
        }
    }

    /// <summary>Where the description lives: <c>ACD_TWILIO_OPENAPI</c>, else <c>../shared/twilio/</c> above the working tree.</summary>
    public static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable("ACD_TWILIO_OPENAPI");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "twilio", "twilio_api_v2010.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    public static OpenApiCheck? Load()
    {
        var path = Locate();
        if (path is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new OpenApiCheck(document.RootElement.Clone());
    }

    /// <summary>What is wrong with a request, or an empty list.</summary>
    public IReadOnlyList<string> Check(string method, string path, IEnumerable<KeyValuePair<string, string>> form, IEnumerable<KeyValuePair<string, string>> query)
    {
        var problems = new List<string>();
        var match = _paths.FirstOrDefault(p => p.Pattern.IsMatch(path));
        if (match.Template is null)
        {
            return [$"{method} {path}: no such path in Twilio's API"];
        }
        if (!match.Item.TryGetProperty(method.ToLowerInvariant(), out var operation))
        {
            return [$"{method} {match.Template}: method not allowed"];
        }

        if (operation.TryGetProperty("requestBody", out var body))
        {
            var schema = body.GetProperty("content").GetProperty("application/x-www-form-urlencoded").GetProperty("schema");
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            var given = form.ToList();
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                {
                    if (given.All(g => g.Key != name))
                    {
                        problems.Add($"{method} {match.Template}: required parameter {name} is missing");
                    }
                }
            }
            foreach (var (name, value) in given)
            {
                if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(name, out var property))
                {
                    problems.Add($"{method} {match.Template}: unknown parameter {name}");
                    continue;
                }
                CheckValue(problems, $"{method} {match.Template}: {name}", property, value);
            }
        }
        else if (form.Any())
        {
            problems.Add($"{method} {match.Template}: takes no form parameters");
        }

        var allowed = operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(x => x.GetProperty("in").GetString() == "query").ToDictionary(x => x.GetProperty("name").GetString()!, x => x)
            : [];
        foreach (var (name, value) in query)
        {
            if (!allowed.TryGetValue(name, out var parameter))
            {
                problems.Add($"{method} {match.Template}: unknown query parameter {name}");
                continue;
            }
            CheckValue(problems, $"{method} {match.Template}: {name}", parameter.GetProperty("schema"), value);
        }
        return problems;
    }

    private void CheckValue(List<string> problems, string where, JsonElement schema, string value)
    {
        schema = Resolve(schema);
        if (schema.TryGetProperty("type", out var type) && type.GetString() == "array" && schema.TryGetProperty("items", out var items))
        {
            schema = Resolve(items);
        }
        if (schema.TryGetProperty("enum", out var values) && values.EnumerateArray().All(v => v.GetString() != value))
        {
            problems.Add($"{where}: '{value}' is not one of {string.Join(", ", values.EnumerateArray().Select(v => v.GetString()))}");
        }
        var kind = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (kind == "integer" && !long.TryParse(value, out _))
        {
            problems.Add($"{where}: '{value}' is not an integer");
        }
        if (kind == "boolean" && value is not ("true" or "false" or "True" or "False"))
        {
            problems.Add($"{where}: '{value}' is not a boolean");
        }
        if (schema.TryGetProperty("format", out var format) && format.GetString() == "uri" && !Uri.TryCreate(value, UriKind.Absolute, out _))
        {
            problems.Add($"{where}: '{value}' is not an absolute URI");
        }
    }

    private JsonElement Resolve(JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            schema = _schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }
        return schema;
    }
}
