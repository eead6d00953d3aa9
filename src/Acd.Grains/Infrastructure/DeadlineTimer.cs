namespace Acd.Grains.Infrastructure;

/// <summary>
/// A one-shot grain timer for a stored deadline. The callback runs as a turn of the grain (never interleaved),
/// on the grain runtime's <see cref="TimeProvider"/>, so tests drive it with a fake clock. Grains re-arm from
/// their stored deadlines on activation, and their handlers ignore a deadline that no longer matches their state.
/// </summary>
internal sealed class DeadlineTimer(IGrainBase grain, TimeProvider time)
{
    private IGrainTimer? _timer;

    public DateTimeOffset? Due { get; private set; }

    public void Arm(DateTimeOffset? due, Func<DateTimeOffset, Task> fire)
    {
        if (due == Due && _timer is not null)
        {
            return;
        }
        Cancel();
        if (due is not { } at)
        {
            return;
        }
        Schedule(at, at - time.GetUtcNow(), fire);
    }

    /// <summary>A handler that failed (storage or a node briefly unreachable) runs again after this, not never.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private void Schedule(DateTimeOffset at, TimeSpan delay, Func<DateTimeOffset, Task> fire)
    {
        Due = at;
        _timer = grain.RegisterGrainTimer(
            async () =>
            {
                _timer?.Dispose();
                _timer = null;
                Due = null;
                var early = at - time.GetUtcNow();
                if (early > TimeSpan.Zero)
                {
                    // Timers may fire a little before their time; the handlers ignore an early deadline, so it would be lost.
                    Schedule(at, early, fire);
                    return;
                }
                try
                {
                    await fire(at);
                }
                catch (Exception) when (_timer is null)
                {
                    // Not re-armed by the handler: try the same deadline again shortly (the handler ignores a
                    // deadline its state no longer holds), and let Orleans log the failure.
                    Schedule(at, RetryDelay, fire);
                    throw;
                }
            },
            new GrainTimerCreationOptions(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    public void Cancel()
    {
        _timer?.Dispose();
        _timer = null;
        Due = null;
    }
}
