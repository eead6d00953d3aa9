using System.Text.Json;
using Acd.Grains.Abstractions;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Events;

/// <summary>
/// Where a grain's events go once the state they describe is written: appended to the <see cref="IEventLog"/>, then
/// published to the supervisors' feed and the feeds of the agents they concern (one-way).
/// </summary>
public static class EventPublisher
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static AcdEvent Create(DateTimeOffset now, string type, string? callId, string? agentId, string? queueId, object data) =>
        new(0, type, now, callId, agentId, queueId, JsonSerializer.Serialize(data, Options));

    public static async Task PublishAsync(IGrainFactory grains, IEventLog log, ILogger logger, IReadOnlyList<(AcdEvent Event, IEnumerable<string?> Agents)> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        try
        {
            await log.AppendAsync([.. events.Select(e => e.Event)]);
        }
        catch (Exception e)
        {
            // The change itself is stored; the log catches up when it can (the PostgreSQL log retries its batch).
            logger.LogError(e, "Event log append failed for {Count} events ({First})", events.Count, events[0].Event.Type);
        }
        foreach (var (e, agents) in events)
        {
            AcdMetrics.Record(e);
            grains.GetGrain<IEventFeedGrain>(IEventFeedGrain.Supervisor).PublishAsync(e).Ignore();
            foreach (var agent in agents.OfType<string>().Distinct(StringComparer.Ordinal))
            {
                grains.GetGrain<IEventFeedGrain>(IEventFeedGrain.ForAgent(agent)).PublishAsync(e).Ignore();
            }
        }
    }
}
