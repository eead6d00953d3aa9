using System.Text;
using Acd.Grains.Schedules;

namespace Acd.Grains.Tests.Schedules;

public sealed class HolidayCalendarTests
{
    private static byte[] ShiftJis(string text)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("shift_jis").GetBytes(text);
    }

    [Fact]
    public void TheCabinetOfficesListInShiftJisIsReadAndItsDaysOffNamed()
    {
        var csv = ShiftJis("国民の祝日・休日月日,国民の祝日・休日名称\r\n2026/5/3,憲法記念日\r\n2026/5/4,みどりの日\r\n2026/5/5,こどもの日\r\n2026/5/6,休日\r\n2026/9/21,敬老の日\r\n2026/9/22,休日\r\n2026/9/23,秋分の日\r\n");
        var holidays = SyukujitsuCsv.Parse(csv);
        Assert.Equal(
            ["2026-05-03 憲法記念日 National", "2026-05-04 みどりの日 National", "2026-05-05 こどもの日 National", "2026-05-06 振替休日 Substitute",
             "2026-09-21 敬老の日 National", "2026-09-22 国民の休日 Between", "2026-09-23 秋分の日 National"],
            holidays.Select(h => $"{h.Date:yyyy-MM-dd} {h.Name} {h.Kind}"));
    }

    [Fact]
    public void ALineThatIsNotADateAndANameIsRefusedByNumber()
    {
        var e = Assert.Throws<FormatException>(() => SyukujitsuCsv.Parse(Encoding.UTF8.GetBytes("日付,名称\n2026/5/3,憲法記念日\n2026/13/1,謎の日\n")));
        Assert.Contains("Line 3", e.Message);
    }

    [Fact]
    public void AnImportedYearReplacesTheComputedOneAndOtherYearsStayComputed()
    {
        // Suppose the law adds a holiday on 2027-06-15: the list for 2027 wins over the computed one.
        var imported = SyukujitsuCsv.Parse(Encoding.UTF8.GetBytes("日付,名称\n2027/1/1,元日\n2027/6/15,新しい祝日\n"));
        var calendar = new HolidayCalendar(imported);
        Assert.Equal("新しい祝日", calendar.On(new DateOnly(2027, 6, 15))?.Name);
        Assert.Null(calendar.On(new DateOnly(2027, 2, 11))); // not in the imported list for 2027
        Assert.Equal("建国記念の日", calendar.On(new DateOnly(2026, 2, 11))?.Name);
        Assert.Equal([2027], calendar.ImportedYears);
    }
}
