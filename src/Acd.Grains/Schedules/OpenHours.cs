namespace Acd.Grains.Schedules;

/// <summary>Why a schedule is closed.</summary>
public enum ClosedReason
{
    /// <summary>Outside the weekly hours (the night, a weekend).</summary>
    OutsideHours,

    /// <summary>A national holiday (振替休日 and 国民の休日 included).</summary>
    Holiday,

    /// <summary>One of the schedule's own dates (the year-end closure, Obon).</summary>
    Closure,
}

/// <summary>Open or closed at an instant, why, and until when.</summary>
[GenerateSerializer, Immutable, Alias("acd.ScheduleStatus")]
public sealed record ScheduleStatus(
    [property: Id(0)] bool Open,
    [property: Id(1)] ClosedReason? Reason,
    [property: Id(2)] string? Name,
    [property: Id(3)] DateTimeOffset? Until);

/// <summary>A stretch of open time, with the zone's offsets at each end.</summary>
public sealed record OpenInterval(DateTimeOffset Open, DateTimeOffset Close);

/// <summary>A day with no open hours, and why.</summary>
public sealed record ClosedDay(DateOnly Date, ClosedReason Reason, string? Name);

/// <summary>
/// A schedule evaluated in its time zone: what hours each date has, whether it is open at an instant and until when, and
/// its calendar over a range. A local time the clock skips (daylight saving starts) opens or closes when the clock
/// resumes; one it repeats (daylight saving ends) counts at its first occurrence.
/// </summary>
public sealed class OpenHours
{
    /// <summary>How far ahead the next opening is looked for (a schedule closed for longer has none).</summary>
    private const int LookAheadDays = 400;

    private readonly ScheduleDefinition _schedule;
    private readonly Func<DateOnly, Holiday?> _holiday;

    public OpenHours(ScheduleDefinition schedule, Func<DateOnly, Holiday?> holiday)
    {
        _schedule = schedule;
        _holiday = holiday;
        Zone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The hours of one local date, or why it has none.</summary>
    public (IReadOnlyList<(TimeOnly Open, TimeOnly? Close)> Hours, ClosedReason? Reason, string? Name) Day(DateOnly date)
    {
        // The last rule listed that covers the date wins: a one-year exception written after an every-year closure.
        if (_schedule.Dates.LastOrDefault(r => r.Covers(date)) is { } rule)
        {
            return rule.Closed ? ([], ClosedReason.Closure, rule.Name) : ([(rule.Open!.Value, rule.Close)], null, rule.Name);
        }
        if (_schedule.ClosedOnNationalHolidays && _holiday(date) is { } holiday)
        {
            return ([], ClosedReason.Holiday, holiday.Name);
        }
        var hours = _schedule.Weekly.Where(w => w.Days.Contains(date.DayOfWeek)).Select(w => (w.Open, w.Close)).OrderBy(h => h.Open).ToList();
        return hours.Count == 0 ? ([], ClosedReason.OutsideHours, null) : (hours, null, null);
    }

    /// <summary>The open intervals of one local date, as instants (a <c>close</c> of 24:00 ends at the next midnight).</summary>
    public IEnumerable<OpenInterval> Intervals(DateOnly date)
    {
        foreach (var (open, close) in Day(date).Hours)
        {
            var start = Instant(date, open);
            var end = close is { } c ? Instant(date, c) : Instant(date.AddDays(1), TimeOnly.MinValue);
            if (end > start)
            {
                yield return new OpenInterval(start, end);
            }
        }
    }

    /// <summary>Open or closed at <paramref name="instant"/>, and until when (null: no change within 400 days).</summary>
    public ScheduleStatus At(DateTimeOffset instant)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);
        // Touching stretches are joined (24:00, then 00:00 the next day), so the one holding the instant ends when it closes.
        if (Merged(today.AddDays(-1), LookAheadDays).TakeWhile(i => i.Open <= instant).LastOrDefault() is { } open && instant < open.Close)
        {
            return new ScheduleStatus(true, null, Day(today).Name, open.Close);
        }
        var (_, reason, name) = Day(today);
        if (reason is null)
        {
            // Today has hours, but not now: before the first, between two, or after the last.
            reason = ClosedReason.OutsideHours;
        }
        var opens = Merged(today, LookAheadDays).FirstOrDefault(i => i.Open > instant)?.Open;
        return new ScheduleStatus(false, reason, name, opens);
    }

    /// <summary>The open intervals and the closed days between two local dates (inclusive).</summary>
    public (IReadOnlyList<OpenInterval> Open, IReadOnlyList<ClosedDay> Closed) Calendar(DateOnly from, DateOnly to)
    {
        var closed = new List<ClosedDay>();
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            if (Day(date) is { Hours.Count: 0, Reason: { } reason, Name: var name })
            {
                closed.Add(new ClosedDay(date, reason, name));
            }
        }
        return ([.. Merged(from, to.DayNumber - from.DayNumber + 1)], closed);
    }

    /// <summary>The open intervals of <paramref name="days"/> days from <paramref name="from"/>, overlapping and touching ones joined.</summary>
    private IEnumerable<OpenInterval> Merged(DateOnly from, int days)
    {
        OpenInterval? current = null;
        for (var i = 0; i < days; i++)
        {
            foreach (var interval in Intervals(from.AddDays(i)).OrderBy(x => x.Open))
            {
                if (current is null)
                {
                    current = interval;
                }
                else if (interval.Open <= current.Close)
                {
                    current = current with { Close = interval.Close > current.Close ? interval.Close : current.Close };
                }
                else
                {
                    yield return current;
                    current = interval;
                }
            }
        }
        if (current is not null)
        {
            yield return current;
        }
    }

    /// <summary>A local date and time as an instant with the zone's offset then.</summary>
    private DateTimeOffset Instant(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(local))
        {
            // The clock skips this time: it happens when the clock resumes, at the end of the gap.
            var gapEnd = local;
            while (Zone.IsInvalidTime(gapEnd))
            {
                gapEnd = gapEnd.AddMinutes(1);
            }
            local = gapEnd;
        }
        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
