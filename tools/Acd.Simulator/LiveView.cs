using System.Text;
using System.Text.Json.Nodes;

namespace Acd.Simulator;

/// <summary>A block of lines redrawn in place every second (or a line every ten seconds when output is redirected).</summary>
public sealed class LiveView
{
    private static readonly string[] AgentStates = ["idle", "ringing", "talking", "wrap-up", "break"];

    private int _lines;
    private int _ticks;

    public void Draw(Simulation simulation, JsonObject? statistics)
    {
        var c = simulation.Counts();
        var text = new StringBuilder();
        text.AppendLine($"{simulation.Clock.Elapsed:hh\\:mm\\:ss}  {(simulation.Arriving ? "calls arriving" : "finishing the calls in progress")}");
        text.AppendLine($"  callers   arrived {c.Arrived,5}   waiting {c.Waiting,4}   talking {c.Talking,4}   completed {c.Completed,5}   abandoned {c.Abandoned,4}   let ring out {c.LetRingOut,3}");
        text.AppendLine($"  agents    {string.Join("   ", AgentStates.Select(s => $"{s} {c.Agents.GetValueOrDefault(s),3}"))}");
        foreach (var queue in statistics?["queues"]?.AsArray() ?? [])
        {
            var q = queue!["cumulative"]!;
            var realtime = queue["realtime"]!;
            text.AppendLine($"  {queue["queue_id"],-12} waiting {realtime["tasks_waiting"],3}  longest {realtime["longest_task_waiting_age"]?.GetValue<double>() ?? 0,5:0}s  answered {q["tasks_answered"],4}  abandoned {q["tasks_abandoned"],3}  SL {Percent(q["service_level"])}  ASA {Seconds(q["average_speed_of_answer"])}");
        }
        var (p50, p99, _) = simulation.Percentiles("webhook");
        var (r50, r99, _) = simulation.Percentiles("ring");
        text.AppendLine($"  Acd       webhook p50 {p50:0.0} ms p99 {p99:0.0} ms   call in → agent rung p50 {r50:0.0} ms p99 {r99:0.0} ms");

        if (Console.IsOutputRedirected)
        {
            if (_ticks++ % 10 == 0)
            {
                Console.Write(text);
            }
            return;
        }
        if (_lines > 0)
        {
            Console.Write($"\u001b[{_lines}A");
        }
        var lines = text.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            Console.Write("\u001b[2K");
            Console.WriteLine(line);
        }
        for (var i = lines.Length; i < _lines; i++)
        {
            Console.Write("\u001b[2K\n");
        }
        _lines = Math.Max(lines.Length, _lines);
    }

    internal static string Percent(JsonNode? value) => value is null ? "  —  " : $"{value.GetValue<double>(),5:0.0}%";

    internal static string Seconds(JsonNode? value) => value is null ? "  — " : $"{value.GetValue<double>(),4:0}s";
}
