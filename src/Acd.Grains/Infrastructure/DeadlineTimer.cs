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
        Due = at;
        var delay = at - time.GetUtcNow();
        _timer = grain.RegisterGrainTimer(
            () =>
            {
                _timer?.Dispose();
                _timer = null;
                Due = null;
                return fire(at);
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
