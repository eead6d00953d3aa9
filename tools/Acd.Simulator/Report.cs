using System.Text.Json.Nodes;
using Acd.Grains.Statistics;

namespace Acd.Simulator;

/// <summary>The end-of-run report: Acd's own figures, what the simulator measured of Acd, and Erlang C for comparison.</summary>
public static class Report
{
    public static void Print(TextWriter output, SimulatorOptions options, Simulation simulation, JsonObject? statistics)
    {
        var c = simulation.Counts();
        output.WriteLine();
        output.WriteLine($"== Report: {simulation.Clock.Elapsed:hh\\:mm\\:ss} simulated in real time, seed {options.Seed} ==");
        output.WriteLine($"Calls: {c.Arrived} arrived, {c.Answered} answered, {c.Abandoned} abandoned ({Share(c.Abandoned, c.Arrived)}), {c.LetRingOut} offers left to ring out, {c.Failed} refused by Acd or failed");
        var queues = statistics?["queues"]?.AsArray() ?? [];
        int answered = 0, abandoned = 0, shortAbandons = 0, inTime = 0;
        double answeredWait = 0;
        foreach (var queue in queues)
        {
            var q = queue!["cumulative"]!;
            output.WriteLine($"  {queue["queue_id"],-12} entered {q["tasks_entered"],4}  answered {q["tasks_answered"],4}  abandoned {q["tasks_abandoned"],3}  service level {LiveView.Percent(q["service_level"])} (≤{q["service_level_threshold"]} s)  ASA {LiveView.Seconds(q["average_speed_of_answer"])}  AHT {LiveView.Seconds(q["average_handle_time"])}");
            var n = q["tasks_answered"]!.GetValue<int>();
            answered += n;
            abandoned += q["tasks_abandoned"]!.GetValue<int>();
            shortAbandons += q["tasks_abandoned_short"]!.GetValue<int>();
            inTime += q["answered_within_service_level"]!.GetValue<int>();
            answeredWait += (q["average_speed_of_answer"]?.GetValue<double>() ?? 0) * n;
        }
        var offered = answered + abandoned - shortAbandons;
        output.WriteLine($"All queues: service level {(offered > 0 ? $"{100.0 * inTime / offered:0.0}%" : "—")}, average speed of answer {(answered > 0 ? $"{answeredWait / answered:0.0} s" : "—")}, abandon rate {Share(abandoned, answered + abandoned)}");
        var occupancies = (statistics?["agents"]?.AsArray() ?? []).Select(a => a!["occupancy"]?.GetValue<double>()).OfType<double>().ToList();
        output.WriteLine($"Agent occupancy: {(occupancies.Count > 0 ? $"{occupancies.Average() * 100:0.0}% on average ({occupancies.Min() * 100:0}–{occupancies.Max() * 100:0}%)" : "—")}");

        var (w50, w99, wn) = simulation.Percentiles("webhook");
        var (b50, b99, bn) = simulation.Percentiles("callback");
        var (r50, r99, rn) = simulation.Percentiles("ring");
        output.WriteLine("Latency Acd added (measured by the simulator on this machine):");
        output.WriteLine($"  voice webhook → TwiML        p50 {w50,6:0.0} ms   p99 {w99,6:0.0} ms   ({wn} requests)");
        output.WriteLine($"  status callback → 2xx        p50 {b50,6:0.0} ms   p99 {b99,6:0.0} ms   ({bn} callbacks)");
        output.WriteLine($"  call in → agent's phone rung p50 {r50,6:0.0} ms   p99 {r99,6:0.0} ms   ({rn} calls that found an agent free; includes the webhook)");

        // The M/M/c yardstick for the same load, as one pooled queue with every agent and nobody abandoning.
        var lambda = options.CallsPerMinute / 60;
        var load = lambda * options.TalkSeconds;
        var holding = options.TalkSeconds + options.WrapUpSeconds;
        output.WriteLine(load < options.Agents
            ? $"Erlang C for M/M/{options.Agents} at {load:0.0} Erlangs (pooled, no abandonment, talk only): P(wait) {ErlangC.ProbabilityOfWaiting(options.Agents, lambda, options.TalkSeconds):0.000}, mean wait {ErlangC.AverageWaitSeconds(options.Agents, lambda, options.TalkSeconds):0.0} s, service level {100 * ErlangC.ServiceLevel(options.Agents, lambda, options.TalkSeconds, 20):0.0}%; with wrap-up as part of holding time ({holding:0} s): P(wait) {ErlangC.ProbabilityOfWaiting(options.Agents, lambda, holding):0.000}. Skills split the agents and callers abandon here, so measured figures differ; tests/Acd.Grains.Tests/Queueing checks Acd against Erlang C exactly where the model holds."
            : $"Erlang C: {load:0.0} Erlangs on {options.Agents} agents is more than they can serve; queues grow without bound.");
    }

    private static string Share(int part, int whole) => whole == 0 ? "—" : $"{100.0 * part / whole:0.0}%";
}
