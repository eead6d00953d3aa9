using System.Text.Json;
using System.Text.Json.Serialization;

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
    }

    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    /// <summary>TaskRouter sends attributes and configuration as JSON strings; Acd accepts that or a plain object.</summary>
    public static string? ObjectText(JsonElement? element, string field, out string? error)
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
