using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Acd.Grains.Abstractions;

namespace Acd.Bench;

/// <summary>
/// Routing through the real grains (in-process silo, in-memory storage): 1,000 agents over 50 queues with mixed
/// skills and a workflow of 50 filters. Three measurements, each beside a baseline of trivial grain calls made
/// the same way in the same run:
/// <list type="bullet">
/// <item>throughput: calls arriving as fast as 32 callers can make them, in waves of 900 so that agents are free,
/// timed from the first enqueue to the last offer of each wave (agents are released between waves, untimed);</item>
/// <item>latency: enqueue → offer at a steady 500 calls/s (open loop), each call answered and hung up right after;</item>
/// <item>full cycle: 32 callers each doing offer + answer + hang-up back to back.</item>
/// </list>
/// </summary>
public static class RoutingBenchmark
{
    private const int Agents = 1000;
    private const int Queues = 50;
    private const int Concurrency = 32;
    private const int Wave = 900;
    private const int SteadyRate = 500;

    /// <summary>One storage's figures from one run.</summary>
    private sealed record Figures(
        double PingRate, Latency PingClosed, double OfferRate, Latency Offers, Latency PingSteady, Latency Steady,
        double CycleRate, Latency Cycles, string? Writes, double RowsPerCall, double WalBytesPerCall, int SteadyWaited);

    public static async Task RunAsync(int calls, string? postgres)
    {
        var memory = await MeasureAsync(calls, null);
        Figures? durable = null;
        if (postgres is not null)
        {
            await using var database = await BenchDatabase.CreateAsync(postgres);
            durable = await MeasureAsync(calls, database);
        }
        var command = $"dotnet run -c Release --project bench/Acd.Bench -- routing {calls}" + (postgres is null ? "" : " --storage postgres");
        var report = string.Create(CultureInfo.InvariantCulture, $"""
            ## Routing: enqueue → offer

            `{command}` on {Results.Machine()}, {DateTime.UtcNow:yyyy-MM-dd}.

            Through the real grains in one process: {Agents:N0} agents (3 random skills each,
            capacity 1) over {Queues} queues, a workflow of {Queues} filters. "Enqueue → offer" runs from `StartAsync` on
            the call grain to the agent's leg being requested from telephony: the workflow's filters, the queue, the
            router's match, the agent's atomic reservation, and the write of the call's and the agent's state. The
            baseline is a trivial grain call (`PingGrain`), made the same way in the same run.

            {Table("In memory", memory)}
            """);
        if (durable is not null)
        {
            report += string.Create(CultureInfo.InvariantCulture, $"""


                {Table("On PostgreSQL (same machine, same run)", durable)}

                Durable against in memory, same run: routed calls/s {durable.OfferRate / memory.OfferRate:P0}, full cycles/s
                {durable.CycleRate / memory.CycleRate:P0}; enqueue → leg requested p50 at a steady {SteadyRate}/s
                {durable.Steady.Percentile(50):F2} ms against {memory.Steady.Percentile(50):F2} ms.

                What one full cycle (offer, answer, hang-up, completed) wrote to PostgreSQL, from `pg_stat_user_tables`,
                `pg_stat_database` and `pg_stat_wal` read before and after the {calls:N0} cycles:

                {durable.Writes}
                """);
        }
        report += """


            Aim (issue "Routing core"): ≥ 5,000 routed calls/s and p99 < 5 ms on this 2-core machine. Aim (issue "Fast where
            it is deployed"): durable throughput ≥ 50 % of in-memory. A routed call costs 7 grain messages (one of them
            one-way) and 2 state writes; the trivial call costs one message. The full cycle adds the answer and the hang-up
            and is what a contact center with every agent answering instantly would do; real centers route a few calls per
            second.
            """;
        Console.WriteLine(report);
        Results.Write("routing", report);
    }

    private static string Table(string title, Figures f) => string.Create(CultureInfo.InvariantCulture, $"""
        **{title}**

        | Measurement | Acd | Baseline (trivial grain call) | Ratio |
        |---|---:|---:|---:|
        | Throughput: calls routed per second ({Concurrency} callers, waves of {Wave}) | {f.OfferRate:N0}/s | {f.PingRate:N0}/s | {f.OfferRate / f.PingRate:P1} |
        | Latency at a steady {SteadyRate} calls/s ({f.SteadyWaited:N0} of {f.Steady.Count:N0} calls found every agent of their queue busy and waited): p50 | {f.Steady.Percentile(50):F3} ms | {f.PingSteady.Percentile(50):F3} ms | {f.Steady.Percentile(50) / f.PingSteady.Percentile(50):F0}× |
        | Latency at a steady {SteadyRate} calls/s: p99 | {f.Steady.Percentile(99):F3} ms | {f.PingSteady.Percentile(99):F3} ms | {f.Steady.Percentile(99) / f.PingSteady.Percentile(99):F0}× |
        | Latency while saturated (throughput run): p50 / p99 | {f.Offers.Percentile(50):F2} / {f.Offers.Percentile(99):F2} ms | {f.PingClosed.Percentile(50):F3} / {f.PingClosed.Percentile(99):F3} ms | |
        | Full cycle per second: offer + answer + hang-up ({Concurrency} callers) | {f.CycleRate:N0}/s | | |
        | Full cycle p50 / p99 (offer part) | {f.Cycles.Percentile(50):F2} / {f.Cycles.Percentile(99):F2} ms | | |
        """);

