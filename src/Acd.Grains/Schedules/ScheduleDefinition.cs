namespace Acd.Grains.Schedules;

/// <summary>Open hours on some days of the week, in the schedule's zone (<c>{"days":["Mon"],"open":"09:00","close":"18:00"}</c>).</summary>
[GenerateSerializer, Immutable, Alias("acd.WeeklyHours")]
public sealed record WeeklyHours(
    [property: Id(0)] IReadOnlyList<DayOfWeek> Days,
    [property: Id(1)] TimeOnly Open,
    [property: Id(2)] TimeOnly? Close);

/// <summary>
/// A rule for some dates: closed (no hours) or open only during the hours given, with a name callers can be told.
/// <see cref="From"/> and <see cref="To"/> without <see cref="Year"/> repeat every year (<c>12-29..01-03</c> spans the
/// new year); with it they are one year's dates.
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.DateRule")]
public sealed record DateRule(
    [property: Id(0)] int? Year,
    [property: Id(1)] MonthDay From,
    [property: Id(2)] MonthDay To,
    [property: Id(3)] string Name,
    [property: Id(4)] TimeOnly? Open,
    [property: Id(5)] TimeOnly? Close)
{
    /// <summary>Whether <paramref name="date"/> falls in the rule's dates.</summary>
    public bool Covers(DateOnly date)
    {
        var day = new MonthDay(date.Month, date.Day);
        if (Year is { } year)
        {
            var from = new DateOnly(year, From.Month, From.Day);
            var to = new DateOnly(ToYear(year), To.Month, To.Day);
            return date >= from && date <= to;
        }
        return From <= To
            ? day >= From && day <= To
            : day >= From || day <= To; // spans the new year
    }

    /// <summary>The year of the range's last day (one year's range may end in the next year).</summary>
    private int ToYear(int year) => To < From ? year + 1 : year;

    public bool Closed => Open is null;

}

/// <summary>A day of the year (<c>12-29</c>).</summary>
[GenerateSerializer, Immutable, Alias("acd.MonthDay")]
public readonly record struct MonthDay([property: Id(0)] int Month, [property: Id(1)] int Day) : IComparable<MonthDay>
{
    public int CompareTo(MonthDay other) => Month != other.Month ? Month.CompareTo(other.Month) : Day.CompareTo(other.Day);

    public override string ToString() => $"{Month:00}-{Day:00}";

    public static bool operator <(MonthDay a, MonthDay b) => a.CompareTo(b) < 0;

    public static bool operator >(MonthDay a, MonthDay b) => a.CompareTo(b) > 0;

    public static bool operator <=(MonthDay a, MonthDay b) => a.CompareTo(b) <= 0;

    public static bool operator >=(MonthDay a, MonthDay b) => a.CompareTo(b) >= 0;
}

/// <summary>
/// A schedule of open hours: weekly hours in a time zone, closed on Japan's national holidays unless told otherwise, and
/// rules for dates (the year-end closure, Obon, a day of special hours). Rules for dates win over holidays, holidays
/// over the weekly hours.
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.ScheduleDefinition")]
public sealed record ScheduleDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string FriendlyName,
    [property: Id(2)] string TimeZone,
    [property: Id(3)] IReadOnlyList<WeeklyHours> Weekly,
    [property: Id(4)] bool ClosedOnNationalHolidays,
    [property: Id(5)] IReadOnlyList<DateRule> Dates)
{
    public const string DefaultTimeZone = "Asia/Tokyo";
}
