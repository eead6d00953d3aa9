using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Acd.Api.Twilio;

/// <summary>
/// Webhooks refused for their signature: each is counted (<c>acd.webhooks.rejected</c>), but logged at most once per
/// <see cref="Interval"/>, with how many were refused since the last line; a flood of forged posts does not fill the log.
/// </summary>
public sealed class RejectedWebhooks(TimeProvider time, ILogger<RejectedWebhooks> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private static readonly Meter Meter = new(Acd.Grains.Events.AcdMetrics.MeterName, "1.0");
    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>("acd.webhooks.rejected", "{request}", "Webhooks refused for a missing or bad X-Twilio-Signature");

    private readonly Lock _gate = new();
    private DateTimeOffset _loggedAt = DateTimeOffset.MinValue;
    private int _unlogged;

    public void Add(string url, string reason)
    {
        Rejected.Add(1);
        int since;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _loggedAt < Interval)
            {
                _unlogged++;
                return;
            }
            since = _unlogged;
            _unlogged = 0;
            _loggedAt = now;
        }
        if (since == 0)
        {
            logger.LogWarning("Rejected a webhook to {Url}: {Reason} (more are logged at most once a minute)", url, reason);
        }
        else
        {
            logger.LogWarning("Rejected a webhook to {Url}: {Reason}; {Unlogged} more were rejected since the last such line", url, reason, since);
        }
    }
}
