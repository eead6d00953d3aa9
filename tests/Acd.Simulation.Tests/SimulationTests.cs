namespace Acd.Simulation.Tests;

/// <summary>
/// The randomized simulation of the whole system (see README, "How Acd is tested"): from each seed, callers, agents, a
/// supervisor, an admin, the network and the clock act at random against the real grains, and every invariant holds
/// after every step, after a quiet period, after everyone hangs up, and in the statistics. CI runs a fixed budget; set
/// ACD_SIM_SEEDS and ACD_SIM_STEPS for more, or run the soak (dotnet run --project tests/Acd.Simulation -- --minutes 30).
/// </summary>
[Collection(Sequential.Name)]
public sealed class SimulationTests(SimulationFixture fixture) : IClassFixture<SimulationFixture>
{
    [Fact(Timeout = 600_000)]
    public Task RandomWorldsOnOneSiloThatRestartsKeepEveryInvariant() =>
        fixture.RunSeedsAsync(Enumerable.Range(1, SimulationFixture.Budget("ACD_SIM_SEEDS", 24)), SimulationFixture.Budget("ACD_SIM_STEPS", 300), WallClock, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

    /// <summary>How long the seeds may run (a longer budget from ACD_SIM_SECONDS).</summary>
    internal static TimeSpan WallClock => TimeSpan.FromSeconds(SimulationFixture.Budget("ACD_SIM_SECONDS", 180));

    public static TheoryData<string> Traces() => [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Traces"), "*.trace").Select(Path.GetFileName).OfType<string>()];

    /// <summary>Traces the simulation once shrank from a failure: each replays, and holds, now.</summary>
    [Theory(Timeout = 300_000)]
    [MemberData(nameof(Traces))]
    public async Task ATraceThatOnceBrokeAPromiseKeepsItNow(string trace)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "Traces", trace), TestContext.Current.CancellationToken);
        var actions = lines.Where(l => !string.IsNullOrWhiteSpace(l) && !l.StartsWith('#')).Select(SimAction.Parse).ToList();

        var failure = await SimulationRun.RunAsync(await fixture.HostAsync(), 0, actions, []);
        if (failure is not null)
        {
            await fixture.DropAsync();
        }

        Assert.True(failure is null, failure?.Report($"dotnet run --project tests/Acd.Simulation -- --trace tests/Acd.Simulation.Tests/Traces/{trace}"));
    }

    /// <summary>
    /// A seed replayed from the command line (a process of its own, as when a failure is investigated) takes the same
    /// steps and each does the same: the network serves the same requests with the same outcomes, the same phones ring.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task ASeedReplaysTheSameStepsFromTheCommandLine()
    {
        var first = await ReplayAsync(20261129, 100, TestContext.Current.CancellationToken);
        var second = await ReplayAsync(20261129, 100, TestContext.Current.CancellationToken);

        Assert.Equal(100, first.Count);
        Assert.Equal(first, second);
    }

    private static async Task<List<string>> ReplayAsync(int seed, int steps, CancellationToken cancellation)
    {
        var program = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Acd.Simulation.exe" : "Acd.Simulation");
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, ["--seed", $"{seed}", "--steps", $"{steps}", "--verbose", "--quiet-ms", "5"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var errors = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        var all = await output + await errors;
        Assert.True(process.ExitCode == 0, all[^Math.Min(all.Length, 4000)..]);
        return [.. all.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*\d+ [A-Z]")).Select(Neutral)];
    }

    /// <summary>
    /// A step's line without what depends on the machine: how long it took, where a restart's time went, and the
    /// diagnostics of waits and second looks.
    /// </summary>
    private static string Neutral(string line) => System.Text.RegularExpressions.Regex.Replace(
        line.TrimEnd(), @"\[(new silo|old stopped|gone from membership|quiet|client back|router not yet|seen mid-flight|killed|recovered|joined)[^\]]*\] ?|\[[\d.]+ ms\] ?", "");
}

/// <summary>The same on two silos, one of which now and then dies without warning (a new one joins).</summary>
[Collection(Sequential.Name)]
public sealed class TwoSiloSimulationTests(TwoSiloFixture fixture) : IClassFixture<TwoSiloFixture>
{
    [Fact(Timeout = 600_000)]
    public Task RandomWorldsOnTwoSilosOneDyingKeepEveryInvariant() =>
        fixture.RunSeedsAsync(Enumerable.Range(1001, SimulationFixture.Budget("ACD_SIM_SEEDS_2", 6)), SimulationFixture.Budget("ACD_SIM_STEPS", 300), SimulationTests.WallClock / 2, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
}

/// <summary>The simulated deployments measure quiet by real time between steps: two at once on two cores would only slow both.</summary>
[CollectionDefinition(Name)]
public sealed class Sequential
{
    public const string Name = "simulation, one deployment at a time";
}
