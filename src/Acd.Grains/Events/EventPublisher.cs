using Acd.Grains.Abstractions;
using Acd.Grains.Events.Types;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Events;

/// <summary>
/// One event to publish: as logged (and shown to supervisors), the agents whose feeds it reaches, and the copy those
/// feeds get (the same, or one that leaves out what agents do not see, such as a supervisor's leg).
/// </summary>
public sealed record Publication(AcdEvent Logged, EventDetails Details, IReadOnlyList<string> Agents, AcdEvent? ForAgents = null);

/// <summary>
/// Where a grain's events go once the state they describe is written: appended to the <see cref="IEventLog"/>, then
/// published to the supervisors' feed and the feeds of the agents they concern (one-way).
/// </summary>
public static class EventPublisher
{
    public static async Task PublishAsync(IGrainFactory grains, IEventLog log, ILogger logger, IReadOnlyList<Publication> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        try
        {
            await log.AppendAsync([.. events.Select(e => e.Logged)]);
        }
        catch (Exception e)
        {
            // The change itself is stored; the log catches up when it can (the PostgreSQL log retries its batch).
            logger.LogError(e, "Event log append failed for {Count} events ({First})", events.Count, events[0].Logged.Type);
        }
        foreach (var (logged, details, agents, forAgents) in events)
        {
            AcdMetrics.Record(details, logged.QueueId);
            grains.GetGrain<IEventFeedGrain>(IEventFeedGrain.Supervisor).PublishAsync(logged).Ignore();
            foreach (var agent in agents.Distinct(StringComparer.Ordinal))
            {
                grains.GetGrain<IEventFeedGrain>(IEventFeedGrain.ForAgent(agent)).PublishAsync(forAgents ?? logged).Ignore();
            }
        }
    }
}
