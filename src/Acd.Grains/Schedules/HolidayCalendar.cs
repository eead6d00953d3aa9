using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Acd.Grains.Schedules;

/// <summary>
/// Japan's days off, as the law computes them (<see cref="JapaneseHolidays"/>), except for the years an imported list
/// covers: the Cabinet Office's <c>syukujitsu.csv</c> wins for every year it names, so a change in the law (a new
/// holiday, a moved one) is one import away, before the code knows it.
/// </summary>
public sealed class HolidayCalendar
{
    private readonly ConcurrentDictionary<int, IReadOnlyDictionary<DateOnly, Holiday>> _years = new();
    private readonly IReadOnlyDictionary<int, IReadOnlyList<Holiday>> _imported;

    public HolidayCalendar(IEnumerable<Holiday>? imported = null)
    {
        _imported = (imported ?? []).GroupBy(h => h.Date.Year).ToDictionary(g => g.Key, g => (IReadOnlyList<Holiday>)[.. g.OrderBy(h => h.Date)]);
    }

    /// <summary>The years an imported list decides.</summary>
    public IReadOnlyCollection<int> ImportedYears => [.. _imported.Keys.Order()];

    /// <summary>The day off on <paramref name="date"/>, if it is one.</summary>
    public Holiday? On(DateOnly date) => Year(date.Year).GetValueOrDefault(date);

    /// <summary>Every day off of a year, in date order.</summary>
    public IReadOnlyList<Holiday> Of(int year) => [.. Year(year).Values.OrderBy(h => h.Date)];

    private IReadOnlyDictionary<DateOnly, Holiday> Year(int year) =>
        _years.GetOrAdd(year, y => (_imported.TryGetValue(y, out var list) ? list : JapaneseHolidays.Of(y)).ToDictionary(h => h.Date));
}

/// <summary>
/// The Cabinet Office's list of national holidays (内閣府 <c>syukujitsu.csv</c>): a header, then <c>yyyy/M/d,名称</c>
/// lines, in Shift_JIS as published (UTF-8, with or without a byte order mark, is read too). The list calls both
/// 振替休日 and 国民の休日 just 休日; each is named by which it is.
/// </summary>
public static class SyukujitsuCsv
{
    /// <summary>The holidays in <paramref name="csv"/>; a line that is not a date and a name is an error naming the line.</summary>
    public static IReadOnlyList<Holiday> Parse(byte[] csv)
    {
        var text = Decode(csv);
        var listed = new Dictionary<DateOnly, string>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || (number == 1 && !char.IsAsciiDigit(line[0])))
            {
                continue; // the header, or a blank line
            }
            var comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || !DateOnly.TryParseExact(line[..comma].Trim(), ["yyyy/M/d", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                || line[(comma + 1)..].Trim().Trim('"') is not { Length: > 0 } name)
            {
                throw new FormatException($"Line {number} is not 'yyyy/M/d,name': '{line}'");
            }
            listed[date] = name;
        }
        return Named(listed.Select(p => (p.Key, p.Value)));
    }

    /// <summary>Dates and names as listed (休日 for both kinds of day off) as holidays, each day off named by which it is.</summary>
    public static IReadOnlyList<Holiday> Named(IEnumerable<(DateOnly Day, string Name)> listed)
    {
        var all = listed.ToList();
        var national = all.Where(p => !IsDayOff(p.Name)).Select(p => p.Day).ToHashSet();
        return [.. all.OrderBy(p => p.Day).Select(p => IsDayOff(p.Name) ? Named(p.Day, national) : new Holiday(p.Day, p.Name, p.Name, HolidayKind.National))];
    }

    /// <summary>休日 (or already 振替休日 / 国民の休日): a day off that is not itself a 国民の祝日.</summary>
    private static bool IsDayOff(string name) => name is "休日" or "振替休日" or "国民の休日";

    /// <summary>A 休日 between two 国民の祝日 is 国民の休日; otherwise it follows a Sunday holiday and is 振替休日.</summary>
    private static Holiday Named(DateOnly date, HashSet<DateOnly> national) =>
        national.Contains(date.AddDays(-1)) && national.Contains(date.AddDays(1)) && date.AddDays(-1).DayOfWeek != DayOfWeek.Sunday
            ? new Holiday(date, "国民の休日", "Citizens' Holiday", HolidayKind.Between)
            : new Holiday(date, "振替休日", "Substitute Holiday", HolidayKind.Substitute);

    private static string Decode(byte[] csv)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        try
        {
            return utf8.GetString(csv);
        }
        catch (DecoderFallbackException)
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding("shift_jis").GetString(csv);
        }
    }
}
