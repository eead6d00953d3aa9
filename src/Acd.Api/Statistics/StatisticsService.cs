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

    public async Task<QueueStatistics?> QueueAsync(string queueId, StatisticsWindow window, StatisticsThresholds thresholds)
    {
        var realtime = await grains.Router().GetRealtimeAsync(queueId);
        if (realtime is null)
        {
            return null;
        }
        var cumulative = IsToday(window, thresholds)
            ? (await ledger.TodayAsync(window, thresholds)).Queue(queueId)
            : StatisticsCalculator.Queue(queueId, window, thresholds, await EventsAsync(window, StatisticsCalculator.QueueEventTypes, queueId));
        return With(realtime, cumulative);
    }

    private static QueueStatistics With(QueueRealtime realtime, QueueCumulative cumulative) =>
        new(realtime.QueueId, realtime, cumulative, realtime.EstimatedWaitSeconds);

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

    /// <summary>
    /// Every queue and every agent: what the dashboard shows. Today's are read once for all dashboards asking at the
    /// same moment (<see cref="SharedRead{T}"/>); other windows read the log once for the request.
    /// </summary>
    public async Task<Everything> AllAsync(StatisticsWindow window, StatisticsThresholds thresholds, bool waitingCallIds = true)
    {
        if (IsToday(window, thresholds))
        {
            var shared = await Today(waitingCallIds).ReadAsync();
            if (shared.From == window.From)
            {
                return shared;
            }
        }
        return await ComputeAsync(window, thresholds, waitingCallIds);
    }

    private SharedRead<Everything>? _todayWithIds;
    private SharedRead<Everything>? _todayWithoutIds;

    private SharedRead<Everything> Today(bool waitingCallIds) => waitingCallIds
        ? LazyInitializer.EnsureInitialized(ref _todayWithIds, () => new(() => ComputeAsync(DefaultWindow(), DefaultThresholds(), waitingCallIds: true)))
        : LazyInitializer.EnsureInitialized(ref _todayWithoutIds, () => new(() => ComputeAsync(DefaultWindow(), DefaultThresholds(), waitingCallIds: false)));

    private async Task<Everything> ComputeAsync(StatisticsWindow window, StatisticsThresholds thresholds, bool waitingCallIds)
    {
        // One router turn for every queue's realtime figures: a turn per queue per dashboard held routing up.
        var realtime = (await grains.Router().GetRealtimeAllAsync(waitingCallIds)).ToDictionary(r => r.QueueId, StringComparer.Ordinal);
        var queueIds = (await grains.Workspace().GetQueueIdsAsync()).Where(realtime.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var agentIds = await grains.AllAgentIdsAsync();
        if (IsToday(window, thresholds))
        {
            // O(queues + agents): the ledger folds in what was logged since the last read.
            var (queue, agent) = await ledger.TodayAsync(window, thresholds);
            return new Everything(window.From, [.. queueIds.Select(id => With(realtime[id], queue(id)))], [.. agentIds.Select(agent)]);
        }
        var events = await EventsAsync(window, [.. StatisticsCalculator.QueueEventTypes.Union(StatisticsCalculator.AgentEventTypes)]);
        var atStart = await log.LastPerAgentBeforeAsync("worker.activity.update", window.From);
        var byQueue = events.ToLookup(e => e.QueueId ?? "", StringComparer.Ordinal);
        var byAgent = events.ToLookup(e => e.AgentId ?? "", StringComparer.Ordinal);
        return new Everything(
            window.From,
            [.. queueIds.Select(id => With(realtime[id], StatisticsCalculator.Queue(id, window, thresholds, [.. byQueue[id]])))],
            [.. agentIds.Select(id => StatisticsCalculator.Agent(id, window, atStart.FirstOrDefault(e => e.AgentId == id), [.. byAgent[id]]))]);
    }

}

/// <summary>Every queue's and agent's statistics over a window starting at <paramref name="From"/>.</summary>
public sealed record Everything(DateTimeOffset From, List<QueueStatistics> Queues, List<AgentCumulative> Agents);

/// <summary>A queue's figures; <c>EstimatedWaitSeconds</c> is the router's for a caller arriving now (README, "Estimated wait").</summary>
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
