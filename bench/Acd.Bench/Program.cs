using Acd.Bench;

// dotnet run -c Release --project bench/Acd.Bench -- <benchmark> [size]
var which = args.FirstOrDefault() ?? "routing";
var size = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
switch (which)
{
    case "routing":
        await RoutingBenchmark.RunAsync(size > 0 ? size : 20000);
        break;
    default:
        Console.Error.WriteLine("benchmarks: routing");
        return 2;
}
return 0;
