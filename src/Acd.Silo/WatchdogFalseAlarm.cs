using Serilog.Events;

namespace Acd.Silo;

/// <summary>
/// Orleans' watchdog measures how long its component check has not completed from a timestamp that is zero until that
/// check first finishes, so on a normal start (PostgreSQL clustering makes the first check slower than the first
/// heartbeat) it warns that the check "has not completed for" the machine's uptime: hours, longer than the process has
/// existed. That one warning is dropped; a real stall, shorter than the process's life, is still logged.
/// </summary>
public static class WatchdogFalseAlarm
{
    private static readonly DateTime ProcessStarted = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static bool Is(LogEvent e) => Is(e, DateTime.UtcNow - ProcessStarted);

    public static bool Is(LogEvent e, TimeSpan processAge) =>
        e.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: "Orleans.Runtime.Watchdog" }
        && e.Properties.TryGetValue("TimeSinceLastTick", out var stalled) && stalled is ScalarValue { Value: TimeSpan duration }
        && e.MessageTemplate.Text.StartsWith("Participant check thread has not completed", StringComparison.Ordinal)
        && duration > processAge;
}
