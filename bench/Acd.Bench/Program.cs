using Acd.Bench;

// dotnet run -c Release --project bench/Acd.Bench -- <benchmark> [size]
var which = args.FirstOrDefault() ?? "routing";
var size = which is "routing" or "statistics" && args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
switch (which)
{
    case "routing":
        await RoutingBenchmark.RunAsync(size > 0 ? size : 20000);
        break;
    case "scale":
        await ScaleBenchmark.RunAsync(args.Length > 1
            ? [.. args[1].Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]
            : [1_000, 10_000, 100_000]);
        break;
    case "statistics":
        await StatisticsBenchmark.RunAsync(size > 0 ? size : 1_000_000);
        break;
    default:
        Console.Error.WriteLine("benchmarks: routing [calls] | scale [agents,agents,…] | statistics [events]");
        return 2;
}
return 0;
