using Acd.Grains.Schedules;
using Npgsql;

namespace Acd.Silo.Database;

/// <summary>
/// <c>holidays import FILE</c>: the Cabinet Office's <c>syukujitsu.csv</c> (Shift_JIS as published) into
/// <c>ConnectionStrings:Acd</c>, replacing Acd's computed holidays for every year the file lists (for a change in the law
/// before Acd's code knows it). <c>holidays list YEAR</c>: the days off Acd uses for a year, and where they come from.
/// </summary>
public static class HolidaysCommand
{
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Acd");
        var serviceId = configuration["Orleans:ServiceId"] ?? "acd";
        switch (args)
        {
            case ["holidays", "import", var file]:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    Console.Error.WriteLine("holidays import needs the database: set ConnectionStrings:Acd (in memory, Acd's computed holidays are used)");
                    return 1;
                }
                IReadOnlyList<Holiday> holidays;
                try
                {
                    holidays = SyukujitsuCsv.Parse(await File.ReadAllBytesAsync(file));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    Console.Error.WriteLine($"{file}: {e.Message}");
                    return 1;
                }
                if (holidays.Count == 0)
                {
                    Console.Error.WriteLine($"{file}: no holidays in it");
                    return 1;
                }
                try
                {
                    await new SchemaMigrator(connectionString).ApplyAsync();
                    await using var data = NpgsqlDataSource.Create(connectionString);
                    await PostgresHolidays.ReplaceAsync(data, serviceId, holidays);
                }
                catch (Exception e) when (e is NpgsqlException or Acd.Api.Security.AcdStartupException)
                {
                    Console.Error.WriteLine($"Could not import the holidays: {e.Message}");
                    return 1;
                }
                var years = holidays.Select(h => h.Date.Year).Distinct().Order().ToList();
                Console.WriteLine($"Imported {holidays.Count} holidays for {years[0]}–{years[^1]} ({years.Count} years); Acd's nodes use them from their next start");
                return 0;
            case ["holidays", "list", var yearText] when int.TryParse(yearText, out var year):
                var calendar = string.IsNullOrWhiteSpace(connectionString) ? new HolidayCalendar() : Loaded(connectionString, serviceId);
                Console.WriteLine(calendar.ImportedYears.Contains(year) ? $"{year}: imported" : $"{year}: computed by the law");
                foreach (var holiday in calendar.Of(year))
                {
                    Console.WriteLine($"{holiday.Date:yyyy-MM-dd} {holiday.Date.DayOfWeek.ToString()[..3]} {holiday.Name}");
                }
                return 0;
            default:
                Console.Error.WriteLine("usage: holidays import FILE | holidays list YEAR");
                return 2;
        }
    }

    private static HolidayCalendar Loaded(string connectionString, string serviceId)
    {
        using var data = NpgsqlDataSource.Create(connectionString);
        return PostgresHolidays.Load(data, serviceId);
    }
}
