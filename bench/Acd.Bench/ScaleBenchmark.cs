using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Acd.Grains.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Acd.Bench;

/// <summary>
/// Routing at contact-center scale, and what it costs in memory. For each size (agents), a fresh silo with 100
/// queues and 20,000 callers waiting in 99 of them (their agents are offline); the 100th queue's agents are
/// available. Measured: enqueue → agent's leg requested for calls into that queue, one at a time (each answered and
/// hung up untimed), while the router's index holds every agent and every waiting call; beside it, a trivial grain
/// call in the same silo. Memory: managed heap after a full collection, before and after the agents, and after the
/// waiting calls (grain activations, their state, the router's index and the call list together).
/// </summary>
public static class ScaleBenchmark
{
    private const int Queues = 100;
    private const int Waiting = 20_000;
    private const int Measured = 2_000;

    public static async Task RunAsync(int[] sizes)
    {
        var rows = new List<Row>();
        foreach (var agents in sizes)
        {
            rows.Add(await MeasureAsync(agents));
        }
        var table = new StringBuilder();
        foreach (var r in rows)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {r.Agents:N0} | {r.Waiting:N0} | {r.Offer.Percentile(50):F3} / {r.Offer.Percentile(99):F3} ms | {r.Ping.Percentile(50):F3} / {r.Ping.Percentile(99):F3} ms | {r.Offer.Percentile(50) / r.Ping.Percentile(50):F0}× | {r.BytesPerAgent:N0} B | {r.BytesPerCall:N0} B | {r.BytesPerAgentAfterDay:N0} B | {r.StoragePerFinishedCall:N0} B | {r.SetUp.TotalSeconds:F0} s |");
        }
        var first = rows[0];
        var last = rows[^1];
        var growth = last.Offer.Percentile(50) / first.Offer.Percentile(50);
        var report = string.Create(CultureInfo.InvariantCulture, $"""
            ## Routing at scale, and memory

            `dotnet run -c Release --project bench/Acd.Bench -- scale {string.Join(',', sizes)}` on {Results.Machine()}, {DateTime.UtcNow:yyyy-MM-dd}.

            One silo in one process, in-memory storage, {Queues} queues, {Waiting:N0} callers waiting in 99 of them (their agents
            are offline) while the 100th queue's agents are available. "Enqueue → leg requested" is a call's `StartAsync`
            until telephony is asked to ring an agent, {Measured:N0} calls one at a time into the served queue, each answered
            and hung up (untimed) so the agents stay free. With Twilio, the Participants request is sent at that moment
            unless the account's calls-per-second pacing (`Twilio:CallsPerSecond`) holds it back. The baseline is a trivial grain call in the same silo and run.
            Memory is the managed heap after a full collection: per agent (configured, indexed, activated) and per
            waiting call (call grain and state, queue entry, router index entry, call list entry). "After a day": every agent
            then goes Available and the {Waiting:N0} waiting callers are served (offered, answered, hung up), every agent goes
            Offline at the end of the shift, and the day's finished calls are collected (idle, as they are minutes after
            ending); what remains per agent is its grain, state, router entry and event feed (aim: < 16 KB). The day's
            finished calls and their events stay in the in-process storage (on PostgreSQL, in the database): that is
            measured apart, per finished call, and left out of the agents' figure.

            | Agents | Waiting calls | Enqueue → leg requested p50 / p99 | Trivial grain call p50 / p99 | Ratio (p50) | Memory per agent | Memory per waiting call | Memory per agent after a day | In-memory storage per finished call | Set-up time |
            |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
            {table.ToString().TrimEnd()}

            From {first.Agents:N0} to {last.Agents:N0} agents ({(double)last.Agents / first.Agents:F0}× as many), the median enqueue → leg requested
            grows {growth:F2}×: routing cost follows the queue a call enters and the agents free in it, not the size of the
            center (each queue keeps its free agents ordered by the selection policy; matching takes the first). Aim (issue
            "Simulator and benchmarks"): sublinear growth from 1,000 to 100,000 agents.
            """);
        Console.WriteLine(report);
        Results.Write("scale", report);
    }

    private sealed record Row(int Agents, int Waiting, Latency Offer, Latency Ping, double BytesPerAgent, double BytesPerCall, TimeSpan SetUp, double BytesPerAgentAfterDay, double StoragePerFinishedCall);

    /// <summary>
    /// A day's traffic, compressed: every agent goes Available and the waiting callers are served (offered, answered,
    /// hung up by the agent), then every agent goes Offline, as at the end of a shift. The heap is read once the day's
    /// finished calls are collected (they are idle; agents and their feeds were just used and stay): what each agent
    /// costs at steady state, its event feed included.
    /// </summary>
    private static async Task<(long Heap, long Storage)> DayAsync(BenchSilo host, int agents)
    {
        var (grains, telephony) = (host.Grains, host.Telephony);
        var served = 0;
        telephony.Answer = async ring =>
        {
            var call = grains.GetGrain<ICallGrain>(ring.Leg.CallId);
            await call.AcceptAsync(ring.AgentId);
            await call.HangUpAsync();
            Interlocked.Increment(ref served);
        };
        Console.WriteLine($"  a day: {Waiting:N0} callers served by {agents:N0} agents…");
        await ForAllAsync(agents, async a => Check((await grains.GetGrain<IAgentGrain>($"a{a}").SetActivityAsync(Activities.Available)).Problem));
        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref served) < Waiting)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new InvalidOperationException($"only {served} of {Waiting} waiting callers were served within 10 minutes");
            }
            await Task.Delay(100);
        }
        telephony.Answer = null;
        // Idle for a while, then the end of the shift touches every agent (and its feed) again.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var shiftEnd = Stopwatch.StartNew();
        await ForAllAsync(agents, async a => Check((await grains.GetGrain<IAgentGrain>($"a{a}").SetActivityAsync(Activities.Offline)).Problem));
        var management = grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(shiftEnd.Elapsed + TimeSpan.FromSeconds(1));
        var active = (await management.GetSimpleGrainStatistics()).GroupBy(g => g.GrainType.Split('.')[^1]).Select(g => $"{g.Key} {g.Sum(x => x.ActivationCount):N0}");
        Console.WriteLine($"  active after the day: {string.Join(", ", active)}");
        // In memory, the day's finished calls and events stay in the in-process storage: PostgreSQL's part in a
        // deployment, not the agents'. It is measured, then emptied, before the agents' share is read.
        var withStorage = Heap();
        EmptyInMemoryStorage(host.Services);
        var heap = Heap();
        return (heap, withStorage - heap);
    }

    /// <summary>Empties the in-process event log and grain storage (the benchmark's last step: nothing runs after it).</summary>
    private static void EmptyInMemoryStorage(IServiceProvider services)
    {
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        var log = services.GetRequiredService<Acd.Grains.Events.IEventLog>();
        ((System.Collections.IList)log.GetType().GetField("_events", Private)!.GetValue(log)!).Clear();
        var storage = services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(Acd.Grains.AcdStorage.Name);
        ((System.Collections.IDictionary)storage.GetType().GetField("_states", Private)!.GetValue(storage)!).Clear();
    }

    private static async Task<Row> MeasureAsync(int agents)
    {
        // A center this size keeps its agents' and callers' grains active all day.
        using var host = await BenchSilo.StartAsync(silo => silo.Configure<Orleans.Configuration.GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromHours(2)));
        var (grains, telephony) = (host.Grains, host.Telephony);
        var setUp = Stopwatch.StartNew();
        Console.WriteLine($"{agents:N0} agents: setting up…");

        for (var q = 0; q < Queues; q++)
        {
            Check((await grains.GetGrain<IQueueGrain>($"q{q}").ConfigureAsync(
                new QueueDefinition($"q{q}", $"q{q}", $"skill == 'q{q}'", "FIFO", AgentSelection.LongestIdle, null, 0, 0, 0, false, null, null))).Problem);
            Check((await grains.GetGrain<IWorkflowGrain>($"w{q}").ConfigureAsync(
                new WorkflowDefinition($"w{q}", $"w{q}", 30, "{\"task_routing\":{\"default_filter\":{\"queue\":\"q" + q.ToString(CultureInfo.InvariantCulture) + "\"}}}"))).Problem);
        }
        await Runner.PingAsync(grains, 2000, new Latency());
        var heapBefore = Heap();
        await ForAllAsync(agents, async a =>
        {
            var q = a % Queues;
            var attributes = JsonSerializer.Serialize(new { contact_uri = $"client:a{a}", skill = $"q{q}" });
            Check((await grains.GetGrain<IAgentGrain>($"a{a}").ConfigureAsync(
                new AgentDefinition($"a{a}", $"a{a}", attributes, 1, q == 0 ? Activities.Available : Activities.Offline), false)).Problem);
        });
        var heapAgents = Heap();
        await ForAllAsync(Waiting, async c =>
        {
            var outcome = await grains.GetGrain<ICallGrain>($"wait-{c}").StartAsync(new CallStart("{}", $"w{1 + (c % (Queues - 1))}", null));
            if (outcome.Value?.Status != CallStatus.Queued)
            {
                throw new InvalidOperationException($"wait-{c} is {outcome.Value?.Status}, not waiting");
            }
        });
        var heapCalls = Heap();
        setUp.Stop();

        var offer = new Latency();
        var ping = new Latency();
        await MeasureOffersAsync(grains, telephony, 500, new Latency(), "warm");
        await Runner.PingAsync(grains, 5000, new Latency());
        await Runner.PingAsync(grains, Measured, ping);
        await MeasureOffersAsync(grains, telephony, Measured, offer, "m");
        var realtime = await grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync("q7");
        Console.WriteLine($"  p50 {offer.Percentile(50):F3} ms, p99 {offer.Percentile(99):F3} ms; {realtime?.Waiting} waiting in q7");
        var (afterDay, storage) = await DayAsync(host, agents);
        await host.StopAsync();
        return new Row(agents, Waiting, offer, ping, (heapAgents - heapBefore) / (double)agents, (heapCalls - heapAgents) / (double)Waiting, setUp.Elapsed,
            (afterDay - heapBefore) / (double)agents, storage / (double)Waiting);
    }

    private static async Task MeasureOffersAsync(IGrainFactory grains, BenchTelephony telephony, int count, Latency latency, string prefix)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}-{i}";
            var ring = telephony.RingOf(id);
            var start = Stopwatch.GetTimestamp();
            var call = grains.GetGrain<ICallGrain>(id);
            var outcome = await call.StartAsync(new CallStart("{}", "w0", null));
            if (outcome.Value?.Status != CallStatus.Offered)
            {
                throw new InvalidOperationException($"{id} was not offered at once: {outcome.Value?.Status}");
            }
            latency.Record(start, await ring);
            telephony.Forget(id);
            await call.AcceptAsync(outcome.Value.OfferedAgentId!);
            await call.CallerHungUpAsync();
        }
    }

    private static async Task ForAllAsync(int count, Func<int, Task> action)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await action(i);
            }
        }));
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static void Check(Problem? problem)
    {
        if (problem is not null)
        {
            throw new InvalidOperationException($"{problem.Field}: {problem.Detail}");
        }
    }

    private static class Runner
    {
        public static async Task PingAsync(IGrainFactory grains, int count, Latency latency)
        {
            var ping = grains.GetGrain<IPingGrain>(0);
            for (var i = 0; i < count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await ping.PingAsync(i);
                latency.Record(start, Stopwatch.GetTimestamp());
            }
        }
    }
}
