using System.Text.Json;

namespace Acd.Grains;

/// <summary>JSON helpers shared by the domain.</summary>
public static class Json
{
    /// <summary>Parses to a self-contained element (no pooled buffers to return).</summary>
    public static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static string? ReadString(string attributesJson, string property)
    {
        var element = ParseElement(attributesJson);
        return element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty(property, out var value)
            && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }
}
