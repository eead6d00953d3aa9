using Orleans.Concurrency;

namespace Acd.Simulation;

/// <summary>
/// Counts the grain work under way in the simulated cluster: grain turns (timer ticks included), calls awaiting their
/// answer, and one-way messages sent but not yet handled. With the network's own counts it tells when the system has
/// nothing left to do until the world or the clock moves.
/// </summary>
public sealed class ActivityTracker : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    private const string InTransit = "sim.in-transit";

    private int _turns;
    private int _calls;
    private int _transit;
    private long _started;

    /// <summary>Grain turns running, calls awaiting answers, one-way messages not yet handled.</summary>
    public (int Turns, int Calls, int Transit) Busy => (Volatile.Read(ref _turns), Volatile.Read(ref _calls), Volatile.Read(ref _transit));

    /// <summary>Nothing under way (counts below zero are work from before a reset finishing late).</summary>
    public bool Idle => Busy is ( <= 0, <= 0, <= 0);

    /// <summary>Grows with every turn and call started: unchanged over a while means nothing moved.</summary>
    public long Stamp => Interlocked.Read(ref _started);

    /// <summary>A silo was stopped or killed: what was under way on it will never finish.</summary>
    public void Reset()
    {
        Volatile.Write(ref _turns, 0);
        Volatile.Write(ref _calls, 0);
        Volatile.Write(ref _transit, 0);
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var transit = RequestContext.Get(InTransit) is not null;
        if (transit)
        {
            RequestContext.Remove(InTransit);
        }
        Interlocked.Increment(ref _turns);
        Interlocked.Increment(ref _started);
        try
        {
            await context.Invoke();
        }
        finally
        {
            Interlocked.Decrement(ref _turns);
            if (transit)
            {
                Interlocked.Decrement(ref _transit);
            }
        }
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var oneWay = context.InterfaceMethod?.IsDefined(typeof(OneWayAttribute), inherit: false) == true;
        if (oneWay)
        {
            // Counted until the receiver has handled it, which its incoming filter sees by this mark.
            Interlocked.Increment(ref _transit);
            RequestContext.Set(InTransit, true);
        }
        Interlocked.Increment(ref _calls);
        Interlocked.Increment(ref _started);
        try
        {
            await context.Invoke();
        }
        finally
        {
            Interlocked.Decrement(ref _calls);
            if (oneWay)
            {
                RequestContext.Remove(InTransit);
            }
        }
    }
}
