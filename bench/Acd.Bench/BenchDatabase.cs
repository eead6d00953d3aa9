using System.Globalization;
using System.Text;
using Acd.Silo.Database;
using Npgsql;

namespace Acd.Bench;

/// <summary>
/// A fresh database for one durable benchmark run, on the PostgreSQL server named by <c>--postgres</c> or
/// <c>ACD_BENCH_POSTGRES</c> (a connection string for a user who may create databases), migrated to Acd's schema and
/// dropped at the end. It also counts what was written: rows inserted, updated and deleted per table, transactions,
/// and the write-ahead log's bytes (everything PostgreSQL writes durably passes through it).
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    public const string Variable = "ACD_BENCH_POSTGRES";

    private readonly string _server;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true, MaxPoolSize = 20 }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>The server's connection string from the option or the environment, or null with a reason printed.</summary>
    public static string? ServerFrom(string? option)
    {
        var server = string.IsNullOrWhiteSpace(option) ? Environment.GetEnvironmentVariable(Variable) : option;
        if (string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine($"--storage postgres needs a server: pass --postgres \"Host=…;Username=…;Password=…\" or set {Variable}.");
            return null;
        }
        return server;
    }

    public static async Task<BenchDatabase> CreateAsync(string server)
    {
        var database = new BenchDatabase(server, $"acd_bench_{DateTime.UtcNow:yyyyMMddHHmmss}_{Random.Shared.Next(1000):D3}");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database.Name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        await new SchemaMigrator(database.ConnectionString).ApplyAsync();
        return database;
    }

    /// <summary>
    /// What has been written so far. Backends report their counts to the statistics collector when idle (within about
    /// ten seconds), so this waits until two readings a second apart agree before answering.
    /// </summary>
    public async Task<WriteCounts> SettledCountsAsync()
    {
        var previous = await CountsAsync();
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var next = await CountsAsync();
            if (next.SameAs(previous) && i >= 1)
            {
                return next;
            }
            previous = next;
        }
        return previous;
    }

    private async Task<WriteCounts> CountsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var tables = new Dictionary<string, TableCounts>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, pg_total_relation_size(relid), n_tup_hot_upd FROM pg_stat_user_tables", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables[reader.GetString(0)] = new TableCounts(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
            }
        }
        // Each grain's row carries its version, one more per write: the sum by grain type says whose state was written.
        var states = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT grain_type, sum(version)::bigint FROM acd_grain_state GROUP BY grain_type", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                states[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        await using var totals = new NpgsqlCommand(
            "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), (SELECT wal_bytes::bigint FROM pg_stat_wal), (SELECT wal_records FROM pg_stat_wal)", connection);
        await using var row = await totals.ExecuteReaderAsync();
        await row.ReadAsync();
        return new WriteCounts(tables, states, row.GetInt64(0), row.GetInt64(1), row.GetInt64(2));
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Environment.GetEnvironmentVariable("ACD_BENCH_KEEP_DATABASE") == "1")
        {
            Console.WriteLine($"kept database {Name} (ACD_BENCH_KEEP_DATABASE=1) to look into");
            return;
        }
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

public sealed record TableCounts(long Inserted, long Updated, long Deleted, long Bytes, long HotUpdated)
{
    public long Rows => Inserted + Updated + Deleted;
}

/// <summary>A reading of what PostgreSQL has written; the difference of two readings is what happened between them.</summary>
public sealed record WriteCounts(IReadOnlyDictionary<string, TableCounts> Tables, IReadOnlyDictionary<string, long> StateWrites, long Commits, long WalBytes, long WalRecords)
{
    public bool SameAs(WriteCounts other) =>
        Commits == other.Commits && WalRecords == other.WalRecords && Tables.All(t => other.Tables.TryGetValue(t.Key, out var o) && o.Rows == t.Value.Rows);

    /// <summary>A markdown table of what each call wrote between <paramref name="before"/> and this reading, by table.</summary>
    public string PerCall(WriteCounts before, int calls)
    {
        var text = new StringBuilder();
        text.AppendLine("| Table | Inserts | Updates (of which in place, no index change) | Deletes | Rows written |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        double total = 0;
        foreach (var (name, now) in Tables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var then = before.Tables.GetValueOrDefault(name) ?? new TableCounts(0, 0, 0, 0, 0);
            var rows = now.Rows - then.Rows;
            if (rows == 0)
            {
                continue;
            }
            total += rows;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| `{name}` | {(double)(now.Inserted - then.Inserted) / calls:F2} | {(double)(now.Updated - then.Updated) / calls:F2} ({(double)(now.HotUpdated - then.HotUpdated) / calls:F2}) | {(double)(now.Deleted - then.Deleted) / calls:F2} | {rows / (double)calls:F2} |"));
        }
        var byGrain = StateWrites
            .Select(g => (Grain: g.Key, Writes: (g.Value - before.StateWrites.GetValueOrDefault(g.Key)) / (double)calls))
            .Where(g => g.Writes > 0)
            .OrderByDescending(g => g.Writes)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Grain} {g.Writes:F2}"));
        text.AppendLine($"| … of which grain state writes by grain: {string.Join(", ", byGrain)} | | | | |");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| **All tables** (transactions {(double)(Commits - before.Commits) / calls:F1}, write-ahead log {(double)(WalBytes - before.WalBytes) / calls / 1024:F1} KB) | | | | **{total / calls:F2}** |"));
        return text.ToString();
    }

    public double RowsPerCall(WriteCounts before, int calls) =>
        Tables.Sum(t => t.Value.Rows - (before.Tables.GetValueOrDefault(t.Key)?.Rows ?? 0)) / (double)calls;

    public double WalBytesPerCall(WriteCounts before, int calls) => (WalBytes - before.WalBytes) / (double)calls;
}
