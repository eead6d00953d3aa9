namespace Acd.Simulation;

/// <summary>
/// The simulated clock as the silos see it: every timer callback it fires is counted. A timer that fires hands its work
/// to a grain (or a request) a moment later, and that moment is not yet activity anyone can see: after a timer has fired,
/// a step waits longer for quiet before it counts as settled.
/// </summary>
public sealed class TrackedTime(TimeProvider inner) : TimeProvider
{
    private long _fired;

    /// <summary>Timer callbacks fired so far.</summary>
    public long Fired => Interlocked.Read(ref _fired);

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(s =>
        {
            Interlocked.Increment(ref _fired);
            callback(s);
        }, state, dueTime, period);
}
