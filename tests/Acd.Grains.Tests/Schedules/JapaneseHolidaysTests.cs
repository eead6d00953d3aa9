using Acd.Grains.Schedules;

namespace Acd.Grains.Tests.Schedules;

public sealed class JapaneseHolidaysTests
{
    /// <summary>The Cabinet Office's list (内閣府「国民の祝日について」, syukujitsu.csv) for 2024–2027, as published.</summary>
    private const string CabinetOffice = """
        2024-01-01 元日
        2024-01-08 成人の日
        2024-02-11 建国記念の日
        2024-02-12 振替休日
        2024-02-23 天皇誕生日
        2024-03-20 春分の日
        2024-04-29 昭和の日
        2024-05-03 憲法記念日
        2024-05-04 みどりの日
        2024-05-05 こどもの日
        2024-05-06 振替休日
        2024-07-15 海の日
        2024-08-11 山の日
        2024-08-12 振替休日
        2024-09-16 敬老の日
        2024-09-22 秋分の日
        2024-09-23 振替休日
        2024-10-14 スポーツの日
        2024-11-03 文化の日
        2024-11-04 振替休日
        2024-11-23 勤労感謝の日
        2025-01-01 元日
        2025-01-13 成人の日
        2025-02-11 建国記念の日
        2025-02-23 天皇誕生日
        2025-02-24 振替休日
        2025-03-20 春分の日
        2025-04-29 昭和の日
        2025-05-03 憲法記念日
        2025-05-04 みどりの日
        2025-05-05 こどもの日
        2025-05-06 振替休日
        2025-07-21 海の日
        2025-08-11 山の日
        2025-09-15 敬老の日
        2025-09-23 秋分の日
        2025-10-13 スポーツの日
        2025-11-03 文化の日
        2025-11-23 勤労感謝の日
        2025-11-24 振替休日
        2026-01-01 元日
        2026-01-12 成人の日
        2026-02-11 建国記念の日
        2026-02-23 天皇誕生日
        2026-03-20 春分の日
        2026-04-29 昭和の日
        2026-05-03 憲法記念日
        2026-05-04 みどりの日
        2026-05-05 こどもの日
        2026-05-06 振替休日
        2026-07-20 海の日
        2026-08-11 山の日
        2026-09-21 敬老の日
        2026-09-22 国民の休日
        2026-09-23 秋分の日
        2026-10-12 スポーツの日
        2026-11-03 文化の日
        2026-11-23 勤労感謝の日
        2027-01-01 元日
        2027-01-11 成人の日
        2027-02-11 建国記念の日
        2027-02-23 天皇誕生日
        2027-03-21 春分の日
        2027-03-22 振替休日
        2027-04-29 昭和の日
        2027-05-03 憲法記念日
        2027-05-04 みどりの日
        2027-05-05 こどもの日
        2027-07-19 海の日
        2027-08-11 山の日
        2027-09-20 敬老の日
        2027-09-23 秋分の日
        2027-10-11 スポーツの日
        2027-11-03 文化の日
        2027-11-23 勤労感謝の日
        """;

    [Theory]
    [InlineData(2024)]
    [InlineData(2025)]
    [InlineData(2026)]
    [InlineData(2027)]
    public void EveryDayOffOfAYearIsTheCabinetOfficesList(int year)
    {
        var expected = CabinetOffice.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith($"{year}-", StringComparison.Ordinal)).ToList();
        var computed = JapaneseHolidays.Of(year).Select(h => $"{h.Date:yyyy-MM-dd} {h.Name}").ToList();
        Assert.Equal(expected, computed);
    }

    [Fact]
    public void SeptemberTwentySecondOf2026IsADayOffBetweenTwoHolidays()
    {
        var september = JapaneseHolidays.Of(2026).Where(h => h.Date.Month == 9).ToList();
        Assert.Equal(
            [(new DateOnly(2026, 9, 21), HolidayKind.National), (new DateOnly(2026, 9, 22), HolidayKind.Between), (new DateOnly(2026, 9, 23), HolidayKind.National)],
            september.Select(h => (h.Date, h.Kind)));
    }

    [Fact]
    public void AHolidayOnASundayStaysAHolidayAndTheNextFreeDayIsItsSubstitute()
    {
        // 2026-05-03 (憲法記念日) is a Sunday; 5/4 and 5/5 are holidays themselves, so the substitute is Wednesday 5/6.
        var may = JapaneseHolidays.Of(2026).Where(h => h.Date.Month == 5).ToList();
        Assert.Equal(DayOfWeek.Sunday, may[0].Date.DayOfWeek);
        Assert.Equal(("憲法記念日", HolidayKind.National), (may[0].Name, may[0].Kind));
        Assert.Equal((new DateOnly(2026, 5, 6), HolidayKind.Substitute), (may[^1].Date, may[^1].Kind));
    }

    [Fact]
    public void TheOneOffDaysOf2019To2021AreThereByTheirSpecialLaws()
    {
        var y2019 = JapaneseHolidays.Of(2019).Select(h => $"{h.Date:MM-dd} {h.Name}").ToList();
        Assert.Contains("04-30 国民の休日", y2019);
        Assert.Contains("05-01 即位の日", y2019);
        Assert.Contains("05-02 国民の休日", y2019);
        Assert.Contains("05-06 振替休日", y2019);
        Assert.Contains("10-22 即位礼正殿の儀の行われる日", y2019);
        Assert.DoesNotContain(y2019, d => d.Contains("天皇誕生日", StringComparison.Ordinal));
        var y2021 = JapaneseHolidays.Of(2021).Select(h => $"{h.Date:MM-dd} {h.Name}").ToList();
        Assert.Equal(["07-22 海の日", "07-23 スポーツの日", "08-08 山の日", "08-09 振替休日"], y2021.Where(d => d.StartsWith("07", StringComparison.Ordinal) || d.StartsWith("08", StringComparison.Ordinal)));
    }

    [Fact]
    public void YearsTheLawIsNotKnownForHaveNoComputedHolidays()
    {
        Assert.Empty(JapaneseHolidays.Of(JapaneseHolidays.FirstYear - 1));
        Assert.Empty(JapaneseHolidays.Of(JapaneseHolidays.LastYear + 1));
    }
}
