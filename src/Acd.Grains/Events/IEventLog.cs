using Acd.Grains.Abstractions;

namespace Acd.Grains.Events;

/// <summary>
/// Every state change, appended in order (TaskRouter's Events resource): the audit trail, and the facts the
/// cumulative statistics are computed from. In memory by default; a PostgreSQL table (<c>acd_event</c>) when storage
/// is PostgreSQL, shared by every node of a cluster.
/// </summary>
public interface IEventLog
{
    /// <summary>Appends events; their <see cref="AcdEvent.Sequence"/> is given by the log. Completes once they are stored.</summary>
    Task AppendAsync(IReadOnlyList<AcdEvent> events);

    /// <summary>Events matching the query, oldest first, after the cursor.</summary>
    Task<EventPage> QueryAsync(EventQuery query);

    /// <summary>Each agent's last event of <paramref name="type"/> before <paramref name="before"/> (where the agent stood when a window opens).</summary>
    Task<IReadOnlyList<AcdEvent>> LastPerAgentBeforeAsync(string type, DateTimeOffset before);
}

/// <summary>
/// A filter on the log. <see cref="Types"/> match exactly, or by prefix when they end with <c>.</c> or <c>*</c>
/// (<c>reservation.</c>); all given conditions must hold.
/// </summary>
public sealed record EventQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    IReadOnlyList<string>? Types = null,
    string? CallId = null,
    string? AgentId = null,
    string? QueueId = null,
    long After = 0,
    int Limit = 100)
{
    public bool Matches(AcdEvent e) =>
        e.Sequence > After
        && (From is not { } from || e.Time >= from)
        && (To is not { } to || e.Time < to)
        && (CallId is null || e.CallId == CallId)
        && (AgentId is null || e.AgentId == AgentId)
        && (QueueId is null || e.QueueId == QueueId)
        && (Types is not { Count: > 0 } types || types.Any(t => TypeMatches(t, e.Type)));

    public static bool TypeMatches(string pattern, string type) =>
        pattern.EndsWith('*') ? type.StartsWith(pattern[..^1], StringComparison.Ordinal)
        : pattern.EndsWith('.') ? type.StartsWith(pattern, StringComparison.Ordinal)
        : type == pattern;
}

/// <summary>A page of the log; <see cref="Next"/> is the cursor of the following page, null on the last.</summary>
public sealed record EventPage(IReadOnlyList<AcdEvent> Events, long? Next);

/// <summary>The log in this process's memory (the default, single-process run): bounded, oldest events dropped first.</summary>
public sealed class InMemoryEventLog : IEventLog
{
    /// <summary>
    /// Events kept: a day of a busy center is a few hundred thousand, at about 1–2 KB each (an event carries the call's
    /// snapshot). For longer history, use PostgreSQL.
    /// </summary>
    public const int Capacity = 500_000;

    /// <summary>Trimmed a tenth at a time, so appends at the cap do not move the whole list each time.</summary>
    private const int Slack = Capacity / 10;

    private readonly List<AcdEvent> _events = [];
    private readonly Lock _gate = new();
    private long _sequence;

    /// <summary>How many events have been appended since the process started.</summary>
    public long Count => Interlocked.Read(ref _sequence);

    public Task AppendAsync(IReadOnlyList<AcdEvent> events)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                _events.Add(e with { Sequence = ++_sequence });
            }
            if (_events.Count > Capacity + Slack)
            {
                _events.RemoveRange(0, _events.Count - Capacity);
            }
        }
        return Task.CompletedTask;
    }

    public Task<EventPage> QueryAsync(EventQuery query)
    {
        lock (_gate)
        {
            var start = FirstAfter(query.After);
            var page = new List<AcdEvent>(Math.Min(query.Limit, 1024));
            for (var i = start; i < _events.Count; i++)
            {
                if (query.Matches(_events[i]))
                {
                    if (page.Count == query.Limit)
                    {
                        return Task.FromResult(new EventPage(page, page[^1].Sequence));
                    }
                    page.Add(_events[i]);
                }
            }
            return Task.FromResult(new EventPage(page, null));
        }
    }

    public Task<IReadOnlyList<AcdEvent>> LastPerAgentBeforeAsync(string type, DateTimeOffset before)
    {
        lock (_gate)
        {
            var last = new Dictionary<string, AcdEvent>(StringComparer.Ordinal);
            foreach (var e in _events)
            {
                if (e.Type == type && e.Time < before && e.AgentId is { } agent)
                {
                    last[agent] = e;
                }
            }
            return Task.FromResult<IReadOnlyList<AcdEvent>>([.. last.Values]);
        }
    }

    /// <summary>Index of the first event with a sequence above <paramref name="after"/> (sequences ascend).</summary>
    private int FirstAfter(long after)
    {
        int lo = 0, hi = _events.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_events[mid].Sequence <= after)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
