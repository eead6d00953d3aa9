using System.Diagnostics;

namespace Acd.Simulation.Tests;

/// <summary>
/// One simulated deployment shared by the tests of a class: each run builds its own contact center inside it. After a
/// run that failed, the deployment may be half torn down (a restart that broke, a silo that hung), so the next run gets
/// a new one.
/// </summary>
public class SimulationFixture : IAsyncLifetime
{
    private SimHost? _host;

    protected virtual int Silos => 1;

    public async ValueTask InitializeAsync() => _host = await SimHost.StartAsync(Silos);

    /// <summary>A deployment no failed run has touched.</summary>
    public async Task<SimHost> HostAsync()
    {
        if (_host is null)
        {
            _host = await SimHost.StartAsync(Silos);
        }
        return _host;
    }

    /// <summary>A run failed: the deployment it ran on is dropped (within a bound: a hung one is left to the process).</summary>
    public async Task DropAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await DisposeQuietlyAsync(host);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DropAsync();
        GC.SuppressFinalize(this);
    }

    private static async Task DisposeQuietlyAsync(SimHost host)
    {
        try
        {
            await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is TimeoutException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            TestContext.Current.SendDiagnosticMessage($"A simulated deployment did not stop cleanly: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Runs the seeds given, each for <paramref name="steps"/> steps, until they are done or <paramref name="wallClock"/>
    /// has passed (CI's budget on a slower machine; how many ran is reported). On the first failure, shrinks it and fails
    /// with the report and how to replay it.
    /// </summary>
    public async Task RunSeedsAsync(IEnumerable<int> seeds, int steps, TimeSpan wallClock, TimeSpan shrinkBudget, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var ran = 0;
        var all = seeds.ToList();
        foreach (var seed in all)
        {
            cancellation.ThrowIfCancellationRequested();
            if (clock.Elapsed > wallClock)
            {
                break;
            }
            var host = await HostAsync();
            var actions = SimActions.Generate(seed, steps, host.SiloCount);
            ran++;
            if (await SimulationRun.RunAsync(host, seed, actions, []) is not { } failure)
            {
                continue;
            }
            await DropAsync();
            var shrunk = await SimulationRun.ShrinkAsync(await HostAsync(), failure, shrinkBudget);
            await DropAsync();
            var path = Path.Combine(Path.GetTempPath(), $"acd-sim-seed-{seed}.trace");
            await File.WriteAllLinesAsync(path, [$"# seed {seed}, {shrunk.Invariant}: {shrunk.Message}", .. shrunk.Actions.Select(a => a.ToString())], CancellationToken.None);
            Assert.Fail(shrunk.Report($"dotnet run --project tests/Acd.Simulation -- --silos {Silos} --trace {path}   (the whole run: --seed {seed} --steps {steps})"));
        }
        TestContext.Current.SendDiagnosticMessage($"Simulation on {Silos} silo(s): {ran} of {all.Count} seeds x {steps} steps in {clock.Elapsed.TotalSeconds:F0}s, every invariant held; " +
            $"{Invariants.SecondLooksCleared} failures seen mid-flight (in this process) were gone at a second look");
        Assert.True(ran > 0, "no seed ran within the budget");
    }

    /// <summary>A budget from the environment (for a longer run than CI's), or the default.</summary>
    public static int Budget(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var value) && value > 0 ? value : fallback;
}

public sealed class TwoSiloFixture : SimulationFixture
{
    protected override int Silos => 2;
}
