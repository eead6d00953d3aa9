using System.Net;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests;

/// <summary>
/// A workspace file with a Tokyo schedule, on the host's fake clock: callers arriving across opening time, a weekend, a
/// national holiday and the year-end closure are routed or told why it is closed and when it opens.
/// </summary>
public sealed class ScheduleDayTests
{
    private const string Workspace = """
        {
          "schedules": [{ "id": "tokyo", "time_zone": "Asia/Tokyo",
            "weekly": [{ "days": ["Mon","Tue","Wed","Thu","Fri"], "open": "09:00", "close": "18:00" }],
            "dates": [{ "date": "12-29..01-03", "name": "年末年始" }] }],
          "task_queues": [{ "id": "support", "target_workers": "team == 'support'", "schedule": "tokyo" }],
          "workflows": [{ "id": "inbound", "configuration": { "task_routing": { "default_filter": { "queue": "support" } } } }]
        }
        """;

    [Fact]
    public async Task CallersAreRoutedInHoursAndToldWhyAndWhenOtherwise()
    {
        var path = Path.Combine(Path.GetTempPath(), $"acd-schedule-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, Workspace);
        try
        {
            await using var app = new AcdAppFactory().With("Acd:WorkspaceFile", path);
            var http = app.CreateClient();
            var n = 0;
            async Task<(string Status, string? Message)> CallAt(int year, int month, int day, int hour, int minute = 0, int second = 0)
            {
                app.Time.SetUtcNow(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromHours(9)));
                var call = (await http.PostJsonAsync("/api/calls", new { id = $"day-{++n}", workflow = "inbound" })).AssertOk(HttpStatusCode.Created);
                return (call.Str("status"), call.Str("message"));
            }

            Assert.Equal(("canceled", "お電話ありがとうございます。ただいまの時間は受付時間外です。受付は本日9時からです。"), await CallAt(2026, 11, 26, 8, 59, 59));
            Assert.Equal("queued", (await CallAt(2026, 11, 26, 9)).Status);
            Assert.Equal(("canceled", "お電話ありがとうございます。ただいまの時間は受付時間外です。受付は11月30日（月）9時からです。"), await CallAt(2026, 11, 28, 10));
            Assert.Equal(("canceled", "お電話ありがとうございます。年末年始のため休業しております。受付は1月4日（月）9時からです。"), await CallAt(2026, 12, 29, 10));
            Assert.Equal(("canceled", "お電話ありがとうございます。本日は成人の日のため休業しております。受付は明日9時からです。"), await CallAt(2027, 1, 11, 10));
            Assert.Equal("queued", (await CallAt(2027, 1, 12, 9)).Status);

            var calendar = (await http.GetJsonAsync("/api/schedules/tokyo/calendar?from=2027-01-09&to=2027-01-12")).AssertOk();
            Assert.Equal(["2027-01-09 outside-hours ", "2027-01-10 outside-hours ", "2027-01-11 holiday 成人の日"],
                calendar["closed"]!.AsArray().Select(d => $"{d!.Str("date")} {d!.Str("reason")} {d!.Str("name")}"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
