using Acd.Grains.Schedules;

namespace Acd.Grains.Tests.Schedules;

public sealed class OpenHoursTests
{
    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static Holiday? Japan(DateOnly date) => JapaneseHolidays.Of(date.Year).FirstOrDefault(h => h.Date == date);

    /// <summary>A typical Japanese center: weekdays 9 to 18 in Tokyo, closed on holidays and over the new year, half a day on 12-28.</summary>
    private static OpenHours Tokyo() => new(new ScheduleDefinition("tokyo", "Tokyo", ScheduleDefinition.DefaultTimeZone,
        [new WeeklyHours(Weekdays, new TimeOnly(9, 0), new TimeOnly(18, 0))],
        ClosedOnNationalHolidays: true,
        [
            new DateRule(null, new MonthDay(12, 29), new MonthDay(1, 3), "年末年始", null, null),
            new DateRule(2026, new MonthDay(12, 28), new MonthDay(12, 28), "仕事納め", new TimeOnly(9, 0), new TimeOnly(12, 0)),
        ]), Japan);

    private static DateTimeOffset Jst(int year, int month, int day, int hour, int minute = 0, int second = 0) => new(year, month, day, hour, minute, second, TimeSpan.FromHours(9));

    [Fact]
    public void ACallOneSecondBeforeOpeningFindsItClosedAndOneAtOpeningFindsItOpen()
    {
        var hours = Tokyo();
        Assert.Equal(new ScheduleStatus(false, ClosedReason.OutsideHours, null, Jst(2026, 11, 30, 9)), hours.At(Jst(2026, 11, 30, 8, 59, 59)));
        Assert.Equal(new ScheduleStatus(true, null, null, Jst(2026, 11, 30, 18)), hours.At(Jst(2026, 11, 30, 9)));
        Assert.False(hours.At(Jst(2026, 11, 30, 18)).Open);
        Assert.True(hours.At(Jst(2026, 11, 30, 17, 59, 59)).Open);
    }

    [Fact]
    public void AWeekAcrossAHolidayIsClosedThatDayByItsName()
    {
        var hours = Tokyo();
        // 2026-11-23, a Monday, is 勤労感謝の日.
        Assert.Equal(new ScheduleStatus(false, ClosedReason.Holiday, "勤労感謝の日", Jst(2026, 11, 24, 9)), hours.At(Jst(2026, 11, 23, 10)));
        // Friday evening before: the next opening is Tuesday.
        Assert.Equal(Jst(2026, 11, 24, 9), hours.At(Jst(2026, 11, 20, 18, 30)).Until);
    }

    [Fact]
    public void ASubstituteHolidayClosesTheCenter()
    {
        // 2026-05-03 (Sunday) makes Wednesday 5/6 a 振替休日: Golden Week runs from Wednesday 4/29 to Wednesday 5/6.
        var hours = Tokyo();
        Assert.Equal(new ScheduleStatus(false, ClosedReason.Holiday, "振替休日", Jst(2026, 5, 7, 9)), hours.At(Jst(2026, 5, 6, 12)));
        Assert.Equal(new ScheduleStatus(false, ClosedReason.Holiday, "憲法記念日", Jst(2026, 5, 7, 9)), hours.At(Jst(2026, 5, 3, 12)));
    }

    [Fact]
    public void TheSilverWeekOf2026IsThreeClosedDaysWithTheirOwnNames()
    {
        var hours = Tokyo();
        var (open, closed) = hours.Calendar(new DateOnly(2026, 9, 18), new DateOnly(2026, 9, 24));
        Assert.Equal(
            [
                new ClosedDay(new DateOnly(2026, 9, 19), ClosedReason.OutsideHours, null),
                new ClosedDay(new DateOnly(2026, 9, 20), ClosedReason.OutsideHours, null),
                new ClosedDay(new DateOnly(2026, 9, 21), ClosedReason.Holiday, "敬老の日"),
                new ClosedDay(new DateOnly(2026, 9, 22), ClosedReason.Holiday, "国民の休日"),
                new ClosedDay(new DateOnly(2026, 9, 23), ClosedReason.Holiday, "秋分の日"),
            ],
            closed);
        Assert.Equal(["2026-09-18T09:00:00+09:00/2026-09-18T18:00:00+09:00", "2026-09-24T09:00:00+09:00/2026-09-24T18:00:00+09:00"],
            open.Select(i => $"{i.Open:yyyy-MM-ddTHH:mm:sszzz}/{i.Close:yyyy-MM-ddTHH:mm:sszzz}"));
        Assert.Equal(Jst(2026, 9, 24, 9), hours.At(Jst(2026, 9, 18, 18)).Until);
    }

