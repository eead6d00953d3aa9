using Npgsql;

namespace Acd.Silo.Database;

/// <summary><c>dotnet run --project src/Acd.Silo -- db init</c>: applies the schema to <c>ConnectionStrings:Acd</c>; 0 when current.</summary>
public static class DatabaseCommand
{
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration)
    {
        if (args is not ["db", "init", ..])
        {
            Console.Error.WriteLine("usage: db init");
            return 2;
        }
        var connectionString = configuration.GetConnectionString("Acd");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Console.Error.WriteLine("ConnectionStrings:Acd is not set (e.g. ConnectionStrings__Acd=\"Host=localhost;Username=acd;Password=…;Database=acd\")");
            return 1;
        }
        try
        {
            var result = await new SchemaMigrator(connectionString).ApplyAsync();
            Console.WriteLine(result.Applied.Count == 0
                ? $"Acd schema is current (version {result.Version})"
                : $"Acd schema migrated to version {result.Version}: {string.Join(", ", result.Applied)}");
            return 0;
        }
        catch (Exception e) when (e is NpgsqlException or Acd.Api.Security.AcdStartupException)
        {
            Console.Error.WriteLine($"Could not migrate the database: {e.Message}");
            return 1;
        }
    }
}
