using Acd.Grains.Abstractions;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Router;

/// <summary>
/// Runs on every silo once it is active. It pings the router every few seconds, so a router lost with its silo is
/// reactivated (and rebuilt from storage) on a survivor without any request from outside; and when the membership
/// table declares a silo dead, it asks the router to reactivate what that silo hosted (waiting calls, agents and
/// the calls they hold), so every stored deadline runs again.
/// </summary>
public sealed class RouterKeeper(IGrainFactory grains, IClusterMembershipService membership, TimeProvider time, ILogger<RouterKeeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How often each silo makes sure the router is active.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private Task _work = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RouterKeeper), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        _work = Task.WhenAll(Task.Run(PingLoopAsync, CancellationToken.None), Task.Run(WatchMembershipAsync, CancellationToken.None));
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _work.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private IRouterGrain Router => grains.GetGrain<IRouterGrain>(RouterGrainKey.Default);

    private async Task PingLoopAsync()
    {
        using var timer = new PeriodicTimer(PingInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await Router.PingAsync().WaitAsync(PingInterval, _stopping.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Router keep-alive failed (retrying in {Interval}): {Message}", PingInterval, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task WatchMembershipAsync()
    {
        var previous = membership.CurrentSnapshot;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(_stopping.Token))
            {
                var lost = snapshot.CreateUpdate(previous).Changes.Where(c => c.Status == SiloStatus.Dead).Select(c => c.SiloAddress).ToList();
                previous = snapshot;
                if (lost.Count == 0)
                {
                    continue;
                }
                logger.LogWarning("Silo(s) {Silos} declared dead: recovering the calls and agents they hosted", string.Join(", ", lost));
                await RecoverAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task RecoverAsync()
    {
        // The directory may still be settling right after the death is declared: try a few times.
        for (var attempt = 1; attempt <= 5 && !_stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await Router.RecoverAsync();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Recovery attempt {Attempt} failed: {Message}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(attempt), _stopping.Token);
            }
        }
    }
}
