using System.Net;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests;

/// <summary>Schedules of open hours through the API: configured, read back, checked field by field, and their calendar.</summary>
public sealed class SchedulesApiTests(AcdAppFactory app) : IClassFixture<AcdAppFactory>
{
    private readonly HttpClient _http = app.CreateClient();

    private static object TokyoCenter => new
    {
        friendly_name = "東京センター",
        time_zone = "Asia/Tokyo",
        weekly = new[] { new { days = new[] { "Mon", "Tue", "Wed", "Thu", "Fri" }, open = "09:00", close = "18:00" } },
        dates = new object[]
        {
            new { date = "12-29..01-03", name = "年末年始" },
            new { date = "2026-12-28", name = "仕事納め", open = "09:00", close = "12:00" },
        },
    };

    [Fact]
    public async Task AScheduleIsKeptAsSentAndListed()
    {
        var saved = (await _http.PutJsonAsync("/api/schedules/tokyo-kept", TokyoCenter)).AssertOk();
        Assert.Equal(("東京センター", "Asia/Tokyo", true), (saved.Str("friendly_name"), saved.Str("time_zone"), saved["closed_on_national_holidays"]!.GetValue<bool>()));
        Assert.Equal("""[{"days":["Mon","Tue","Wed","Thu","Fri"],"open":"09:00","close":"18:00"}]""", saved["weekly"]!.ToJsonString());
        Assert.Equal("""[{"date":"12-29..01-03","name":"年末年始"},{"date":"2026-12-28","name":"仕事納め","open":"09:00","close":"12:00"}]""",
            saved["dates"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal(saved.ToJsonString(), (await _http.GetJsonAsync("/api/schedules/tokyo-kept")).AssertOk().ToJsonString());
        Assert.Contains((await _http.GetJsonAsync("/api/schedules")).AssertOk().AsArray(), s => s!.Str("id") == "tokyo-kept");

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteJsonAsync("/api/schedules/tokyo-kept")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetJsonAsync("/api/schedules/tokyo-kept")).Status);
        Assert.DoesNotContain((await _http.GetJsonAsync("/api/schedules")).AssertOk().AsArray(), s => s!.Str("id") == "tokyo-kept");
    }

    [Theory]
    [InlineData("""{"time_zone":"Asia/Tokio"}""", "time_zone")]
    [InlineData("""{"weekly":[{"days":["Mon","Funday"],"open":"09:00","close":"18:00"}]}""", "weekly[0].days[1]")]
    [InlineData("""{"weekly":[{"days":["Mon"],"open":"9am","close":"18:00"}]}""", "weekly[0].open")]
    [InlineData("""{"weekly":[{"days":["Mon"],"open":"18:00","close":"09:00"}]}""", "weekly[0].close")]
    [InlineData("""{"weekly":[{"days":["Mon"],"open":"09:00"}]}""", "weekly[0].close")]
    [InlineData("""{"dates":[{"date":"12-32","name":"x"}]}""", "dates[0].date")]
    [InlineData("""{"dates":[{"date":"2026-12-30..2026-12-01","name":"x"}]}""", "dates[0].date")]
    [InlineData("""{"dates":[{"date":"12-29","nmae":"x"}]}""", "dates[0].nmae")]
    [InlineData("""{"closed_on_holidays":false}""", "closed_on_holidays")]
    [InlineData("""{"closed_on_national_holidays":"no"}""", "closed_on_national_holidays")]
    public async Task AScheduleWithAFaultIsRefusedNamingTheFieldAndNothingIsSaved(string body, string field)
    {
        (await _http.PutJsonAsync("/api/schedules/faulty", body)).AssertProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetJsonAsync("/api/schedules/faulty")).Status);
    }

    [Fact]
    public async Task TheCalendarShowsOpenIntervalsWithTokyosOffsetAndEachClosedDayWithItsReason()
    {
        (await _http.PutJsonAsync("/api/schedules/tokyo-cal", TokyoCenter)).AssertOk();
        var calendar = (await _http.GetJsonAsync("/api/schedules/tokyo-cal/calendar?from=2026-09-18&to=2026-09-24")).AssertOk();
        Assert.Equal(
            ["2026-09-18T09:00:00+09:00 2026-09-18T18:00:00+09:00", "2026-09-24T09:00:00+09:00 2026-09-24T18:00:00+09:00"],
            calendar["open"]!.AsArray().Select(i => $"{i!.Str("open")} {i!.Str("close")}"));
        Assert.Equal(
            ["2026-09-19 outside-hours ", "2026-09-20 outside-hours ", "2026-09-21 holiday 敬老の日", "2026-09-22 holiday 国民の休日", "2026-09-23 holiday 秋分の日"],
            calendar["closed"]!.AsArray().Select(d => $"{d!.Str("date")} {d!.Str("reason")} {d!.Str("name")}"));

        var yearEnd = (await _http.GetJsonAsync("/api/schedules/tokyo-cal/calendar?from=2026-12-28&to=2027-01-04")).AssertOk();
        Assert.Equal(
            ["2026-12-28T09:00:00+09:00 2026-12-28T12:00:00+09:00", "2027-01-04T09:00:00+09:00 2027-01-04T18:00:00+09:00"],
            yearEnd["open"]!.AsArray().Select(i => $"{i!.Str("open")} {i!.Str("close")}"));
        Assert.All(yearEnd["closed"]!.AsArray(), d => Assert.Equal("closure 年末年始", $"{d!.Str("reason")} {d!.Str("name")}"));

        // The host's clock stands at 2026-11-25 09:00 in Tokyo, a Wednesday: open until 18:00.
        var now = calendar["now"]!;
        Assert.Equal((true, "2026-11-25T18:00:00+09:00"), (now["open"]!.GetValue<bool>(), now.Str("until")));
    }

    [Theory]
    [InlineData("?from=2026-13-01", "from")]
    [InlineData("?from=2026-09-24&to=2026-09-18", "to")]
    [InlineData("?from=2026-01-01&to=2027-06-01", "to")]
    public async Task ACalendarRangeThatIsNotOneIsRefused(string query, string field)
    {
        (await _http.PutJsonAsync("/api/schedules/tokyo-range", TokyoCenter)).AssertOk();
        (await _http.GetJsonAsync($"/api/schedules/tokyo-range/calendar{query}")).AssertProblem(HttpStatusCode.BadRequest, field);
    }
}
