using System.Globalization;

namespace Acd.Grains.Schedules;

/// <summary>
/// What a caller who arrives while a queue's schedule is closed is told: why (outside hours, the holiday's name, the
/// center's closure) and when it opens next, in Japanese as callers here expect. A queue's own <c>closed_message</c> is
/// used instead when set, with <c>{name}</c> (the holiday or closure) and <c>{next}</c> (such as 明日9時) filled in.
/// </summary>
public static class ClosedMessages
{
    private static readonly string[] Weekdays = ["日", "月", "火", "水", "木", "金", "土"];

    public static string For(ScheduleStatus status, string timeZone, DateTimeOffset now, string? template = null)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var next = status.Until is { } opens ? When(opens, now, zone) : null;
        if (!string.IsNullOrWhiteSpace(template))
        {
            return template.Replace("{name}", status.Name ?? "", StringComparison.Ordinal).Replace("{next}", next ?? "", StringComparison.Ordinal);
        }
        var why = status.Reason switch
        {
            ClosedReason.Holiday => $"本日は{status.Name}のため休業しております。",
            ClosedReason.Closure when !string.IsNullOrEmpty(status.Name) => $"{status.Name}のため休業しております。",
            ClosedReason.Closure => "本日は休業しております。",
            _ => "ただいまの時間は受付時間外です。",
        };
        return $"お電話ありがとうございます。{why}{(next is null ? "" : $"受付は{next}からです。")}";
    }

    /// <summary>本日13時, 明日9時, or 1月4日（月）9時30分: the next opening as a caller says it.</summary>
    public static string When(DateTimeOffset opens, DateTimeOffset now, TimeZoneInfo zone)
    {
        var at = TimeZoneInfo.ConvertTime(opens, zone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var day = DateOnly.FromDateTime(at.DateTime);
        var dayText = day == today ? "本日"
            : day == today.AddDays(1) ? "明日"
            : string.Create(CultureInfo.InvariantCulture, $"{day.Month}月{day.Day}日（{Weekdays[(int)day.DayOfWeek]}）");
        var time = at.Minute == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{at.Hour}時")
            : string.Create(CultureInfo.InvariantCulture, $"{at.Hour}時{at.Minute}分");
        return dayText + time;
    }
}
