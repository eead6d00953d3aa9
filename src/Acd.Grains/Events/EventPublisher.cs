using System.Text.Json;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Events;

/// <summary>Publishes an event to the supervisors' feed and to the feeds of the agents it concerns (one-way).</summary>
public static class EventPublisher
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Publish(IGrainFactory grains, DateTimeOffset now, string type, string? callId, string? agentId, string? queueId, object data, IEnumerable<string?> agents)
    {
        var e = new AcdEvent(0, type, now, callId, agentId, queueId, JsonSerializer.Serialize(data, Options));
        grains.GetGrain<IEventFeedGrain>(IEventFeedGrain.Supervisor).PublishAsync(e).Ignore();
        foreach (var agent in agents.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            grains.GetGrain<IEventFeedGrain>(IEventFeedGrain.ForAgent(agent)).PublishAsync(e).Ignore();
        }
    }
}
