using Acd.Grains.Abstractions;
using Acd.Grains.Events;
using Acd.Grains.Statistics;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Options;

namespace Acd.Api.Statistics;

/// <summary>Reads the event log for a window and computes the figures (<see cref="StatisticsCalculator"/>), with the realtime view beside them.</summary>
public sealed class StatisticsService(IEventLog log, StatisticsLedger ledger, IGrainFactory grains, IOptions<AcdOptions> options, IOptions<StatisticsOptions> statistics, TimeProvider time)
{
    /// <summary>The longest window statistics are computed for: longer ones read too much of the log for one request.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);

    private const int PageSize = 5000;

    public StatisticsWindow DefaultWindow() => StatisticsWindow.Today(time.GetUtcNow(), options.Value.Zone());

    public StatisticsThresholds DefaultThresholds() => new(statistics.Value.ServiceLevelSeconds, statistics.Value.ShortAbandonSeconds);

    public DateTimeOffset Now => time.GetUtcNow();

    public async Task<List<AcdEvent>> EventsAsync(StatisticsWindow window, IReadOnlyList<string> types, string? queueId = null, string? agentId = null)
    {
        var events = new List<AcdEvent>();
        long after = 0;
        while (true)
        {
            var page = await log.QueryAsync(new EventQuery(window.From, window.To, types, null, agentId, queueId, after, PageSize));
            events.AddRange(page.Events);
            if (page.Next is not { } next)
            {
                return events;
            }
            after = next;
        }
    }

    /// <summary>
    /// Today so far with the default thresholds (what dashboards ask for every second): the ledger's running figures.
    /// Any other window is computed from the log.
    /// </summary>
    private bool IsToday(StatisticsWindow window, StatisticsThresholds thresholds) =>
        window.From == DefaultWindow().From && (Now - window.To).Duration() < TimeSpan.FromSeconds(1) && thresholds == DefaultThresholds();

    public async Task<QueueStatistics?> QueueAsync(string queueId, StatisticsWindow window, StatisticsThresholds thresholds, IReadOnlyList<ActivityDefinition>? activities = null, IReadOnlyList<AcdEvent>? events = null, QueueCumulative? cumulative = null)
    {
        var realtime = await grains.Router().GetRealtimeAsync(queueId);
        if (realtime is null)
        {
            return null;
        }
        if (cumulative is null && events is null && IsToday(window, thresholds))
        {
            cumulative = (await ledger.TodayAsync(window, thresholds)).Queue(queueId);
        }
        cumulative ??= StatisticsCalculator.Queue(queueId, window, thresholds, events ?? await EventsAsync(window, StatisticsCalculator.QueueEventTypes, queueId));
        activities ??= await grains.Workspace().GetActivitiesAsync();
        return new QueueStatistics(queueId, realtime, cumulative, EstimatedWait(realtime, cumulative, activities));
    }

    public async Task<AgentCumulative> AgentAsync(string agentId, StatisticsWindow window, IReadOnlyList<AcdEvent>? atStart = null, IReadOnlyList<AcdEvent>? events = null)
    {
        if (atStart is null && events is null && IsToday(window, DefaultThresholds()))
        {
            return (await ledger.TodayAsync(window, DefaultThresholds())).Agent(agentId);
        }
        atStart ??= await log.LastPerAgentBeforeAsync("worker.activity.update", window.From);
        events ??= await EventsAsync(window, StatisticsCalculator.AgentEventTypes, agentId: agentId);
        return StatisticsCalculator.Agent(agentId, window, atStart.FirstOrDefault(e => e.AgentId == agentId), events);
    }

    /// <summary>Every queue and every agent, from one read of the log: what the dashboard shows.</summary>
    public async Task<(List<QueueStatistics> Queues, List<AgentCumulative> Agents)> AllAsync(StatisticsWindow window, StatisticsThresholds thresholds)
    {
        if (IsToday(window, thresholds))
        {
            // O(queues + agents): the ledger folds in what was logged since the last read.
            var (queue, agent) = await ledger.TodayAsync(window, thresholds);
            var activitiesToday = await grains.Workspace().GetActivitiesAsync();
            var today = new List<QueueStatistics>();
            foreach (var queueId in (await grains.Workspace().GetQueueIdsAsync()).Order(StringComparer.Ordinal))
            {
                if (await QueueAsync(queueId, window, thresholds, activitiesToday, cumulative: queue(queueId)) is { } q)
                {
                    today.Add(q);
                }
            }
            return (today, [.. (await grains.AllAgentIdsAsync()).Select(agent)]);
        }
        var events = await EventsAsync(window, [.. StatisticsCalculator.QueueEventTypes.Union(StatisticsCalculator.AgentEventTypes)]);
        var atStart = await log.LastPerAgentBeforeAsync("worker.activity.update", window.From);
        var activities = await grains.Workspace().GetActivitiesAsync();
        var byQueue = events.ToLookup(e => e.QueueId ?? "", StringComparer.Ordinal);
        var byAgent = events.ToLookup(e => e.AgentId ?? "", StringComparer.Ordinal);
        var queues = new List<QueueStatistics>();
        foreach (var queueId in (await grains.Workspace().GetQueueIdsAsync()).Order(StringComparer.Ordinal))
        {
            if (await QueueAsync(queueId, window, thresholds, activities, [.. byQueue[queueId]]) is { } q)
            {
                queues.Add(q);
            }
        }
        var agents = new List<AgentCumulative>();
        foreach (var agentId in await grains.AllAgentIdsAsync())
        {
            agents.Add(await AgentAsync(agentId, window, atStart, [.. byAgent[agentId]]));
        }
        return (queues, agents);
    }

    /// <summary>
    /// How long a caller arriving now would wait: none when an eligible agent is free; otherwise the queue's average
    /// handle time × (calls waiting + 1) ÷ the eligible agents at work (available activities and wrap-up).
    /// Unknown until a call has been completed in the window.
    /// </summary>
    private static double? EstimatedWait(QueueRealtime realtime, QueueCumulative cumulative, IReadOnlyList<ActivityDefinition> activities)
    {
        if (realtime.AvailableAgents > 0 && realtime.Waiting == 0)
        {
            return 0;
        }
        var working = realtime.AgentsByActivity
            .Where(a => a.Key == Activities.WrapUp || activities.Any(d => d.Name == a.Key && d.Available))
            .Sum(a => a.Value);
        if (cumulative.AverageHandleTime is not { } aht || working == 0)
        {
            return null;
        }
        return Math.Round(aht * (realtime.Waiting + 1) / working, 1);
    }
}

public sealed record QueueStatistics(string QueueId, QueueRealtime Realtime, QueueCumulative Cumulative, double? EstimatedWaitSeconds);

/// <summary>Statistics defaults (<c>Acd:Statistics</c>).</summary>
public sealed class StatisticsOptions
{
    public const string Section = "Acd:Statistics";

    /// <summary>Answered within this many seconds counts toward the service level.</summary>
    public double ServiceLevelSeconds { get; set; } = 20;

    /// <summary>Callers who hang up within this many seconds are left out of the service level (centers exclude them).</summary>
    public double ShortAbandonSeconds { get; set; } = 5;
}
