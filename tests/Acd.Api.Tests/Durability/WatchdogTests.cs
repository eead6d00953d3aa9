using Acd.Silo;
using Serilog.Events;
using Serilog.Parsing;

namespace Acd.Api.Tests.Durability;

/// <summary>
/// Orleans' watchdog warned of a possible deadlock on starts with PostgreSQL clustering, stalled for the machine's
/// uptime: a false alarm (its timestamp is zero until its first check completes), now dropped. Whether a start shows it
/// depends on which of two threads runs first, so the filter is tested on the event itself.
/// </summary>
public sealed class WatchdogTests
{
    [Theory]
    [InlineData(14 * 3600, 20, true)]
    [InlineData(25, 600, false)]
    public void OnlyAStallLongerThanTheProcessHasLivedIsDropped(int stalledSeconds, int processAgeSeconds, bool dropped)
    {
        var template = new MessageTemplateParser().Parse("Participant check thread has not completed for {TimeSinceLastTick}, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.");
        var e = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Warning, null, template,
        [
            new LogEventProperty("SourceContext", new ScalarValue("Orleans.Runtime.Watchdog")),
            new LogEventProperty("TimeSinceLastTick", new ScalarValue(TimeSpan.FromSeconds(stalledSeconds))),
        ]);

        Assert.Equal(dropped, WatchdogFalseAlarm.Is(e, TimeSpan.FromSeconds(processAgeSeconds)));
    }
}
