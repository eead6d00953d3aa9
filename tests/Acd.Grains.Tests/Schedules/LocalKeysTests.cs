using System.Text.Json;
using Acd.Grains.Routing.Expressions;
using Acd.Grains.Schedules;

namespace Acd.Grains.Tests.Schedules;

public sealed class LocalKeysTests
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    private static LocalClock Clock(params (string Id, bool Open)[] schedules) =>
        new(Tokyo, d => JapaneseHolidays.Of(d.Year).FirstOrDefault(h => h.Date == d), schedules.ToDictionary(s => s.Id, s => s.Open));

    private static bool Matches(string expression, DateTimeOffset now, LocalClock? local, string task = "{}") =>
        RoutingExpression.Parse(expression, ExpressionScope.Task).Matches(JsonDocument.Parse(task).RootElement.Clone(), now, local);

    // 2026-09-22 08:30 UTC is 17:30 on Tuesday in Tokyo, a 国民の休日.
    private static readonly DateTimeOffset SilverWeek = new(2026, 9, 22, 8, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("acd.localTime == 1730", true)]
    [InlineData("acd.localHour == 17", true)]
    [InlineData("acd.dayOfWeek == 'Tue'", true)]
    [InlineData("acd.holiday == true", true)]
    [InlineData("taskrouter.currentHour == 8", true)]
    [InlineData("taskrouter.currentHour == 17", false)]
    public void LocalKeysReadTokyosClockAndTaskRoutersStayInUtc(string expression, bool expected) =>
        Assert.Equal(expected, Matches(expression, SilverWeek, Clock()));

    [Fact]
    public void AScheduleReadsOpenOrClosedByItsId()
    {
        var local = Clock(("tokyo", false), ("osaka", true));
        Assert.True(Matches("schedule.tokyo == 'closed' AND schedule.osaka == 'open'", SilverWeek, local));
        var expression = RoutingExpression.Parse("schedule.tokyo == 'open' OR schedule.osaka == 'open'", ExpressionScope.Task);
        Assert.Equal(["tokyo", "osaka"], expression.ScheduleIds);
        Assert.True(expression.UsesClock);
    }

    [Fact]
    public void AttributesNamedLikeLocalKeysStillReadWhereNoSuchValueExists()
    {
        const string task = """{"schedule":{"shift":"day"},"acd":{"localHour":3}}""";
        // No schedule 'shift' is known, and no local clock at all in the second case: the attributes are read.
        Assert.True(Matches("schedule.shift == 'day'", SilverWeek, Clock(("tokyo", true)), task));
        Assert.True(Matches("acd.localHour == 3", SilverWeek, null, task));
    }
}
