using System.CommandLine;
using Acd.Bench;

// dotnet run -c Release --project bench/Acd.Bench -- <benchmark> [size] [--storage memory|postgres] [--postgres "Host=…"]
var which = new Argument<string>("benchmark") { Description = "routing | scale | statistics", DefaultValueFactory = _ => "routing" };
var size = new Argument<string?>("size") { Description = "routing: calls; scale: agents,agents,…; statistics: events", DefaultValueFactory = _ => null };
var storage = new Option<string>("--storage") { Description = "memory, or postgres to measure durable figures beside in-memory ones in the same run", DefaultValueFactory = _ => "memory" };
var postgres = new Option<string?>("--postgres") { Description = $"PostgreSQL server connection string (a user who may create databases); default ${BenchDatabase.Variable}" };
var root = new RootCommand("Acd's benchmarks; each writes its section of docs/performance.md") { which, size, storage, postgres };
root.SetAction(async (result, _) =>
{
    var sizeText = result.GetValue(size);
    int Count(int fallback) => sizeText is null ? fallback : int.Parse(sizeText, System.Globalization.CultureInfo.InvariantCulture);
    string? server = null;
    if (string.Equals(result.GetValue(storage), "postgres", StringComparison.OrdinalIgnoreCase))
    {
        server = BenchDatabase.ServerFrom(result.GetValue(postgres));
        if (server is null)
        {
            return 2;
        }
    }
    else if (!string.Equals(result.GetValue(storage), "memory", StringComparison.OrdinalIgnoreCase))
    {
        Console.Error.WriteLine("--storage is memory or postgres");
        return 2;
    }
    switch (result.GetValue(which))
    {
        case "routing":
            await RoutingBenchmark.RunAsync(Count(20000), server);
            break;
        case "scale":
            await ScaleBenchmark.RunAsync(sizeText is null
                ? [1_000, 10_000, 100_000]
                : [.. sizeText.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]);
            break;
        case "statistics":
            await StatisticsBenchmark.RunAsync(Count(1_000_000));
            break;
        default:
            Console.Error.WriteLine("benchmarks: routing [calls] | scale [agents,agents,…] | statistics [events]");
            return 2;
    }
    return 0;
});
return await root.Parse(args).InvokeAsync();
