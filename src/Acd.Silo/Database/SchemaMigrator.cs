using System.Security.Cryptography;
using System.Text;
using Acd.Api.Security;
using Npgsql;

namespace Acd.Silo.Database;

/// <summary>
/// Acd's PostgreSQL schema as numbered migrations (embedded <c>Database/Migrations/*.sql</c>), applied in order, each
/// once, each in a transaction, under an advisory lock so that silos starting together do not race. Running it again
/// changes nothing once the schema is current.
/// </summary>
public sealed class SchemaMigrator(string connectionString)
{
    /// <summary>Any fixed number: the advisory lock that serialises migrations across processes.</summary>
    private const long LockKey = 0x_acd_2026_1125;

    public sealed record Migration(int Version, string Name, string Script)
    {
        public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Script)));
    }

    public sealed record Result(IReadOnlyList<string> Applied, int Version);

    public static IReadOnlyList<Migration> Migrations { get; } = Load();

    public async Task<Result> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS acd_schema_migration
                (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);
            var applied = new Dictionary<int, string>();
            await using (var read = new NpgsqlCommand("SELECT version, checksum FROM acd_schema_migration", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied[reader.GetInt32(0)] = reader.GetString(1);
                }
            }
            // A migration already applied must be the one this build carries: one edited afterwards would leave databases
            // migrated before and after the edit different, with nothing to tell them apart.
            foreach (var changed in Migrations.Where(m => applied.TryGetValue(m.Version, out var checksum) && checksum != m.Checksum))
            {
                throw new AcdStartupException(
                    $"Migration {changed.Version:D4}_{changed.Name} differs from the one applied to this database (checksum {applied[changed.Version][..12]}…, this build's {changed.Checksum[..12]}…): " +
                    "restore the file as it was and put the change in a new migration");
            }
            var done = new List<string>();
            foreach (var migration in Migrations.Where(m => !applied.ContainsKey(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var script = new NpgsqlCommand(migration.Script, connection, transaction))
                {
                    await script.ExecuteNonQueryAsync(cancellationToken);
                }
                await using (var record = new NpgsqlCommand("INSERT INTO acd_schema_migration (version, name, checksum) VALUES (@v, @n, @c)", connection, transaction))
                {
                    record.Parameters.AddWithValue("v", migration.Version);
                    record.Parameters.AddWithValue("n", migration.Name);
                    record.Parameters.AddWithValue("c", migration.Checksum);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                done.Add($"{migration.Version:D4}_{migration.Name}");
            }
            return new Result(done, Migrations.Max(m => m.Version));
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<Migration> Load()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("migrations/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = name["migrations/".Length..^".sql".Length];
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(file[..4], System.Globalization.CultureInfo.InvariantCulture), file[5..], reader.ReadToEnd()));
        }
        return migrations;
    }
}
