namespace Acd.Grains.Schedules;

/// <summary>What kind of day off a national holiday is.</summary>
public enum HolidayKind
{
    /// <summary>A 国民の祝日 the law names (元日, 春分の日, …), or a one-off day by special law.</summary>
    National,

    /// <summary>振替休日: the first day after a holiday on a Sunday that is not a holiday itself.</summary>
    Substitute,

    /// <summary>国民の休日: an ordinary day between two national holidays.</summary>
    Between,
}

/// <summary>A day off in Japan's calendar, with the names callers can be told.</summary>
public sealed record Holiday(DateOnly Date, string Name, string NameEn, HolidayKind Kind);

/// <summary>
/// Japan's national holidays as the 国民の祝日に関する法律 sets them, from 2007 (when 昭和の日 and today's 振替休日 rule
/// began) to 2099 (the end of the equinox formula's range), with the one-off days of 2019–2021 by special law.
/// <para>
/// Written here rather than taken from the PublicHoliday package: checked against the Cabinet Office's list for
/// 2024–2027, PublicHoliday 3.17.0 moves a holiday that falls on a Sunday to the Monday instead of keeping both (so
/// 2024-02-11, a Sunday and 建国記念の日, is not a holiday to it, and 2026-05-06 is called 憲法記念日) and omits
/// 国民の休日 (2026-09-22). A center open at weekends closes on the Sunday holiday too, so both days matter.
/// </para>
/// <para>
/// The equinoxes are fixed by the Cabinet each February for the next year, from the astronomical calculation; the
/// usual formula below gives the same days for the years tested (2019–2027). When the law changes before this code does, the Cabinet Office's <c>syukujitsu.csv</c>
/// imported as an override takes precedence.
/// </para>
/// </summary>
public static class JapaneseHolidays
{
    public const int FirstYear = 2007;

    public const int LastYear = 2099;

    /// <summary>Every day off of <paramref name="year"/>, in date order; empty outside the years the law is known for.</summary>
    public static IReadOnlyList<Holiday> Of(int year)
    {
        if (year is < FirstYear or > LastYear)
        {
            return [];
        }
        var named = Named(year).ToDictionary(h => h.Date);
        var all = new Dictionary<DateOnly, Holiday>(named);
        // 国民の休日: a day whose day before and day after are both 国民の祝日, and is not one itself.
        foreach (var holiday in named.Values)
        {
            var between = holiday.Date.AddDays(1);
            if (!named.ContainsKey(between) && named.ContainsKey(between.AddDays(1)))
            {
                all[between] = new Holiday(between, "国民の休日", "Citizens' Holiday", HolidayKind.Between);
            }
        }
        // 振替休日: a 国民の祝日 on a Sunday makes the nearest following day that is not a 国民の祝日 a day off.
        foreach (var holiday in named.Values.Where(h => h.Date.DayOfWeek == DayOfWeek.Sunday))
        {
            var substitute = holiday.Date.AddDays(1);
            while (named.ContainsKey(substitute))
            {
                substitute = substitute.AddDays(1);
            }
            all[substitute] = new Holiday(substitute, "振替休日", "Substitute Holiday", HolidayKind.Substitute);
        }
        return [.. all.Values.OrderBy(h => h.Date)];
    }

    /// <summary>The 国民の祝日 of a year, before 振替休日 and 国民の休日 are added.</summary>
    private static IEnumerable<Holiday> Named(int year)
    {
        Holiday On(int month, int day, string name, string nameEn) => new(new DateOnly(year, month, day), name, nameEn, HolidayKind.National);
        Holiday Monday(int month, int nth, string name, string nameEn) => new(NthMonday(year, month, nth), name, nameEn, HolidayKind.National);

        yield return On(1, 1, "元日", "New Year's Day");
        yield return Monday(1, 2, "成人の日", "Coming of Age Day");
        yield return On(2, 11, "建国記念の日", "National Foundation Day");
        if (year >= 2020)
        {
            yield return On(2, 23, "天皇誕生日", "Emperor's Birthday");
        }
        yield return On(3, VernalEquinox(year), "春分の日", "Vernal Equinox Day");
        yield return On(4, 29, "昭和の日", "Showa Day");
        if (year == 2019)
        {
            // The accession of the Emperor (a one-off law): 5/1, with 4/30 and 5/2 as 国民の休日 between the holidays.
            yield return On(5, 1, "即位の日", "Enthronement Day");
            yield return On(10, 22, "即位礼正殿の儀の行われる日", "Enthronement Ceremony Day");
        }
        yield return On(5, 3, "憲法記念日", "Constitution Memorial Day");
        yield return On(5, 4, "みどりの日", "Greenery Day");
        yield return On(5, 5, "こどもの日", "Children's Day");
        // The Tokyo Olympics moved three holidays in 2020 and 2021 (special law).
        yield return year switch
        {
            2020 => On(7, 23, "海の日", "Marine Day"),
            2021 => On(7, 22, "海の日", "Marine Day"),
            _ => Monday(7, 3, "海の日", "Marine Day"),
        };
        if (year >= 2016)
        {
            yield return year switch
            {
                2020 => On(8, 10, "山の日", "Mountain Day"),
                2021 => On(8, 8, "山の日", "Mountain Day"),
                _ => On(8, 11, "山の日", "Mountain Day"),
            };
        }
        yield return Monday(9, 3, "敬老の日", "Respect for the Aged Day");
        yield return On(9, AutumnalEquinox(year), "秋分の日", "Autumnal Equinox Day");
        yield return year switch
        {
            2020 => On(7, 24, "スポーツの日", "Sports Day"),
            2021 => On(7, 23, "スポーツの日", "Sports Day"),
            < 2020 => Monday(10, 2, "体育の日", "Health and Sports Day"),
            _ => Monday(10, 2, "スポーツの日", "Sports Day"),
        };
        yield return On(11, 3, "文化の日", "Culture Day");
        yield return On(11, 23, "勤労感謝の日", "Labour Thanksgiving Day");
        if (year <= 2018)
        {
            yield return On(12, 23, "天皇誕生日", "Emperor's Birthday");
        }
    }

    private static DateOnly NthMonday(int year, int month, int nth)
    {
        var first = new DateOnly(year, month, 1);
        var toMonday = ((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(toMonday + 7 * (nth - 1));
    }

    /// <summary>The day of March of the vernal equinox in Japan's time (the usual formula for 1980–2099).</summary>
    private static int VernalEquinox(int year) => (int)Math.Floor(20.8431 + 0.242194 * (year - 1980) - Math.Floor((year - 1980) / 4.0));

    /// <summary>The day of September of the autumnal equinox in Japan's time (the usual formula for 1980–2099).</summary>
    private static int AutumnalEquinox(int year) => (int)Math.Floor(23.2488 + 0.242194 * (year - 1980) - Math.Floor((year - 1980) / 4.0));
}
