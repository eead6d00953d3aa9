using Acd.Grains.Routing.Expressions;

namespace Acd.Grains.Schedules;

/// <summary>
/// What an expression's local keys read: the workspace's time zone and Japan's holidays for <c>acd.localTime</c>
/// (HHmm), <c>acd.localHour</c>, <c>acd.dayOfWeek</c> (Mon…Sun) and <c>acd.holiday</c> (true on a national holiday),
/// and each schedule's state for <c>schedule.&lt;id&gt;</c> (<c>"open"</c> or <c>"closed"</c>). TaskRouter's UTC
/// <c>taskrouter.*</c> keys stay as they are, for migrated workflows.
/// </summary>
public sealed class LocalClock(TimeZoneInfo zone, Func<DateOnly, Holiday?> holiday, IReadOnlyDictionary<string, bool> scheduleOpen)
{
    /// <summary>Whether the schedule is known and closed now (a schedule that does not exist closes nothing).</summary>
    public bool IsClosed(string scheduleId) => scheduleOpen.TryGetValue(scheduleId, out var open) && !open;

    internal ExprValue? Resolve(string key, string? argument, DateTimeOffset now)
    {
        if (key == "schedule")
        {
            return argument is not null && scheduleOpen.TryGetValue(argument, out var open) ? ExprValue.FromString(open ? "open" : "closed") : null;
        }
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return key switch
        {
            "localTime" => ExprValue.FromNumber((local.Hour * 100) + local.Minute),
            "localHour" => ExprValue.FromNumber(local.Hour),
            "dayOfWeek" => ExprValue.FromString(local.DayOfWeek.ToString()[..3]),
            "holiday" => ExprValue.FromBoolean(holiday(DateOnly.FromDateTime(local.DateTime)) is not null),
            _ => null,
        };
    }
}
