using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Events.Types;

/// <summary>Writes and reads the typed details of events: the one place that knows the JSON they are stored as.</summary>
public static class EventTypes
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private static readonly FrozenDictionary<Type, EventTypeAttribute> ByType = typeof(EventDetails).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(EventDetails)) && !t.IsAbstract)
        .ToFrozenDictionary(t => t, t => t.GetCustomAttribute<EventTypeAttribute>() ?? throw new InvalidOperationException($"{t.Name} has no [EventType]"));

    private static readonly FrozenDictionary<string, (Type Type, string Payload)> ByName =
        ByType.ToFrozenDictionary(p => p.Value.Name, p => (p.Key, p.Value.Payload), StringComparer.Ordinal);

    /// <summary>Every event type there is.</summary>
    public static IEnumerable<string> Names => ByName.Keys;

    public static string NameOf(EventDetails details) => ByType[details.GetType()].Name;

    public static string NameOf<T>() where T : EventDetails => ByType[typeof(T)].Name;

    /// <summary>The event's data: the details under their payload name, and the context given (such as the call's snapshot).</summary>
    public static string Serialize(EventDetails details, IReadOnlyDictionary<string, object?>? context = null)
    {
        var data = new JsonObject();
        foreach (var (name, value) in context ?? new Dictionary<string, object?>())
        {
            data[name] = JsonSerializer.SerializeToNode(value, Options);
        }
        data[ByType[details.GetType()].Payload] = JsonSerializer.SerializeToNode(details, details.GetType(), Options);
        return data.ToJsonString(Options);
    }

    public static AcdEvent Create(DateTimeOffset now, EventDetails details, string? callId, string? agentId, string? queueId, IReadOnlyDictionary<string, object?>? context = null) =>
        new(0, NameOf(details), now, callId, agentId, queueId, Serialize(details, context));

    /// <summary>The typed details of an event, or null for a type Acd does not know (or data it cannot read).</summary>
    public static EventDetails? Read(AcdEvent e)
    {
        if (!ByName.TryGetValue(e.Type, out var known))
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(e.DataJson);
            return json.RootElement.TryGetProperty(known.Payload, out var payload) && payload.ValueKind == JsonValueKind.Object
                ? (EventDetails?)payload.Deserialize(known.Type, Options)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