    [Fact]
    public void TheYearEndClosureRunsAcrossTheNewYearAndAHalfDayComesBeforeIt()
    {
        var hours = Tokyo();
        Assert.Equal(new ScheduleStatus(true, null, "仕事納め", Jst(2026, 12, 28, 12)), hours.At(Jst(2026, 12, 28, 11)));
        Assert.Equal(new ScheduleStatus(false, ClosedReason.OutsideHours, "仕事納め", Jst(2027, 1, 4, 9)), hours.At(Jst(2026, 12, 28, 13)));
        // 1/1 is a holiday too; the center's own closure names it.
        Assert.Equal(new ScheduleStatus(false, ClosedReason.Closure, "年末年始", Jst(2027, 1, 4, 9)), hours.At(Jst(2027, 1, 1, 10)));
        Assert.Equal(new ScheduleStatus(false, ClosedReason.Closure, "年末年始", Jst(2027, 1, 4, 9)), hours.At(Jst(2026, 12, 29, 0)));
    }

    [Fact]
    public void HoursThatRunPastMidnightStayOpenAcrossIt()
    {
        var hours = new OpenHours(new ScheduleDefinition("night", "Night", ScheduleDefinition.DefaultTimeZone,
            [
                new WeeklyHours([DayOfWeek.Monday], new TimeOnly(22, 0), null),
                new WeeklyHours([DayOfWeek.Tuesday], TimeOnly.MinValue, new TimeOnly(6, 0)),
            ], ClosedOnNationalHolidays: false, []), Japan);
        Assert.Equal(new ScheduleStatus(true, null, null, Jst(2026, 12, 1, 6)), hours.At(Jst(2026, 11, 30, 23)));
        Assert.Equal(new ScheduleStatus(true, null, null, Jst(2026, 12, 1, 6)), hours.At(Jst(2026, 12, 1, 1)));
    }

    [Fact]
    public void AZoneWithDaylightSavingOpensByItsOwnClockAcrossBothChanges()
    {
        var hours = new OpenHours(new ScheduleDefinition("ny", "New York", "America/New_York",
            [new WeeklyHours([.. Enum.GetValues<DayOfWeek>()], new TimeOnly(9, 0), new TimeOnly(17, 0))], ClosedOnNationalHolidays: false, []), Japan);
        // 2026-03-08: clocks go forward at 02:00; nine o'clock is 13:00 UTC the day after, 14:00 UTC the day before.
        Assert.Equal(new DateTimeOffset(2026, 3, 7, 14, 0, 0, TimeSpan.Zero), hours.Intervals(new DateOnly(2026, 3, 7)).Single().Open);
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 13, 0, 0, TimeSpan.Zero), hours.Intervals(new DateOnly(2026, 3, 8)).Single().Open);
        Assert.Equal(TimeSpan.FromHours(-4), hours.Intervals(new DateOnly(2026, 3, 8)).Single().Open.Offset);
        // 2026-11-01: clocks go back at 02:00.
        Assert.Equal(new DateTimeOffset(2026, 10, 31, 13, 0, 0, TimeSpan.Zero), hours.Intervals(new DateOnly(2026, 10, 31)).Single().Open);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 14, 0, 0, TimeSpan.Zero), hours.Intervals(new DateOnly(2026, 11, 1)).Single().Open);
        Assert.True(hours.At(new DateTimeOffset(2026, 11, 1, 14, 0, 0, TimeSpan.Zero)).Open);
        Assert.False(hours.At(new DateTimeOffset(2026, 11, 1, 13, 59, 59, TimeSpan.Zero)).Open);
    }

    [Fact]
    public void HoursInTheSkippedAndRepeatedHourOfDaylightSavingLastAsLongAsTheClockSays()
    {
        var hours = new OpenHours(new ScheduleDefinition("ny", "New York", "America/New_York",
            [new WeeklyHours([DayOfWeek.Sunday], new TimeOnly(1, 30), new TimeOnly(3, 30))], ClosedOnNationalHolidays: false, []), Japan);
        // Spring forward: 01:30 EST to 03:30 EDT is one hour.
        var spring = hours.Intervals(new DateOnly(2026, 3, 8)).Single();
        Assert.Equal(TimeSpan.FromHours(1), spring.Close - spring.Open);
        // Fall back: 01:30 counts at its first occurrence (EDT), so 01:30 EDT to 03:30 EST is three hours.
        var fall = hours.Intervals(new DateOnly(2026, 11, 1)).Single();
        Assert.Equal(TimeSpan.FromHours(3), fall.Close - fall.Open);
    }
}