    private static async Task<Figures> MeasureAsync(int calls, BenchDatabase? database)
    {
        Console.WriteLine(database is null ? "in memory:" : $"on PostgreSQL ({database.Name}):");
        using var host = await BenchSilo.StartAsync(postgres: database?.ConnectionString);
        var (grains, telephony) = (host.Grains, host.Telephony);
        await SetUpAsync(grains);
        var bench = new Runner(grains, telephony);

        // Warm up every path (JIT, activations) before measuring.
        await bench.WavesAsync(2 * Wave, "warm-w");
        await bench.CyclesAsync(2000, "warm-c");
        await bench.SteadyAsync(1000, "warm-s");
        await Runner.PingClosedAsync(grains, 20000);

        var (pingRate, pingClosed) = await Runner.PingClosedAsync(grains, calls * 4);
        var (offerRate, offers) = await bench.WavesAsync(calls, "wave");
        var pingSteady = await Runner.PingSteadyAsync(grains, calls / 2);
        bench.TakeWaited();
        var steady = await bench.SteadyAsync(calls / 2, "steady");
        var steadyWaited = bench.TakeWaited();
        var before = database is null ? null : await database.SettledCountsAsync();
        var (cycleRate, cycles) = await bench.CyclesAsync(calls, "cycle");
        var after = database is null ? null : await database.SettledCountsAsync();
        await host.StopAsync();
        return new Figures(pingRate, pingClosed, offerRate, offers, pingSteady, steady, cycleRate, cycles,
            after?.PerCall(before!, calls), after?.RowsPerCall(before!, calls) ?? 0, after?.WalBytesPerCall(before!, calls) ?? 0, steadyWaited);
    }

    private static async Task SetUpAsync(IGrainFactory grains)
    {
        Console.WriteLine($"setting up {Queues} queues, {Agents} agents…");
        for (var q = 0; q < Queues; q++)
        {
            Check((await grains.GetGrain<IQueueGrain>($"q{q}").ConfigureAsync(
                new QueueDefinition($"q{q}", $"q{q}", $"skills HAS 'q{q}'", "FIFO", AgentSelection.LongestIdle, null, 0, 0, 0, false, null, null))).Problem);
        }
        var filters = string.Join(",", Enumerable.Range(0, Queues).Select(q => $$"""{"expression":"queue == 'q{{q}}'","targets":[{"queue":"q{{q}}"}]}"""));
        Check((await grains.GetGrain<IWorkflowGrain>("inbound").ConfigureAsync(
            new WorkflowDefinition("inbound", "inbound", 30, "{\"task_routing\":{\"filters\":[" + filters + "]}}"))).Problem);
        var random = new Random(1);
        await Task.WhenAll(Enumerable.Range(0, Agents).Select(a =>
        {
            var skills = Enumerable.Range(0, 3).Select(_ => $"q{random.Next(Queues)}").Distinct().ToArray();
            var attributes = JsonSerializer.Serialize(new { contact_uri = $"client:a{a}", skills });
            return grains.GetGrain<IAgentGrain>($"a{a}").ConfigureAsync(new AgentDefinition($"a{a}", $"a{a}", attributes, 1, Activities.Available), false);
        }));
    }

    private static void Check(Problem? problem)
    {
        if (problem is not null)
        {
            throw new InvalidOperationException($"{problem.Field}: {problem.Detail}");
        }
    }

    private sealed class Runner(IGrainFactory grains, BenchTelephony telephony)
    {
        private int _waited;

        /// <summary>Calls since the last reading that found no agent free at once (and so waited).</summary>
        public int TakeWaited() => Interlocked.Exchange(ref _waited, 0);

