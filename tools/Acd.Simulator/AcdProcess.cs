using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Acd.Simulator;

/// <summary>Acd started by the simulator: the repository's Acd.Silo in memory, its Twilio pointed at the fake.</summary>
public sealed class AcdProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AcdProcess(Process process, Uri url, string log)
    {
        _process = process;
        Url = url;
        LogPath = log;
    }

    public Uri Url { get; }

    /// <summary>Acd's own log, kept out of the live view.</summary>
    public string LogPath { get; }

    public static async Task<AcdProcess> StartAsync(SimulatorOptions options, Uri twilio, string accountSid, string authToken)
    {
        var root = RepositoryRoot() ?? throw new InvalidOperationException("Run the simulator from the Acd repository (ContactCenter.sln not found), or give --acd");
        var url = new Uri($"http://localhost:{options.AcdPort}");
        var log = Path.Combine(Path.GetTempPath(), "acd-simulator-acd.log");
        var start = new ProcessStartInfo("dotnet", [
            "run", "--project", Path.Combine(root, "src", "Acd.Silo"), "--no-launch-profile", "--",
            "--urls", url.ToString().TrimEnd('/'),
            $"--Twilio:ApiBaseUrl={twilio}", $"--Twilio:AccountSid={accountSid}", $"--Twilio:AuthToken={authToken}",
            $"--Twilio:PublicBaseUrl={url.ToString().TrimEnd('/')}", "--Twilio:CallsPerSecond=100", "--Twilio:CallerId=+81500000000",
            "--Serilog:MinimumLevel:Default=Warning", $"--Orleans:SiloPort={options.SiloPort}",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet");
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Write(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var acd = new AcdProcess(process, url, log);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Acd exited with {process.ExitCode}; see {log}");
            }
            try
            {
                if ((await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return acd;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // still starting
            }
            await Task.Delay(250);
        }
        await acd.DisposeAsync();
        throw new TimeoutException($"Acd did not become ready; see {log}");
    }

    /// <summary>An admin token from Acd's Development endpoint.</summary>
    public static async Task<string> DevTokenAsync(Uri acd)
    {
        using var http = new HttpClient { BaseAddress = acd };
        var response = await http.PostAsJsonAsync(new Uri("/dev/token", UriKind.Relative), new { role = "admin", sub = "simulator" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["token"]!.GetValue<string>();
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is not null)
        {
            lock (writer)
            {
                writer.WriteLine(line);
            }
        }
    }

    private static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ContactCenter.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
