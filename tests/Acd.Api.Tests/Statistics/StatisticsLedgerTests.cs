using Acd.Api.Statistics;
using Acd.Grains.Abstractions;
using Acd.Grains.Events;
using Acd.Grains.Events.Types;
using Acd.Grains.Statistics;

namespace Acd.Api.Tests.Statistics;

/// <summary>
/// Today's running figures against a log whose writes can commit out of order, as PostgreSQL's do: every event is
/// counted exactly once, a late commit included, and reads between look-backs ask the log only for what is new.
/// </summary>
public sealed class StatisticsLedgerTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);
    private static readonly StatisticsThresholds Thresholds = new();

    /// <summary>An event log that hands out sequence numbers first and makes events visible when told (a commit).</summary>
    private sealed class LateCommittingLog : IEventLog
    {
        private readonly List<AcdEvent> _visible = [];
        private long _sequence;

        public List<long> QueriedAfter { get; } = [];

        /// <summary>Events the log has handed to readers, all queries together.</summary>
        public int Returned { get; private set; }

        public AcdEvent Reserve(DateTimeOffset at, string callId) =>
            EventTypes.Create(at, new QueueEntered("q", null, 0), callId, null, "q") with { Sequence = ++_sequence };

        public void Commit(AcdEvent e) => _visible.Add(e);

        public Task AppendAsync(IReadOnlyList<AcdEvent> events) => throw new NotSupportedException();

        public Task<EventPage> QueryAsync(EventQuery query)
        {
            QueriedAfter.Add(query.After);
            var page = _visible.Where(query.Matches).OrderBy(e => e.Sequence).Take(query.Limit).ToList();
            Returned += page.Count;
            return Task.FromResult(new EventPage(page, page.Count == query.Limit ? page[^1].Sequence : null));
        }

        public Task<IReadOnlyList<AcdEvent>> LastPerAgentBeforeAsync(string type, DateTimeOffset before) =>
            Task.FromResult<IReadOnlyList<AcdEvent>>([]);
    }

    private static async Task<int> EnteredAsync(StatisticsLedger ledger, DateTimeOffset now) =>
        (await ledger.TodayAsync(new StatisticsWindow(Midnight, now), Thresholds)).Queue("q").TasksEntered;

    [Fact]
    public async Task ALateCommitIsCountedOnceAndReadsBetweenLookBacksAskOnlyForWhatIsNew()
    {
        var log = new LateCommittingLog();
        using var ledger = new StatisticsLedger(log);
        var t = Midnight.AddHours(9);

        var first = log.Reserve(t, "c1");
        var late = log.Reserve(t.AddMilliseconds(10), "c2"); // numbered before c3, committed after it
        var third = log.Reserve(t.AddMilliseconds(20), "c3");
        log.Commit(first);
        log.Commit(third);
        Assert.Equal(2, await EnteredAsync(ledger, t.AddSeconds(1)));

        log.Commit(late);
        // Half a second later: only what is newer than c3 is asked for, so the late c2 is not seen yet.
        Assert.Equal(2, await EnteredAsync(ledger, t.AddSeconds(1.5)));
        Assert.Equal(third.Sequence, log.QueriedAfter[^1]);

        // Once the look-back is due, c2 is found and counted; c1 and c3 are not counted again.
        Assert.Equal(3, await EnteredAsync(ledger, t.AddSeconds(1) + StatisticsLedger.Recheck));
        Assert.Equal(3, await EnteredAsync(ledger, t.AddSeconds(2) + (2 * StatisticsLedger.Recheck)));
        Assert.Equal(3, ledger.Folded);
    }

    [Fact]
    public async Task TwentyReadsASecondReadEachEventAFewTimesNotTwentyTimesOverTheSettlingTime()
    {
        var log = new LateCommittingLog();
        using var ledger = new StatisticsLedger(log);
        var t = Midnight.AddHours(9);
        var calls = 0;
        const int Reads = 20 * 60; // a minute of twenty dashboards
        for (var read = 0; read < Reads; read++)
        {
            var now = t.AddMilliseconds(50 * read);
            if (read % 2 == 0)
            {
                log.Commit(log.Reserve(now, $"c{calls++}")); // ten calls a second
            }
            Assert.Equal(calls, await EnteredAsync(ledger, now));
        }
        Assert.Equal(calls, ledger.Folded);
        // Re-reading the settling time on every read would hand out about 100 events per read (120,000 in all); looking
        // back once per Recheck hands out each event a few times.
        Assert.True(log.Returned < 10 * calls, $"{log.Returned} events read for {calls} events");
    }
}
