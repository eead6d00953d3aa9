using Acd.Bench;

// dotnet run -c Release --project bench/Acd.Bench -- <benchmark> [size]
var which = args.FirstOrDefault() ?? "routing";
var size = which == "routing" && args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
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
    default:
        Console.Error.WriteLine("benchmarks: routing [calls] | scale [agents,agents,…]");
        return 2;
}
return 0;
