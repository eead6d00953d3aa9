using System.Threading.RateLimiting;
using Acd.Grains.Telephony;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acd.Api.Twilio;

/// <summary>How far behind Twilio requests are (design rule 8): shown in queue statistics and logs.</summary>
public sealed record TelephonyBacklog(int Waiting, double OldestSeconds, double CallsPerSecond, long Sent, long Failed);

/// <summary>
/// Paces the requests that create calls (Participants, Calls) to <c>Twilio:CallsPerSecond</c>, most urgent first
/// (a waiting caller's agent leg before anything else), so a burst of callers never builds a hidden backlog at
/// Twilio, which would queue the excess for hours instead of refusing it (design rule 8). Requests run off the
/// grains' turns: a slow Twilio delays calls' legs, never the routing of other calls.
/// The limit is the account's, so in a cluster each node takes an equal share of it: CallsPerSecond divided by the
/// active silos, counted again every few seconds (a node that leaves gives its share back to the others).
/// </summary>
public sealed class TwilioRequestQueue : BackgroundService
{
    private readonly PriorityQueue<Entry, (Urgency, long)> _queue = new();
    private readonly Dictionary<string, Entry> _byKey = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _available = new(0);
    private readonly Lock _gate = new();
    private static readonly TimeSpan MembershipCheck = TimeSpan.FromSeconds(5);

    private readonly IGrainFactory _grains;
    private readonly ILogger<TwilioRequestQueue> _logger;
    private readonly double _callsPerSecond;
    private RateLimiter _pace;
    private int _nodes = 1;
    private long _sequence;
    private long _sent;
    private long _failed;

    public TwilioRequestQueue(IOptions<TwilioOptions> options, IGrainFactory grains, ILogger<TwilioRequestQueue> logger)
    {
        _grains = grains;
        _logger = logger;
        _callsPerSecond = Math.Max(0.01, options.Value.CallsPerSecond);
        _pace = Pace(_callsPerSecond);
    }

    /// <summary>This node's share of the account's calls per second.</summary>
    public double Share => _callsPerSecond / Volatile.Read(ref _nodes);

    private static TokenBucketRateLimiter Pace(double callsPerSecond)
    {
        // Evenly spaced, as Twilio meters calls: one request every 1/CPS seconds, with no burst saved up. Above 50
        // per second the spacing would be finer than the timer, so a few go together every 20 ms.
        var period = Math.Max(1 / callsPerSecond, 0.02);
        var tokens = Math.Max(1, (int)Math.Round(callsPerSecond * period));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(period),
            QueueLimit = 1,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public void Enqueue(string key, Urgency urgency, Func<CancellationToken, Task> run)
    {
        var entry = new Entry(key, urgency, DateTimeOffset.UtcNow, run);
        lock (_gate)
        {
            _byKey[key] = entry;
            _queue.Enqueue(entry, (urgency, ++_sequence));
        }
        _available.Release();
        var backlog = Backlog();
        if (backlog.Waiting > backlog.CallsPerSecond * 5)
        {
            _logger.LogWarning("Twilio backlog: {Waiting} requests waiting, oldest {Oldest:F1}s, at {Cps} calls/s", backlog.Waiting, backlog.OldestSeconds, backlog.CallsPerSecond);
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

    public TelephonyBacklog Backlog()
    {
        lock (_gate)
        {
            var oldest = _byKey.Count == 0 ? 0 : (DateTimeOffset.UtcNow - _byKey.Values.Min(e => e.At)).TotalSeconds;
            return new TelephonyBacklog(_byKey.Count, Math.Round(oldest, 3), Share, Interlocked.Read(ref _sent), Interlocked.Read(ref _failed));
        }
    }

    public override void Dispose()
    {
        Volatile.Read(ref _pace).Dispose();
        _available.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watch = WatchClusterAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            await _available.WaitAsync(stoppingToken);
            var pace = Volatile.Read(ref _pace);
            using (await pace.AcquireAsync(1, stoppingToken))
            {
            }
            if (pace != Volatile.Read(ref _pace))
            {
                pace.Dispose(); // the share changed while this request waited for its turn
            }
            // Picked after the token is granted, so a more urgent request that arrived meanwhile goes first.
            Entry? entry = null;
            lock (_gate)
            {
                while (_queue.TryDequeue(out var next, out _))
                {
                    if (!next.Removed)
                    {
                        entry = next;
                        _byKey.Remove(next.Key);
                        break;
                    }
                }
            }
            if (entry is null)
            {
                continue;
            }
            _ = Task.Run(() => RunAsync(entry, stoppingToken), CancellationToken.None);
        }
        await watch;
    }

    /// <summary>Counts the active silos now and then, and re-divides the account's pace when the count changes.</summary>
    private async Task WatchClusterAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(MembershipCheck);
        do
        {
            try
            {
                var nodes = Math.Max(1, (await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, stoppingToken)).Count);
                if (nodes != Volatile.Read(ref _nodes))
                {
                    Volatile.Write(ref _nodes, nodes);
                    Volatile.Write(ref _pace, Pace(Share));
                    _logger.LogInformation("Pacing Twilio requests at {Share:0.###}/s on this node: {Cps}/s shared by {Nodes} active silos", Share, _callsPerSecond, nodes);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogDebug(e, "Could not count the active silos; keeping {Share:0.###}/s", Share);
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
    }

    private sealed class Entry(string key, Urgency urgency, DateTimeOffset at, Func<CancellationToken, Task> run)
    {
        public string Key { get; } = key;

        public Urgency Urgency { get; } = urgency;

        public DateTimeOffset At { get; } = at;

        public Func<CancellationToken, Task> Run { get; } = run;

        public bool Removed { get; set; }
    }
}
