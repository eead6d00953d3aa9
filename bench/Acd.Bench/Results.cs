using System.Text;

namespace Acd.Bench;

/// <summary>Writes a benchmark's section of docs/performance.md, between markers, leaving the other sections alone.</summary>
public static class Results
{
    public static void Write(string name, string markdown)
    {
        var path = Path.Combine(FindRoot(), "docs", "performance.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n\nEvery figure below comes from a benchmark in `bench/`, run on the machine named in its section, next to a baseline measured in the same run.\n";
        var begin = $"<!-- bench:{name} -->";
        var end = $"<!-- /bench:{name} -->";
        var section = new StringBuilder().AppendLine(begin).Append(markdown.TrimEnd()).AppendLine().Append(end).ToString();
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        text = start >= 0 && stop > start
            ? text[..start] + section + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(path, text);
        Console.WriteLine($"wrote {path}");
    }

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9)} GB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ContactCenter.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