        /// <summary>Waves of calls as fast as possible; agents released between waves (untimed).</summary>
        public async Task<(double Rate, Latency Latency)> WavesAsync(int calls, string prefix)
        {
            var latency = new Latency();
            var timed = TimeSpan.Zero;
            for (var start = 0; start < calls; start += Wave)
            {
                var ids = Enumerable.Range(start, Math.Min(Wave, calls - start)).Select(i => $"{prefix}-{i}").ToArray();
                var next = -1;
                var stopwatch = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async worker =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < ids.Length)
                    {
                        await OfferAsync(ids[i], i, latency);
                    }
                }));
                timed += stopwatch.Elapsed;
                await Task.WhenAll(ids.Select(ReleaseAsync));
                await AllFreeAsync();
            }
            return (calls / timed.TotalSeconds, latency);
        }

        /// <summary>Calls arriving at a steady rate (open loop), each answered and hung up once offered.</summary>
        public async Task<Latency> SteadyAsync(int calls, string prefix)
        {
            var latency = new Latency();
            var tasks = new List<Task>(calls);
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / SteadyRate);
                while (stopwatch.Elapsed < due)
                {
                    await Task.Yield();
                }
                var id = $"{prefix}-{i}";
                var index = i;
                tasks.Add(Task.Run(async () =>
                {
                    await OfferAsync(id, index, latency);
                    await ReleaseAsync(id);
                }));
            }
            await Task.WhenAll(tasks);
            return latency;
        }

        /// <summary>Closed loop: each caller offers, answers and hangs up, back to back.</summary>
        public async Task<(double Rate, Latency Latency)> CyclesAsync(int calls, string prefix)
        {
            var latency = new Latency();
            var next = -1;
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async worker =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < calls)
                {
                    var id = $"{prefix}-{i}";
                    await OfferAsync(id, i, latency);
                    await ReleaseAsync(id);
                }
            }));
            return (calls / stopwatch.Elapsed.TotalSeconds, latency);
        }

        public static async Task<(double Rate, Latency Latency)> PingClosedAsync(IGrainFactory grains, int count)
        {
            var latency = new Latency();
            var next = -1;
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async worker =>
            {
                var grain = grains.GetGrain<IPingGrain>(worker);
                while (Interlocked.Increment(ref next) < count)
                {
                    var start = Stopwatch.GetTimestamp();
                    await grain.PingAsync(worker);
                    latency.Record(start, Stopwatch.GetTimestamp());
                }
            }));
            return (count / stopwatch.Elapsed.TotalSeconds, latency);
        }

        public static async Task<Latency> PingSteadyAsync(IGrainFactory grains, int count)
        {
            var latency = new Latency();
            var tasks = new List<Task>(count);
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                while (stopwatch.Elapsed < TimeSpan.FromSeconds((double)i / SteadyRate))
                {
                    await Task.Yield();
                }
                var grain = grains.GetGrain<IPingGrain>(i % Concurrency);
                tasks.Add(Task.Run(async () =>
                {
                    var start = Stopwatch.GetTimestamp();
                    await grain.PingAsync(1);
                    latency.Record(start, Stopwatch.GetTimestamp());
                }));
            }
            await Task.WhenAll(tasks);
            return latency;
        }

        private async Task OfferAsync(string id, int i, Latency latency)
        {
            var ring = telephony.RingOf(id);
            var start = Stopwatch.GetTimestamp();
            var outcome = await grains.GetGrain<ICallGrain>(id).StartAsync(new CallStart($$"""{"queue":"q{{i % Queues}}"}""", "inbound", null));
            if (outcome.Value?.Status == CallStatus.Queued)
            {
                // Every agent of its queue is still busy with an earlier call (the storage is slower than the arrivals):
                // it waits, and its latency includes the wait.
                Interlocked.Increment(ref _waited);
            }
            else if (outcome.Value?.Status != CallStatus.Offered)
            {
                throw new InvalidOperationException($"{id} was neither offered nor queued: {outcome.Value?.Status}");
            }
            try
            {
                latency.Record(start, await ring.WaitAsync(TimeSpan.FromSeconds(60)));
            }
            catch (TimeoutException)
            {
                var view = await grains.GetGrain<ICallGrain>(id).GetAsync();
                throw new InvalidOperationException($"{id} ({outcome.Value?.Status} at first) was not offered within 60 s: {view?.Status}, offered to {view?.OfferedAgentId}");
            }
            telephony.Forget(id);
        }

        /// <summary>Untimed: until the router has every released agent free again (agents report it one-way).</summary>
        private async Task AllFreeAsync()
        {
            var router = grains.GetGrain<IRouterGrain>(Acd.Grains.Workspace.RouterGrainKey.Default);
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var queues = await Task.WhenAll(Enumerable.Range(0, Queues).Select(q => router.GetRealtimeAsync($"q{q}")));
                if (queues.All(q => q is not null && q.AvailableAgents == q.EligibleAgents))
                {
                    return;
                }
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new InvalidOperationException("agents did not become free within 30 s of their calls ending");
                }
                await Task.Delay(1);
            }
        }

        private async Task ReleaseAsync(string id)
        {
            var call = grains.GetGrain<ICallGrain>(id);
            var view = (await call.GetAsync())!;
            await call.AcceptAsync(view.OfferedAgentId!);
            await call.HangUpAsync();
        }
    }
}
