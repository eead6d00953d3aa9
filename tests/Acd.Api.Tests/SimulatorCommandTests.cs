using System.Diagnostics;

namespace Acd.Api.Tests;

/// <summary>The load simulator's command line (tools/Acd.Simulator), run as users run it.</summary>
public sealed class SimulatorCommandTests
{
    private static string Simulator => Path.Combine(
        AppContext.BaseDirectory.Replace(Path.Combine("tests", "Acd.Api.Tests"), Path.Combine("tools", "Acd.Simulator"), StringComparison.Ordinal), "Acd.Simulator.dll");

    [Fact]
    public async Task HelpListsEveryOptionAndExitsZero()
    {
        var (code, output) = await RunAsync("--help");

        Assert.Equal(0, code);
        foreach (var option in new[] { "--acd", "--token", "--twilio-port", "--acd-port", "--silo-port", "--rate", "--agents", "--minutes", "--drain", "--talk", "--patience", "--answer", "--no-answer", "--wrap-up", "--sales", "--seed" })
        {
            Assert.Contains(option, output);
        }
    }

    [Theory]
    [InlineData("--rate", "-1", "--rate")]
    [InlineData("--sales", "2", "--sales must be between 0 and 1")]
    [InlineData("--twilio-port", "70000", "--twilio-port must be a port")]
    [InlineData("--prioirty", "1", "--prioirty")]
    public async Task ABadOptionIsNamedAndNothingStarts(string option, string value, string said)
    {
        var (code, output) = await RunAsync(option, value);

        Assert.NotEqual(0, code);
        Assert.Contains(said, output);
        Assert.DoesNotContain("Starting Acd", output);
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        Assert.True(File.Exists(Simulator), $"the simulator is built beside the tests: {Simulator}");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [Simulator, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output + await error);
    }
}
