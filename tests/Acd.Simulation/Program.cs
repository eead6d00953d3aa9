using System.CommandLine;
using System.Diagnostics;
using Acd.Grains.Events;
using Acd.Simulation;

// The simulation's command line: a seed or a range of seeds, a replayed trace, or a soak for some minutes.
var seed = new Option<int>("--seed") { Description = "The first seed to run", DefaultValueFactory = _ => 1 };
var seeds = new Option<int>("--seeds") { Description = "How many seeds to run, from --seed on", DefaultValueFactory = _ => 1 };
var steps = new Option<int>("--steps") { Description = "Steps per seed", DefaultValueFactory = _ => 500 };
var silos = new Option<int>("--silos") { Description = "Silos in the cluster: 1 (restarts) or 2 (one dies now and then)", DefaultValueFactory = _ => 1 };
var minutes = new Option<double?>("--minutes") { Description = "Soak: run seeds one after another for this long, then print events per second" };
var trace = new Option<FileInfo?>("--trace") { Description = "Replay the steps in this file (one 'Kind A B C' per line) instead of drawing them from the seed" };
var shrink = new Option<bool>("--shrink") { Description = "Shrink a failing run to a short trace", DefaultValueFactory = _ => true };
var verbose = new Option<bool>("--verbose") { Description = "Print every step of every run" };
var quiet = new Option<double>("--quiet-ms") { Description = "How long nothing may move before a step counts as settled (longer on a loaded machine: slower, steadier replays)", DefaultValueFactory = _ => 0.4 };
var root = new RootCommand("Acd's deterministic simulation: real grains, a simulated clock, a fake Twilio behind a network that misbehaves, and a world that acts at random.")
{
    seed, seeds, steps, silos, minutes, trace, shrink, verbose, quiet,
};
root.SetAction(async (result, cancellation) =>
{
    var first = result.GetValue(seed);
    var count = result.GetValue(seeds);
    var length = result.GetValue(steps);
    var siloCount = Math.Clamp(result.GetValue(silos), 1, 2);
    var soak = result.GetValue(minutes);
    var file = result.GetValue(trace);
    await using var host = await SimHost.StartAsync(siloCount);
    SimulationRun.Live = result.GetValue(verbose) ? Console.Error : null;
    SimHost.QuietWindow = TimeSpan.FromMilliseconds(Math.Max(0.1, result.GetValue(quiet)));
    var clock = Stopwatch.StartNew();
    var stepsRun = 0L;
    var runs = 0;
    var eventsBefore = host.EventLog.Count;
    for (var s = first; ; s++)
    {
        if (soak is { } m ? clock.Elapsed.TotalMinutes >= m : s >= first + count)
        {
            break;
        }
        var actions = file is null ? SimActions.Generate(s, length, siloCount) : [.. File.ReadAllLines(file.FullName).Where(l => !string.IsNullOrWhiteSpace(l) && !l.StartsWith('#')).Select(SimAction.Parse)];
        var lines = new List<string>();
        var failure = await SimulationRun.RunAsync(host, s, actions, lines);
        runs++;
        stepsRun += actions.Count;
        if (failure is not null)
        {
            if (result.GetValue(shrink) && file is null)
            {
                Console.Error.WriteLine($"Seed {s} failed at step {failure.Step}: {failure.Message}; shrinking…");
                failure = await SimulationRun.ShrinkAsync(host, failure, TimeSpan.FromMinutes(5), p => Console.Error.WriteLine("  " + p));
            }
            var path = Path.Combine(Path.GetTempPath(), $"acd-sim-seed-{s}.trace");
            await File.WriteAllLinesAsync(path, [$"# seed {s}, {failure.Invariant}: {failure.Message}", .. failure.Actions.Select(a => a.ToString())], cancellation);
            Console.WriteLine(failure.Report($"dotnet run --project tests/Acd.Simulation -- --silos {siloCount} --trace {path}   (or: --seed {s} --steps {length})"));
            return 1;
        }
        Console.Error.WriteLine($"seed {s}: ok ({actions.Count} steps, {clock.Elapsed.TotalSeconds:F0}s so far)");
    }
    var events = host.EventLog.Count - eventsBefore;
    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"{runs} runs, {stepsRun} steps in {seconds:F0}s: {stepsRun / seconds:F0} steps/s, {events / seconds:F0} events/s; every invariant held" +
        (Invariants.SecondLooksCleared > 0 ? $" ({Invariants.SecondLooksCleared} failures seen mid-flight were gone at a second look)" : ""));
    var spent = SimulationRun.Spent;
    Console.Error.WriteLine($"time in steps {Stopwatch.GetElapsedTime(0, spent.Steps).TotalSeconds:F1}s, settling {Stopwatch.GetElapsedTime(0, spent.Settle).TotalSeconds:F1}s, checking {Stopwatch.GetElapsedTime(0, spent.Check).TotalSeconds:F1}s, quiet and drain {Stopwatch.GetElapsedTime(0, spent.Quiet).TotalSeconds:F1}s");
    return 0;
});
return await root.Parse(args).InvokeAsync();
