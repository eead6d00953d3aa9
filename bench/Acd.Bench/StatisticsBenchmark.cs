using System.Diagnostics;
using System.Globalization;
using Acd.Api.Statistics;
using Acd.Grains.Abstractions;
using Acd.Grains.Events;
using Acd.Grains.Events.Types;
using Acd.Grains.Statistics;

namespace Acd.Bench;

/// <summary>
/// What a dashboard's read of today's statistics costs late in a busy day: the in-memory event log holds N events since
/// midnight (calls through 20 queues and 1,000 agents, with activity changes), and the dashboard reads every queue's and
/// agent's figures once a second while calls keep coming. Baseline, in the same run: the same figures computed by
/// reading the day's events from the log (what every read did before the running figures). Meanwhile, appends (what
/// grain turns wait for) are timed, with and without 20 dashboards reading.
/// </summary>
public static class StatisticsBenchmark
{
    private const int Queues = 20;
    private const int Agents = 1_000;

    public static async Task RunAsync(int events)
    {
        var day = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.FromHours(9));
        var log = new InMemoryEventLog();
        var clock = day;
        var random = new Random(7);
        var filled = Stopwatch.StartNew();
        var call = 0;
        while (log.Count < events)
        {
            clock = clock.AddMilliseconds(40);
            await log.AppendAsync(Call(++call, clock, random));
        }
        var logged = log.Count;
        Console.WriteLine($"{logged:N0} events logged in {filled.Elapsed.TotalSeconds:F1}s");
        var window = new StatisticsWindow(day, clock.AddSeconds(1));
        var thresholds = new StatisticsThresholds();

        // Baseline: the day read from the log and computed, as each read did before.
        var scan = new Latency();
        for (var i = 0; i < 10; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await ScanAsync(log, window, thresholds);
            scan.Record(start, Stopwatch.GetTimestamp());
        }

        // The running figures: the first read folds the day (a restart), each later one what came since.
        using var ledger = new StatisticsLedger(log);
        var first = Stopwatch.StartNew();
        await ledger.TodayAsync(window, thresholds);
        var rebuild = first.Elapsed.TotalMilliseconds;
        var read = new Latency();
        for (var i = 0; i < 200; i++)
        {
            // A second of a busy center between two reads: a few calls' events.
            for (var c = 0; c < 3; c++)
            {
                clock = clock.AddMilliseconds(330);
                await log.AppendAsync(Call(++call, clock, random));
            }
            var now = new StatisticsWindow(day, clock.AddSeconds(1));
            var start = Stopwatch.GetTimestamp();
            var (queue, agent) = await ledger.TodayAsync(now, thresholds);
            for (var q = 0; q < Queues; q++)
            {
                _ = queue($"q{q}");
            }
            for (var a = 0; a < Agents; a++)
            {
                _ = agent($"a{a}");
            }
            read.Record(start, Stopwatch.GetTimestamp());
        }

        // Appends while 20 dashboards read once a second (here: back to back, harder), against appends alone.
        var alone = await AppendsAsync(log, () => clock = clock.AddMilliseconds(1), random, () => call++, readers: 0, ledger: null, day);
        var busy = await AppendsAsync(log, () => clock = clock.AddMilliseconds(1), random, () => call++, readers: 20, ledger, day);

