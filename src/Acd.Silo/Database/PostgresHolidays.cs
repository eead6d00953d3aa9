using Acd.Grains.Schedules;
using Npgsql;

namespace Acd.Silo.Database;

/// <summary>
/// Imported national holidays in <c>acd_holiday</c>: written by <c>holidays import FILE</c>, read by each node as it
/// starts into its <see cref="HolidayCalendar"/> (the imported years replace the computed ones).
/// </summary>
public static class PostgresHolidays
{
    /// <summary>The calendar with what was imported; a schema from before the table (never migrated since) has nothing imported.</summary>
    public static HolidayCalendar Load(NpgsqlDataSource data, string serviceId)
    {
        var rows = new List<(DateOnly Day, string Name)>();
        try
        {
            using var command = data.CreateCommand("SELECT day, name FROM acd_holiday WHERE service_id = $1 ORDER BY day");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetFieldValue<DateOnly>(0), reader.GetString(1)));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // No acd_holiday yet: nothing was imported.
        }
        return new HolidayCalendar(SyukujitsuCsv.Named(rows));
    }

    /// <summary>Replaces the imported holidays of every year <paramref name="holidays"/> lists, in one transaction.</summary>
    public static async Task ReplaceAsync(NpgsqlDataSource data, string serviceId, IReadOnlyList<Holiday> holidays)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var years = holidays.Select(h => h.Date.Year).Distinct().ToArray();
        await using (var delete = new NpgsqlCommand("DELETE FROM acd_holiday WHERE service_id = $1 AND EXTRACT(YEAR FROM day)::int = ANY($2)", connection, transaction))
        {
            delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
            delete.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = years });
            await delete.ExecuteNonQueryAsync();
        }
        foreach (var holiday in holidays)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO acd_holiday (service_id, day, name) VALUES ($1, $2, $3)", connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
            insert.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = holiday.Date });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = holiday.Name });
            await insert.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}
