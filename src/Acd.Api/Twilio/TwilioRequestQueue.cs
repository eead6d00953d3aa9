using Acd.Grains.Telephony;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acd.Api.Twilio;

/// <summary>
/// How far behind Twilio requests are (design rule 8): shown in queue statistics and logs. <see cref="RingGroupLegsWithheld"/>:
/// for one queue, ring-group legs Acd did not ask for because the pace could not send them soon (since the node started).
/// </summary>
public sealed record TelephonyBacklog(int Waiting, double OldestSeconds, double CallsPerSecond, long Sent, long Failed, long? RingGroupLegsWithheld = null);

/// <summary>
/// Paces the requests that create calls (Participants, Calls) to <c>Twilio:CallsPerSecond</c>, most urgent first
/// (a waiting caller's agent leg before anything else), so a burst of callers never builds a hidden backlog at
/// Twilio, which would queue the excess for hours instead of refusing it (design rule 8). Requests run off the
/// grains' turns: a slow Twilio delays calls' legs, never the routing of other calls.
/// The limit is the account's, so in a cluster each node takes an equal share of it: CallsPerSecond divided by the
/// active silos, counted again every few seconds (a node that leaves gives its share back to the others).
/// Time is the network's clock (<see cref="TwilioClock"/>), so a simulation can run the pace on simulated time.
/// </summary>
public sealed class TwilioRequestQueue : BackgroundService
{
    /// <summary>Most urgent first; then the oldest; requests made at the same instant by key, so their order never depends on thread timing.</summary>
    private readonly PriorityQueue<Entry, (Urgency Urgency, DateTimeOffset At, string Key, long Sequence)> _queue = new(SendOrder.Instance);
    private readonly PriorityQueue<Entry, DateTimeOffset> _heldBack = new();
    private readonly Dictionary<string, Entry> _byKey = new(StringComparer.Ordinal);
    private readonly HashSet<string> _runningKeys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private static readonly TimeSpan MembershipCheck = TimeSpan.FromSeconds(5);

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly ILogger<TwilioRequestQueue> _logger;
    private readonly double _callsPerSecond;
    private readonly double _ringGroupSendSeconds;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _withheld = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nodes = 1;
    private long _sequence;
    private long _sent;
    private long _failed;
    private int _running;
    private DateTimeOffset _nextSlot;
    private int _sentInSlot;

    public TwilioRequestQueue(IOptions<TwilioOptions> options, IGrainFactory grains, [FromKeyedServices(TwilioClock.Key)] TimeProvider clock, ILogger<TwilioRequestQueue> logger)
    {
        _grains = grains;
        _clock = clock;
        _logger = logger;
        _callsPerSecond = Math.Max(0.01, options.Value.CallsPerSecond);
        _ringGroupSendSeconds = Math.Max(0, options.Value.RingGroupSendSeconds);
    }

    /// <summary>This node's share of the account's calls per second.</summary>
    public double Share => _callsPerSecond / Volatile.Read(ref _nodes);