        var culture = CultureInfo.InvariantCulture;
        var report = string.Create(culture, $"""
            ## Statistics late in the day

            `dotnet run -c Release --project bench/Acd.Bench -- statistics {events}` on {Results.Machine()}.

            {logged:N0} events were logged since midnight ({Queues} queues, {Agents:N0} agents; the in-memory log keeps the
            newest {InMemoryEventLog.Capacity:N0}, PostgreSQL all of them), then three calls' events a second while a
            dashboard reads every queue's and agent's figures for today, 200 times. Baseline (same run): computing them
            by reading the day's events from the log, which every read did before.

            | Read of today's statistics | p50 | p99 |
            |---|---|---|
            | baseline: the day read from the log | {scan.Percentile(50):F1} ms | {scan.Percentile(99):F1} ms |
            | running figures (what came since the last read folded in) | {read.Percentile(50):F2} ms | {read.Percentile(99):F2} ms |
            | ratio (running ÷ baseline, p99) | {read.Percentile(99) / scan.Percentile(99):P2} | |

            The first read after a start folds the whole day: {rebuild:F0} ms, once.

            | Appending a call's events (what a grain turn waits for), 3 s each | p50 | p99 | appends |
            |---|---|---|---|
            | alone | {alone.Percentile(50) * 1000:F1} µs | {alone.Percentile(99) * 1000:F1} µs | {alone.Count:N0} |
            | while 20 dashboards read back to back | {busy.Percentile(50) * 1000:F1} µs | {busy.Percentile(99) * 1000:F1} µs | {busy.Count:N0} |

            Not measured here: routing p99 through the grains while dashboards read (the routing benchmark runs without
            the HTTP edge); appends are where the dashboards' reads used to hold routing up.

            What it means: a read costs the same at 9 a.m. and 9 p.m. (what is new since the last read, plus one figure per
            queue and agent), and appends are not held up by dashboards: before, each read scanned the day under the log's
            lock, which appends wait for.
            """);
        Console.WriteLine(report);
        Results.Write("statistics", report);
    }

    private static async Task ScanAsync(InMemoryEventLog log, StatisticsWindow window, StatisticsThresholds thresholds)
    {
        var events = new List<AcdEvent>();
        long after = 0;
        string[] types = [.. StatisticsCalculator.QueueEventTypes.Union(StatisticsCalculator.AgentEventTypes)];
        while (true)
        {
            var page = await log.QueryAsync(new EventQuery(window.From, window.To, types, After: after, Limit: 5000));
            events.AddRange(page.Events);
            if (page.Next is not { } next)
            {
                break;
            }
            after = next;
        }
        var byQueue = events.ToLookup(e => e.QueueId ?? "", StringComparer.Ordinal);
        var byAgent = events.ToLookup(e => e.AgentId ?? "", StringComparer.Ordinal);
        var atStart = await log.LastPerAgentBeforeAsync(EventTypes.NameOf<WorkerActivityUpdated>(), window.From);
        for (var q = 0; q < Queues; q++)
        {
            _ = StatisticsCalculator.Queue($"q{q}", window, thresholds, byQueue[$"q{q}"]);
        }
        for (var a = 0; a < Agents; a++)
        {
            _ = StatisticsCalculator.Agent($"a{a}", window, atStart.FirstOrDefault(e => e.AgentId == $"a{a}"), byAgent[$"a{a}"]);
        }
    }

    private static async Task<Latency> AppendsAsync(InMemoryEventLog log, Func<DateTimeOffset> tick, Random random, Func<int> next, int readers, StatisticsLedger? ledger, DateTimeOffset day)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var dashboards = Enumerable.Range(0, readers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ledger!.TodayAsync(new StatisticsWindow(day, DateTimeOffset.MaxValue.AddDays(-1)), new StatisticsThresholds());
            }
        })).ToList();
        var latency = new Latency();
        while (!stop.IsCancellationRequested)
        {
            var batch = Call(next(), tick(), random);
            var start = Stopwatch.GetTimestamp();
            await log.AppendAsync(batch);
            latency.Record(start, Stopwatch.GetTimestamp());
        }
        await Task.WhenAll(dashboards);
        return latency;
    }

    /// <summary>The events one answered call logs: entered, offered, answered, completed; now and then an agent's activity change.</summary>
    private static List<AcdEvent> Call(int n, DateTimeOffset at, Random random)
    {
        var queue = $"q{n % Queues}";
        var agent = $"a{random.Next(Agents)}";
        var id = $"CA{n:x32}";
        var wait = random.Next(1, 60);
        List<AcdEvent> events =
        [
            EventTypes.Create(at, new QueueEntered(queue, null, 0), id, null, queue),
            EventTypes.Create(at, new ReservationCreated(agent, at.AddSeconds(20)), id, agent, queue),
            EventTypes.Create(at, new ReservationAccepted(agent, wait), id, agent, queue),
            EventTypes.Create(at, new TaskCompleted("completed", "caller-hangup", agent, wait, 120, 10, 15, 120, 10), id, agent, queue),
        ];
        if (n % 10 == 0)
        {
            events.Add(EventTypes.Create(at, new WorkerActivityUpdated(agent, agent, n % 20 == 0 ? "Break" : "Available", n % 20 != 0, at, null), null, agent, null));
        }
        return events;
    }
}
