using Acd.Grains.Abstractions;
using Acd.Grains.Events;
using Acd.Grains.Events.Types;
using Acd.Grains.Statistics;

namespace Acd.Api.Statistics;

/// <summary>
/// Today's figures, kept as running sums per queue and agent (<see cref="QueueTally"/>, <see cref="AgentTally"/>), so a
/// dashboard's read costs the same at 9 a.m. and 9 p.m.: it folds in only the events logged since the last read, then
/// reads one tally per queue and agent. The log is the source: the first read of a day folds the day so far (a restart
/// rebuilds from it), and every node reads the events every node wrote.
/// <para>
/// An event's sequence number is given when it is written, and a write that commits late can appear below one already
/// read (PostgreSQL hands out sequence numbers before commit). So every <see cref="Recheck"/> a read looks again at the
/// events of the last <see cref="Settling"/> and folds only those it has not folded; the reads in between ask only for
/// what is newer than the newest they have seen, so twenty dashboards refreshing every second read each event about
/// once, not twenty times over ten seconds.
/// </para>
/// </summary>
public sealed class StatisticsLedger(IEventLog log) : IDisposable
{
    /// <summary>How late a write may commit and still be counted.</summary>
    public static readonly TimeSpan Settling = TimeSpan.FromSeconds(10);

    /// <summary>How often a read looks back over the settling time for writes that committed late.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(2);

    private const int PageSize = 5000;

    private static readonly string[] Types = [.. StatisticsCalculator.QueueEventTypes.Union(StatisticsCalculator.AgentEventTypes)];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, QueueTally> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AgentTally> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<long, DateTimeOffset> _recent = [];
    private Dictionary<string, AcdEvent> _atStart = new(StringComparer.Ordinal);
    private DateTimeOffset? _day;
    private StatisticsThresholds? _thresholds;
    private long _settled;
    private long _seen;
    private DateTimeOffset _newest = DateTimeOffset.MinValue;
    private DateTimeOffset? _recheckedAt;

    public void Dispose() => _gate.Dispose();

    /// <summary>Events folded in since the process started (for the benchmark: a read folds only what is new).</summary>
    public long Folded { get; private set; }

    /// <summary>Every queue's and agent's figures from <paramref name="window"/>'s start (today's midnight) to its end (now).</summary>
    public async Task<(Func<string, QueueCumulative> Queue, Func<string, AgentCumulative> Agent)> TodayAsync(StatisticsWindow window, StatisticsThresholds thresholds)
    {
        await _gate.WaitAsync();
        try
        {
            if (_day != window.From || _thresholds != thresholds)
            {
                // A new day (or other thresholds): start again from the log.
                _queues.Clear();
                _agents.Clear();
                _recent.Clear();
                _settled = 0;
                _seen = 0;
                _newest = DateTimeOffset.MinValue;
                _recheckedAt = null;
                _day = window.From;
                _thresholds = thresholds;
                _atStart = (await log.LastPerAgentBeforeAsync(EventTypes.NameOf<WorkerActivityUpdated>(), window.From))
                    .Where(e => e.AgentId is not null).ToDictionary(e => e.AgentId!, StringComparer.Ordinal);
            }
            await CatchUpAsync(window);
            var queues = _queues.ToDictionary(q => q.Key, q => q.Value.Figures(q.Key, window, thresholds), StringComparer.Ordinal);
            var agents = _agents.ToDictionary(a => a.Key, a => a.Value.Figures(a.Key, window), StringComparer.Ordinal);
            var atStart = _atStart;
            return (
                id => queues.TryGetValue(id, out var q) ? q : new QueueTally().Figures(id, window, thresholds),
                id => agents.TryGetValue(id, out var a) ? a : new AgentTally(atStart.GetValueOrDefault(id)).Figures(id, window));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CatchUpAsync(StatisticsWindow window)
    {
        var recheck = _recheckedAt is not { } at || window.To - at >= Recheck || window.To < at;
        var after = recheck ? _settled : _seen;
        while (true)
        {
            var page = await log.QueryAsync(new EventQuery(window.From, null, Types, After: after, Limit: PageSize));
            foreach (var e in page.Events)
            {
                _seen = Math.Max(_seen, e.Sequence);
                _newest = e.Time > _newest ? e.Time : _newest;
                if (_recent.TryAdd(e.Sequence, e.Time))
                {
                    Fold(e);
                }
            }
            if (page.Next is not { } next)
            {
                break;
            }
            after = next;
        }
        if (!recheck || _newest == DateTimeOffset.MinValue)
        {
            return;
        }
        _recheckedAt = window.To;
        // What is older than the settling time cannot be joined by a late write any more: the next look back starts after it.
        var settledBefore = _newest - Settling;
        var old = _recent.Where(r => r.Value < settledBefore).Select(r => r.Key).ToList();
        if (old.Count > 0)
        {
            var keep = _recent.Keys.Except(old).DefaultIfEmpty(long.MaxValue).Min();
            _settled = Math.Max(_settled, old.Where(s => s < keep).DefaultIfEmpty(_settled).Max());
            foreach (var sequence in old.Where(s => s <= _settled))
            {
                _recent.Remove(sequence);
            }
        }
    }

    private void Fold(AcdEvent e)
    {
        Folded++;
        var details = EventTypes.Read(e);
        if (e.QueueId is { } queueId)
        {
            if (!_queues.TryGetValue(queueId, out var queue))
            {
                _queues[queueId] = queue = new QueueTally();
            }
            queue.Add(details, _thresholds!);
        }
        if ((e.AgentId ?? StatisticsCalculator.AgentOf(details)) is { } agentId)
        {
            if (!_agents.TryGetValue(agentId, out var agent))
            {
                _agents[agentId] = agent = new AgentTally(_atStart.GetValueOrDefault(agentId));
            }
            agent.Add(e, details);
        }
    }
}