    /// <summary>Requests taken from the queue whose work has not finished yet.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>
    /// Nothing here can move until the network's clock does: no request may be sent now (the queue is empty, the
    /// next slot has not come, or what waits is held back by Retry-After). A simulation waits for this.
    /// </summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return Sendable(_clock.GetUtcNow(), out _) is null;
            }
        }
    }

    /// <summary>
    /// Queues a request under <paramref name="key"/>; a request already waiting under that key is replaced, not sent
    /// twice. <paramref name="notBefore"/> holds it back (Twilio's Retry-After).
    /// </summary>
    public void Enqueue(string key, Urgency urgency, Func<CancellationToken, Task> run, DateTimeOffset? notBefore = null)
    {
        var entry = new Entry(key, urgency, _clock.GetUtcNow(), notBefore ?? DateTimeOffset.MinValue, run) { Parent = System.Diagnostics.Activity.Current?.Context };
        lock (_gate)
        {
            if (_byKey.Remove(key, out var replaced))
            {
                replaced.Removed = true;
            }
            _byKey[key] = entry;
            if (entry.NotBefore > entry.At)
            {
                _heldBack.Enqueue(entry, entry.NotBefore);
            }
            else
            {
                _queue.Enqueue(entry, (urgency, entry.At, key, ++_sequence));
            }
            _changed.TrySetResult();
        }
        var backlog = Backlog();
        if (backlog.Waiting > backlog.CallsPerSecond * 5)
        {
            _logger.LogWarning("Twilio backlog: {Waiting} requests waiting, oldest {Oldest:F1}s, at {Cps} calls/s", backlog.Waiting, backlog.OldestSeconds, backlog.CallsPerSecond);
        }
    }

    /// <summary>Whether a request under <paramref name="key"/> waits here or is being sent now.</summary>
    public bool Holds(string key)
    {
        lock (_gate)
        {
            return _byKey.ContainsKey(key) || _runningKeys.Contains(key);
        }
    }

    /// <summary>Takes a request back before it is sent; false when it was already sent (or never queued).</summary>
    public bool TryRemove(string key)
    {
        lock (_gate)
        {
            if (_byKey.Remove(key, out var entry))
            {
                entry.Removed = true;
                return true;
            }
            return false;
        }
    }

    /// <summary>The backlog, with a queue's withheld ring-group legs when <paramref name="queueId"/> is given.</summary>
    public TelephonyBacklog Backlog(string? queueId = null)
    {
        lock (_gate)
        {
            var oldest = _byKey.Count == 0 ? 0 : (_clock.GetUtcNow() - _byKey.Values.Min(e => e.At)).TotalSeconds;
            return new TelephonyBacklog(_byKey.Count, Math.Round(oldest, 3), Share, Interlocked.Read(ref _sent), Interlocked.Read(ref _failed),
                queueId is null ? null : _withheld.GetValueOrDefault(queueId));
        }
    }

    /// <summary>
    /// How many of <paramref name="wanted"/> more ring-group legs may be asked for: as many as this node's share of the pace
    /// sends from now to <c>Twilio:RingGroupSendSeconds</c> ahead (at 1 call/s and 2 s: three), less the callers' and ring
    /// groups' legs already waiting. Fewer agents
    /// ring rather than a backlog build up; what is left out is counted for the queue.
    /// </summary>
    public int RingGroupRoom(string queueId, int wanted)
    {
        int ahead;
        int slots;
        lock (_gate)
        {
            ahead = _byKey.Values.Count(e => e.Urgency is Urgency.CallerWaiting or Urgency.RingGroup);
            // The pace's slots from the next free one to the end of the window, as UseSlot spaces them.
            var now = _clock.GetUtcNow();
            var share = Share;
            var period = TimeSpan.FromSeconds(Math.Max(1 / share, 0.02));
            var perPeriod = Math.Max(1, (int)Math.Round(share * period.TotalSeconds));
            var first = _nextSlot > now ? _nextSlot : now;
            var end = now + TimeSpan.FromSeconds(_ringGroupSendSeconds);
            slots = first > end ? 0 : ((int)Math.Floor((end - first) / period) + 1) * perPeriod - (first == _nextSlot ? _sentInSlot : 0);
        }
        var room = Math.Max(0, slots - ahead);
        var granted = Math.Min(wanted, room);
        if (granted < wanted)
        {
            _withheld.AddOrUpdate(queueId, wanted - granted, (_, n) => n + wanted - granted);
            _logger.LogInformation("Ring group of {QueueId}: {Withheld} of {Wanted} more agents not rung ({Ahead} legs waiting for the pace of {Cps} calls/s)", queueId, wanted - granted, wanted, ahead, Share);
        }
        return granted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watch = WatchClusterAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Entry? entry;
                DateTimeOffset? wakeAt;
                Task changed;
                lock (_gate)
                {
                    var now = _clock.GetUtcNow();
                    // Picked when its slot has come, so a more urgent request that arrived meanwhile goes first.
                    entry = Sendable(now, out wakeAt);
                    if (entry is not null)
                    {
                        Take(entry);
                        UseSlot(now);
                        _runningKeys.Add(entry.Key);
                    }
                    else if (_changed.Task.IsCompleted)
                    {
                        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                    changed = _changed.Task;
                }
                if (entry is not null)
                {
                    Interlocked.Increment(ref _running);
                    _ = Task.Run(() => RunAsync(entry, stoppingToken), CancellationToken.None);
                    continue;
                }
                await WaitAsync(changed, wakeAt, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await watch;
    }

    /// <summary>Until something is queued or taken back, or the clock reaches <paramref name="wakeAt"/>.</summary>
    private async Task WaitAsync(Task changed, DateTimeOffset? wakeAt, CancellationToken stoppingToken)
    {
        if (wakeAt is not { } at)
        {
            await changed.WaitAsync(stoppingToken);
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(at - _clock.GetUtcNow() is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _clock, timeout.Token);
        await Task.WhenAny(changed, delay);
        await timeout.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The most urgent request that may go now; when none may, the moment one could (the next slot, or the end of a
    /// Retry-After), or null when nothing waits.
    /// </summary>
    private Entry? Sendable(DateTimeOffset now, out DateTimeOffset? wakeAt)
    {
        while (_heldBack.TryPeek(out var held, out var until) && (held.Removed || until <= now))
        {
            _heldBack.Dequeue();
            if (!held.Removed)
            {
                _queue.Enqueue(held, (held.Urgency, held.NotBefore, held.Key, ++_sequence));
            }
        }
        while (_queue.TryPeek(out var head, out _) && head.Removed)
        {
            _queue.Dequeue();
        }
        wakeAt = _heldBack.TryPeek(out _, out var next) ? next : null;
        if (!_queue.TryPeek(out var best, out _))
        {
            return null;
        }
        if (_nextSlot > now)
        {
            wakeAt = wakeAt is { } w && w < _nextSlot ? w : _nextSlot;
            return null;
        }
        return best;
    }

    private void Take(Entry entry)
    {
        _queue.Dequeue();
        _byKey.Remove(entry.Key);
    }

    /// <summary>Evenly spaced, as Twilio meters calls: one every 1/CPS seconds, no burst saved up; above 50/s a few go together every 20 ms.</summary>
    private void UseSlot(DateTimeOffset now)
    {
        var share = Share;
        var period = TimeSpan.FromSeconds(Math.Max(1 / share, 0.02));
        var perPeriod = Math.Max(1, (int)Math.Round(share * period.TotalSeconds));
        if (_nextSlot < now - period)
        {
            // Idle for a while: the pace starts again from now, with nothing saved up.
            _nextSlot = now;
            _sentInSlot = 0;
        }
        if (++_sentInSlot >= perPeriod)
        {
            _sentInSlot = 0;
            _nextSlot = (_nextSlot > now ? _nextSlot : now) + period;
        }
    }

    /// <summary>Counts the active silos now and then, and re-divides the account's pace when the count changes.</summary>
    private async Task WatchClusterAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(MembershipCheck, _clock);
        do
        {
            try
            {
                var nodes = Math.Max(1, (await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, stoppingToken)).Count);
                if (nodes != Volatile.Read(ref _nodes))
                {
                    Volatile.Write(ref _nodes, nodes);
                    _logger.LogInformation("Pacing Twilio requests at {Share:0.###}/s on this node: {Cps}/s shared by {Nodes} active silos", Share, _callsPerSecond, nodes);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogDebug(e, "Could not count the active silos; keeping {Share:0.###}/s", Share);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RunAsync(Entry entry, CancellationToken stoppingToken)
    {
        // The request belongs to the trace of what asked for it (a webhook, a grain call), not to the pace's loop.
        using var activity = entry.Parent is { } parent ? AcdTracing.Source.StartActivity($"twilio {entry.Key}", System.Diagnostics.ActivityKind.Internal, parent) : null;
        try
        {
            await entry.Run(stoppingToken);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failed);
            _logger.LogError(e, "Twilio request {Key} failed", entry.Key);
        }
        finally
        {
            lock (_gate)
            {
                _runningKeys.Remove(entry.Key);
            }
            Interlocked.Decrement(ref _running);
        }
    }

    private sealed class SendOrder : IComparer<(Urgency Urgency, DateTimeOffset At, string Key, long Sequence)>
    {
        public static readonly SendOrder Instance = new();

        /// <summary>Every waiting caller's first leg, then ring groups' further legs, then the rest.</summary>
        private static int Rank(Urgency urgency) => urgency switch
        {
            Urgency.CallerWaiting => 0,
            Urgency.RingGroup => 1,
            Urgency.Teardown => 2,
            _ => 3,
        };

        public int Compare((Urgency Urgency, DateTimeOffset At, string Key, long Sequence) x, (Urgency Urgency, DateTimeOffset At, string Key, long Sequence) y)
        {
            var order = Rank(x.Urgency).CompareTo(Rank(y.Urgency));
            order = order != 0 ? order : x.At.CompareTo(y.At);
            order = order != 0 ? order : string.CompareOrdinal(x.Key, y.Key);
            return order != 0 ? order : x.Sequence.CompareTo(y.Sequence);
        }
    }

    private sealed class Entry(string key, Urgency urgency, DateTimeOffset at, DateTimeOffset notBefore, Func<CancellationToken, Task> run)
    {
        public string Key { get; } = key;

        public Urgency Urgency { get; } = urgency;

        public DateTimeOffset At { get; } = at;

        public DateTimeOffset NotBefore { get; } = notBefore;

        public Func<CancellationToken, Task> Run { get; } = run;

        /// <summary>The trace the request was asked for in.</summary>
        public System.Diagnostics.ActivityContext? Parent { get; init; }

        public bool Removed { get; set; }
    }
}

/// <summary>
/// The clock of Acd's conversation with Twilio (pacing, retry back-off, request timeouts): the system clock. A keyed
/// service, apart from the grains' <see cref="TimeProvider"/>, so tests can run grains on a fake clock against a
/// fake Twilio that answers in real time, and a simulation can put both on one simulated clock.
/// </summary>
public static class TwilioClock
{
    public const string Key = "twilio";
}
