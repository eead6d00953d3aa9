using System.Globalization;
using System.Text.Json;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Schedules;

/// <summary>
/// A schedule as sent (API and workspace file): <c>friendly_name</c>, <c>time_zone</c> (IANA, default Asia/Tokyo),
/// <c>weekly</c> (items with <c>days</c> as Mon…Sun, <c>open</c> and <c>close</c> as HH:mm, <c>close</c> 24:00 for
/// midnight), <c>closed_on_national_holidays</c> (default true) and <c>dates</c> (items with <c>date</c>: <c>12-29</c>,
/// <c>12-29..01-03</c> every year, or <c>2026-08-13</c>, <c>2026-08-13..2026-08-16</c> once; a <c>name</c> callers are
/// told; <c>open</c> and <c>close</c> for special hours, none for closed). Errors name the field.
/// </summary>
public static class ScheduleParser
{
    private static readonly string[] Known = ["id", "friendly_name", "time_zone", "weekly", "closed_on_national_holidays", "dates"];

    private static readonly Dictionary<string, DayOfWeek> DayNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Mon"] = DayOfWeek.Monday, ["Tue"] = DayOfWeek.Tuesday, ["Wed"] = DayOfWeek.Wednesday, ["Thu"] = DayOfWeek.Thursday,
        ["Fri"] = DayOfWeek.Friday, ["Sat"] = DayOfWeek.Saturday, ["Sun"] = DayOfWeek.Sunday,
    };

    public static Outcome<ScheduleDefinition> Parse(string id, JsonElement json)
    {
        try
        {
            return Read(id, json);
        }
        catch (FieldException e)
        {
            return Problem.Invalid(e.Field, e.Message);
        }
    }

    private static ScheduleDefinition Read(string id, JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FieldException("schedule", "Must be a JSON object");
        }
        foreach (var property in json.EnumerateObject())
        {
            if (!Known.Contains(property.Name))
            {
                throw new FieldException(property.Name, $"Unknown field; a schedule has {string.Join(", ", Known)}");
            }
        }
        var zone = OptionalString(json, "time_zone") ?? ScheduleDefinition.DefaultTimeZone;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            throw new FieldException("time_zone", $"Unknown time zone '{zone}': an IANA name such as Asia/Tokyo");
        }
        var weekly = new List<WeeklyHours>();
        if (json.TryGetProperty("weekly", out var weeklyJson) && weeklyJson.ValueKind != JsonValueKind.Null)
        {
            foreach (var (item, i) in Items(weeklyJson, "weekly"))
            {
                var field = $"weekly[{i}]";
                Only(item, field, "days", "open", "close");
                var days = Items(Required(item, "days", field), $"{field}.days").Select(d => Day(d.Item, $"{field}.days[{d.Index}]")).Distinct().ToList();
                if (days.Count == 0)
                {
                    throw new FieldException($"{field}.days", "At least one day: Mon, Tue, Wed, Thu, Fri, Sat, Sun");
                }
                var (open, close) = Hours(item, field, required: true);
                weekly.Add(new WeeklyHours(days, open!.Value, close));
            }
        }
        var dates = new List<DateRule>();
        if (json.TryGetProperty("dates", out var datesJson) && datesJson.ValueKind != JsonValueKind.Null)
        {
            foreach (var (item, i) in Items(datesJson, "dates"))
            {
                var field = $"dates[{i}]";
                Only(item, field, "date", "name", "open", "close");
                var (year, from, to) = Dates(Required(item, "date", field), $"{field}.date");
                var name = OptionalString(item, "name", field) ?? "";
                var (open, close) = Hours(item, field, required: false);
                dates.Add(new DateRule(year, from, to, name, open, close));
            }
        }
        var holidays = true;
        if (json.TryGetProperty("closed_on_national_holidays", out var h) && h.ValueKind != JsonValueKind.Null)
        {
            holidays = h.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new FieldException("closed_on_national_holidays", "Must be true or false"),
            };
        }
        var friendly = OptionalString(json, "friendly_name");
        return new ScheduleDefinition(id, string.IsNullOrWhiteSpace(friendly) ? id : friendly, zone, weekly, holidays, dates);
    }

    /// <summary>The schedule as sent back: the same fields, in the same spelling.</summary>
    public static object ToJson(ScheduleDefinition s) => new Dictionary<string, object?>
    {
        ["id"] = s.Id,
        ["friendly_name"] = s.FriendlyName,
        ["time_zone"] = s.TimeZone,
        ["weekly"] = s.Weekly.Select(w => new Dictionary<string, object?>
        {
            ["days"] = w.Days.Select(d => DayNames.First(p => p.Value == d).Key).ToList(),
            ["open"] = Time(w.Open),
            ["close"] = w.Close is { } c ? Time(c) : "24:00",
        }).ToList(),
        ["closed_on_national_holidays"] = s.ClosedOnNationalHolidays,
        ["dates"] = s.Dates.Select(d =>
        {
            var item = new Dictionary<string, object?> { ["date"] = DateText(d), ["name"] = d.Name };
            if (d.Open is { } open)
            {
                item["open"] = Time(open);
                item["close"] = d.Close is { } c ? Time(c) : "24:00";
            }
            return item;
        }).ToList(),
    };

    private static string Time(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string DateText(DateRule d)
    {
        if (d.Year is { } year)
        {
            var from = new DateOnly(year, d.From.Month, d.From.Day);
            var to = new DateOnly(d.To < d.From ? year + 1 : year, d.To.Month, d.To.Day);
            return from == to ? $"{from:yyyy-MM-dd}" : $"{from:yyyy-MM-dd}..{to:yyyy-MM-dd}";
        }
        return d.From == d.To ? $"{d.From}" : $"{d.From}..{d.To}";
    }

    private static (TimeOnly? Open, TimeOnly? Close) Hours(JsonElement item, string field, bool required)
    {
        var openText = OptionalString(item, "open", field);
        var closeText = OptionalString(item, "close", field);
        if (openText is null && closeText is null && !required)
        {
            return (null, null);
        }
        if (openText is null || closeText is null)
        {
            throw new FieldException($"{field}.{(openText is null ? "open" : "close")}", "Required with the other: HH:mm");
        }
        var open = Clock(openText, $"{field}.open", allowMidnightEnd: false)!.Value;
        var close = Clock(closeText, $"{field}.close", allowMidnightEnd: true);
        if (close is { } c && c <= open)
        {
            throw new FieldException($"{field}.close", "Must be after open (24:00 for midnight; hours past midnight go on the next day's item)");
        }
        return (open, close);
    }

    /// <summary>HH:mm; 24:00 (end of the day) is null.</summary>
    private static TimeOnly? Clock(string text, string field, bool allowMidnightEnd)
    {
        if (allowMidnightEnd && text == "24:00")
        {
            return null;
        }
        return TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw new FieldException(field, $"'{text}' is not a time: HH:mm, 00:00 to {(allowMidnightEnd ? "24:00" : "23:59")}");
    }

    private static (int? Year, MonthDay From, MonthDay To) Dates(JsonElement json, string field)
    {
        var text = json.ValueKind == JsonValueKind.String ? json.GetString()! : throw new FieldException(field, "Must be a string: MM-dd, MM-dd..MM-dd, yyyy-MM-dd or yyyy-MM-dd..yyyy-MM-dd");
        var parts = text.Split("..");
        if (parts.Length > 2)
        {
            throw new FieldException(field, $"'{text}' is not a date or a range");
        }
        if (parts.All(p => DateOnly.TryParseExact(p, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
        {
            var from = DateOnly.ParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var to = DateOnly.ParseExact(parts[^1], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (to < from || to.DayNumber - from.DayNumber > 365)
            {
                throw new FieldException(field, $"'{text}': the range must run forward and last at most a year");
            }
            return (from.Year, new MonthDay(from.Month, from.Day), new MonthDay(to.Month, to.Day));
        }
        var days = parts.Select(p => DateOnly.TryParseExact($"2024-{p}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? new MonthDay(d.Month, d.Day)
            : throw new FieldException(field, $"'{text}' is not MM-dd, MM-dd..MM-dd, yyyy-MM-dd or yyyy-MM-dd..yyyy-MM-dd")).ToList();
        return (null, days[0], days[^1]);
    }

    private static DayOfWeek Day(JsonElement json, string field) =>
        json.ValueKind == JsonValueKind.String && DayNames.TryGetValue(json.GetString()!, out var day)
            ? day
            : throw new FieldException(field, "Must be one of Mon, Tue, Wed, Thu, Fri, Sat, Sun");

    private static IEnumerable<(JsonElement Item, int Index)> Items(JsonElement json, string field) =>
        json.ValueKind == JsonValueKind.Array ? json.EnumerateArray().Select((e, i) => (e, i)) : throw new FieldException(field, "Must be a list");

    private static JsonElement Required(JsonElement item, string name, string field) =>
        item.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : throw new FieldException($"{field}.{name}", "Required");

    private static string? OptionalString(JsonElement item, string name, string? field = null)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FieldException(field is null ? name : $"{field}.{name}", "Must be a string");
    }

    private static void Only(JsonElement item, string field, params string[] names)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FieldException(field, "Must be an object");
        }
        foreach (var property in item.EnumerateObject().Where(p => !names.Contains(p.Name)))
        {
            throw new FieldException($"{field}.{property.Name}", $"Unknown field; an item here has {string.Join(", ", names)}");
        }
    }

    private sealed class FieldException(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }
}
