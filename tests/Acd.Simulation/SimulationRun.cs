using Acd.Api.Statistics;
using Acd.Grains.Abstractions;
using Acd.Grains.Events;
using Acd.Grains.Events.Types;
using Acd.Grains.Statistics;
using Microsoft.Extensions.Options;

namespace Acd.Simulation;

/// <summary>How a run failed: where, which promise, and the trace that led there.</summary>
public sealed record SimFailure(int Seed, int Step, string Invariant, string Message, IReadOnlyList<SimAction> Actions, IReadOnlyList<string> Trace, IReadOnlyList<string> Log, string State)
{
    public string Report(string replay)
    {
        var lines = new List<string>
        {
            $"Simulation seed {Seed} broke '{Invariant}' at step {Step}: {Message}",
            $"Replay: {replay}",
            "Trace (step, action as drawn, what it did):",
        };
        lines.AddRange(Trace.Select(t => "  " + t));
        lines.Add("State when it broke:");
        lines.Add(State);
        if (Log.Count > 0)
        {
            lines.Add("Acd's last warnings:");
            lines.AddRange(Log.TakeLast(25).Select(l => "  " + l));
        }
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>One run of a world: its steps, checked after each; a quiet period; everyone hanging up; the statistics.</summary>
public static class SimulationRun
{
    /// <summary>After the last step, the network delivers everything and the clock runs on this long, in these steps.</summary>
    private static readonly TimeSpan QuietStep = TimeSpan.FromSeconds(5);
    private const int QuietSteps = 40;

    private static int _runs;

    /// <summary>Where the time of the runs went, in Stopwatch ticks: the steps, settling, reading and checking.</summary>
    public static (long Steps, long Settle, long Check, long Quiet) Spent { get; private set; }

    /// <summary>Where each step is written as it happens (the soak's --verbose); null: nowhere.</summary>
    public static TextWriter? Live { get; set; }

    /// <summary>
    /// Runs the actions in a new world on the host. The driver runs on the thread pool whoever calls (a test framework's
    /// synchronization context would change when its steps resume, and with that what has settled).
    /// </summary>
    public static Task<SimFailure?> RunAsync(SimHost host, int seed, IReadOnlyList<SimAction> actions, List<string>? trace = null) =>
        Task.Run(() => RunOnPoolAsync(host, seed, actions, trace));

    private static async Task<SimFailure?> RunOnPoolAsync(SimHost host, int seed, IReadOnlyList<SimAction> actions, List<string>? trace)
    {
        var run = Interlocked.Increment(ref _runs);
        var prefix = $"s{seed}r{run}";
        var world = new World(host, prefix, run);
        var invariants = new Invariants(host, world);
        var step = -1;
        var lines = trace ?? [];
        var events = await host.EventLog.QueryAsync(new EventQuery(Limit: 1));
        var from = host.Time.GetUtcNow();
        try
        {
            await world.SetupAsync();
            await host.SettleAsync();
            await invariants.CheckAsync();
            for (step = 0; step < actions.Count; step++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                Live?.Write($"{step,4} {actions[step],-30} ");
                var what = await Bounded(world.ApplyAsync(actions[step]), "the step", actions[step].Kind is ActionKind.Kill or ActionKind.Restart ? ClusterStepLimit : StepLimit);
                lines.Add($"{step,4} {actions[step],-30} {what}");
                Live?.Write(what);
                var applied = System.Diagnostics.Stopwatch.GetTimestamp();
                await host.SettleAsync();
                var settled = System.Diagnostics.Stopwatch.GetTimestamp();
                Live?.WriteLine($"  [{System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms]");
                world.CollectCallbacks();
                await Bounded(invariants.CheckAsync(), "reading Acd's state");
                var checkedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                Spent = (Spent.Steps + applied - started, Spent.Settle + settled - applied, Spent.Check + checkedAt - settled, Spent.Quiet);
            }
            step = actions.Count;
            var quietFrom = System.Diagnostics.Stopwatch.GetTimestamp();
            lines.Add($"{step,4} quiet: the network delivers everything, the clock runs on {QuietStep.TotalSeconds * QuietSteps}s");
            await QuietAsync(host, world, invariants);
            invariants.CheckSettled();
            step++;
            lines.Add($"{step,4} drain: every caller and customer hangs up; callbacks not yet through are canceled; agents finish");
            foreach (var callback in world.Now.LiveCalls.Where(c => c.Callback is { ConnectedAt: null }))
            {
                await host.Grains.GetGrain<ICallGrain>(callback.Id).CancelCallbackAsync("drain");
            }
            foreach (var leg in host.Twilio.Legs.Where(l => world.Owns(l) && !l.IsFinal && (l.Direction == "inbound" || world.Customers.Contains(l.To))).ToList())
            {
                host.Twilio.HangUp(leg.Sid);
            }
            await host.SettleAsync();
            await QuietAsync(host, world, invariants);
            invariants.CheckDrained();
            step++;
            lines.Add($"{step,4} statistics");
            Spent = Spent with { Quiet = Spent.Quiet + System.Diagnostics.Stopwatch.GetTimestamp() - quietFrom };
            await StatisticsAgreeAsync(host, world, from);
            return null;
        }
        catch (Exception e)
        {
            var (invariant, message) = e switch
            {
                InvariantException v => (v.Invariant, v.Message),
                SimulationStuckException s => ("settles", s.Message),
                _ => ("no exceptions", $"{e.GetType().Name}: {e.Message}"),
            };
            string state;
            try
            {
                state = invariants.Describe();
            }
            catch (Exception describing)
            {
                state = $"(could not be read: {describing.Message})";
            }
            return new SimFailure(seed, step, invariant, message, actions, lines, host.Log.Recent, state);
        }
    }

    /// <summary>A step that does not finish in real time hangs (a deadlock, a call that never returns): a failure, not a wait.</summary>
    private static async Task<T> Bounded<T>(Task<T> work, string what, TimeSpan? limit = null)
    {
        var bound = limit ?? StepLimit;
        try
        {
            return await work.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new SimulationStuckException($"{what} did not finish within {bound.TotalSeconds}s{(SimHost.Phase is { } phase ? $" ({phase})" : "")}");
        }
    }

    private static async Task Bounded(Task work, string what) => await Bounded(work.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), what);

    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A silo killed or restarted: Orleans' membership must declare it gone, the cluster go quiet and a silo join, each
    /// bounded on its own (20, 25 and 30 s); on a loaded CI machine these added up past the ordinary step's limit.
    /// </summary>
    private static readonly TimeSpan ClusterStepLimit = TimeSpan.FromSeconds(90);

    /// <summary>Everything Twilio said is delivered and everything Acd asked is answered, while the clock runs on.</summary>
    private static async Task QuietAsync(SimHost host, World world, Invariants invariants)
    {
        for (var i = 0; i < QuietSteps; i++)
        {
            await world.DeliverAllAsync(0);
            await world.ServeAllAsync();
            world.Advance(QuietStep);
            await host.SettleAsync();
            world.CollectCallbacks();
            await invariants.CheckAsync();
        }
    }

    /// <summary>
    /// The statistics the API reports equal those recomputed from the event log, and the log tells every call's end
    /// exactly once (and none of a call that has not ended).
    /// </summary>
    private static async Task StatisticsAgreeAsync(SimHost host, World world, DateTimeOffset from)
    {
        var all = new List<AcdEvent>();
        long after = 0;
        while (true)
        {
            var page = await host.EventLog.QueryAsync(new EventQuery(From: from, After: after, Limit: 5000));
            all.AddRange(page.Events);
            if (page.Next is not { } next)
            {
                break;
            }
            after = next;
        }
        foreach (var call in world.Now.Calls.Values)
        {
            var endings = all.Count(e => e.CallId == call.Id && EventTypes.Read(e) is TaskEnded);
            if (endings != (call.Status.IsFinal() ? 1 : 0))
            {
                throw new InvariantException("statistics", $"{world.Short(call.Id)} is {call.Status} and the event log tells its end {endings} times");
            }
        }
        var service = new StatisticsService(host.EventLog, host.Ledger, host.Grains, Options.Create(new AcdOptions()), Options.Create(new StatisticsOptions()), host.Time);
        var window = new StatisticsWindow(from, host.Time.GetUtcNow().AddSeconds(1));
        var thresholds = service.DefaultThresholds();
        foreach (var queueId in world.QueueIds.Where(q => world.Queues.GetValueOrDefault(q) is not null))
        {
            var reported = await service.QueueAsync(queueId, window, thresholds);
            var recomputed = StatisticsCalculator.Queue(queueId, window, thresholds, all.Where(e => e.QueueId == queueId));
            if (reported is not null && Json(reported.Cumulative) != Json(recomputed))
            {
                throw new InvariantException("statistics", $"{queueId}: the API reports {reported.Cumulative} but the event log gives {recomputed}");
            }
        }
        // Today's running figures (what dashboards read) equal today's figures computed from the log.
        var today = StatisticsWindow.Today(host.Time.GetUtcNow(), new AcdOptions().Zone());
        var (queueToday, agentToday) = await host.Ledger.TodayAsync(today, thresholds);
        var day = new List<AcdEvent>();
        after = 0;
        while (true)
        {
            var page = await host.EventLog.QueryAsync(new EventQuery(From: today.From, After: after, Limit: 5000));
            day.AddRange(page.Events);
            if (page.Next is not { } next)
            {
                break;
            }
            after = next;
        }
        var dayStart = await host.EventLog.LastPerAgentBeforeAsync(EventTypes.NameOf<WorkerActivityUpdated>(), today.From);
        foreach (var queueId in world.QueueIds)
        {
            var recomputed = StatisticsCalculator.Queue(queueId, today, thresholds, day);
            if (Json(queueToday(queueId)) != Json(recomputed))
            {
                throw new InvariantException("statistics", $"{queueId} today: the ledger reports {queueToday(queueId)} but the event log gives {recomputed}");
            }
        }
        foreach (var agentId in world.AgentIds)
        {
            var recomputed = StatisticsCalculator.Agent(agentId, today, dayStart.FirstOrDefault(e => e.AgentId == agentId), day);
            if (Json(agentToday(agentId)) != Json(recomputed))
            {
                throw new InvariantException("statistics", $"{agentId} today: the ledger reports {agentToday(agentId)} but the event log gives {recomputed}");
            }
        }
        foreach (var agentId in world.AgentIds)
        {
            var reported = await service.AgentAsync(agentId, window);
            var atStart = await host.EventLog.LastPerAgentBeforeAsync(EventTypes.NameOf<WorkerActivityUpdated>(), window.From);
            var recomputed = StatisticsCalculator.Agent(agentId, window, atStart.FirstOrDefault(e => e.AgentId == agentId), all.Where(e => e.AgentId == agentId || e.AgentId is null));
            if (Json(reported) != Json(recomputed))
            {
                throw new InvariantException("statistics", $"{agentId}: the API reports {reported} but the event log gives {recomputed}");
            }
        }
    }

    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>
    /// Shrinks a failing trace (delta debugging): drops chunks of steps while the run still breaks the same promise, within
    /// <paramref name="budget"/>. Returns the shortest failing trace found, with its failure.
    /// </summary>
    public static async Task<SimFailure> ShrinkAsync(SimHost host, SimFailure failure, TimeSpan budget, Action<string>? progress = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var best = failure;
        var current = failure.Actions.Take(Math.Min(failure.Actions.Count, failure.Step + 1)).ToList();
        var chunks = 2;
        while (current.Count >= 2 && clock.Elapsed < budget)
        {
            var size = (int)Math.Ceiling(current.Count / (double)chunks);
            var reduced = false;
            for (var start = 0; start < current.Count && clock.Elapsed < budget; start += size)
            {
                var candidate = current.Take(start).Concat(current.Skip(start + size)).ToList();
                var trace = new List<string>();
                if (await RunAsync(host, failure.Seed, candidate, trace) is { } again && again.Invariant == failure.Invariant)
                {
                    current = [.. candidate.Take(Math.Min(candidate.Count, again.Step + 1))];
                    best = again with { Actions = current, Trace = trace };
                    chunks = Math.Max(chunks - 1, 2);
                    reduced = true;
                    progress?.Invoke($"shrunk to {current.Count} steps");
                    break;
                }
            }
            if (!reduced)
            {
                if (chunks >= current.Count)
                {
                    break;
                }
                chunks = Math.Min(current.Count, chunks * 2);
            }
        }
        return best;
    }
}
