using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Acd.Api.Http;

/// <summary>Acd speaks TaskRouter's JSON: snake_case names, enums as snake_case strings.</summary>
public static class AcdJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // A misspelt or camelCase field (targetWorkers, prioirty) is a 400 naming it, not silently a default.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { AcceptTaskRouterReadOnlyFields } };
    }

    /// <summary>
    /// Fields TaskRouter returns but does not take (SIDs, links, dates, names it derives): a resource exported from
    /// TaskRouter, or read from Acd, can be sent back as it is; they are read and ignored.
    /// </summary>
    public static IReadOnlyList<string> TaskRouterReadOnlyFields { get; } =
    [
        "sid", "account_sid", "workspace_sid", "url", "links", "date_created", "date_updated", "date_status_changed",
        "activity_sid", "activity_name", "assignment_activity_sid", "assignment_activity_name", "reservation_activity_sid",
        "reservation_activity_name", "document_content_type",
    ];

    private static void AcceptTaskRouterReadOnlyFields(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || info.Type.Namespace?.StartsWith("Acd.Api", StringComparison.Ordinal) != true)
        {
            return;
        }
        foreach (var name in TaskRouterReadOnlyFields)
        {
            if (info.Properties.All(p => p.Name != name))
            {
                var ignored = info.CreateJsonPropertyInfo(typeof(JsonElement), name);
                ignored.Set = static (_, _) => { };
                info.Properties.Add(ignored);
            }
        }
    }

    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    /// <summary>
    /// TaskRouter sends attributes and configuration as JSON strings; Acd accepts that or a plain object, of at most
    /// <paramref name="maxBytes"/> (UTF-8) when given.
    /// </summary>
    public static string? ObjectText(JsonElement? element, string field, out string? error, int? maxBytes = null)
    {
        var text = ObjectText(element, field, out error);
        if (text is not null && maxBytes is { } max && max > 0 && System.Text.Encoding.UTF8.GetByteCount(text) is var size && size > max)
        {
            error = $"{field} is {size} bytes; at most {max} are taken (Acd:MaxAttributesBytes)";
            return null;
        }
        return text;
    }

    private static string? ObjectText(JsonElement? element, string field, out string? error)
    {
        error = null;
        if (element is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }
        if (e.ValueKind == JsonValueKind.String)
        {
            try
            {
                var parsed = Acd.Grains.Json.ParseElement(e.GetString()!);
                if (parsed.ValueKind == JsonValueKind.Object)
                {
                    return parsed.GetRawText();
                }
            }
            catch (JsonException)
            {
                // reported below
            }
            error = $"{field} must be a JSON object (or a string holding one)";
            return null;
        }
        if (e.ValueKind != JsonValueKind.Object)
        {
            error = $"{field} must be a JSON object";
            return null;
        }
        return e.GetRawText();
    }
}
