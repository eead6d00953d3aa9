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
/// The pace is per process: in a cluster of N silos give each CallsPerSecond / N.
/// </summary>
public sealed class TwilioRequestQueue : BackgroundService
{
    private readonly PriorityQueue<Entry, (Urgency, long)> _queue = new();
    private readonly Dictionary<string, Entry> _byKey = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _available = new(0);
    private readonly Lock _gate = new();
    private readonly RateLimiter _pace;
    private readonly ILogger<TwilioRequestQueue> _logger;
    private readonly double _callsPerSecond;
    private long _sequence;
    private long _sent;
    private long _failed;

    public TwilioRequestQueue(IOptions<TwilioOptions> options, ILogger<TwilioRequestQueue> logger)
    {
        _logger = logger;
        _callsPerSecond = Math.Max(0.01, options.Value.CallsPerSecond);
        // Evenly spaced, as Twilio meters calls: one request every 1/CPS seconds, with no burst saved up. Above 50
        // per second the spacing would be finer than the timer, so a few go together every 20 ms.
        var period = Math.Max(1 / _callsPerSecond, 0.02);
        var tokens = Math.Max(1, (int)Math.Round(_callsPerSecond * period));
        _pace = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
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
        if (backlog.Waiting > _callsPerSecond * 5)
        {
            _logger.LogWarning("Twilio backlog: {Waiting} requests waiting, oldest {Oldest:F1}s, at {Cps} calls/s", backlog.Waiting, backlog.OldestSeconds, _callsPerSecond);
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
            return new TelephonyBacklog(_byKey.Count, Math.Round(oldest, 3), _callsPerSecond, Interlocked.Read(ref _sent), Interlocked.Read(ref _failed));
        }
    }

    public override void Dispose()
    {
        _pace.Dispose();
        _available.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _available.WaitAsync(stoppingToken);
            using var lease = await _pace.AcquireAsync(1, stoppingToken);
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
