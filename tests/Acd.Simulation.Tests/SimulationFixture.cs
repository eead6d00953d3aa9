namespace Acd.Simulation.Tests;

/// <summary>One simulated deployment shared by the tests of a class: each run builds its own contact center inside it.</summary>
public class SimulationFixture : IAsyncLifetime
{
    protected virtual int Silos => 1;

    public SimHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await SimHost.StartAsync(Silos);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs the seeds given; on the first failure, shrinks it and fails with the report and how to replay it.</summary>
    public async Task RunSeedsAsync(IEnumerable<int> seeds, int steps, TimeSpan shrinkBudget)
    {
        foreach (var seed in seeds)
        {
            var actions = SimActions.Generate(seed, steps, Host.SiloCount);
            if (await SimulationRun.RunAsync(Host, seed, actions, []) is not { } failure)
            {
                continue;
            }
            var shrunk = await SimulationRun.ShrinkAsync(Host, failure, shrinkBudget);
            var path = Path.Combine(Path.GetTempPath(), $"acd-sim-seed-{seed}.trace");
            await File.WriteAllLinesAsync(path, [$"# seed {seed}, {shrunk.Invariant}: {shrunk.Message}", .. shrunk.Actions.Select(a => a.ToString())]);
            Assert.Fail(shrunk.Report($"dotnet run --project tests/Acd.Simulation -- --silos {Host.SiloCount} --trace {path}   (the whole run: --seed {seed} --steps {steps})"));
        }
    }

    /// <summary>A budget from the environment (for a longer run than CI's), or the default.</summary>
    public static int Budget(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var value) && value > 0 ? value : fallback;
}

public sealed class TwoSiloFixture : SimulationFixture
{
    protected override int Silos => 2;
}
