using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Acd.Api.Tests.Infrastructure;

/// <summary>
/// The real Acd host (Program.cs) in-process: Orleans co-hosted with its own silo and gateway ports (two silos
/// on one machine can silently share 11111), a fake clock for the grains, and settings a test chooses.
/// </summary>
public class AcdAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new();

    public AcdAppFactory()
    {
        _settings["Orleans:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _settings["Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}";
    }

    /// <summary>Sets a configuration key before the host starts (the first client or service access).</summary>
    public AcdAppFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseEnvironment("Development");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            ConfigureServices(services);
        });
    }

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Clients made with <c>CreateClient()</c> act as an admin, as the walkthrough's operator does.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token(Acd.Api.Security.Roles.Admin, "admin"));
    }

    /// <summary>A token for <paramref name="role"/> as <paramref name="subject"/>, signed with the host's key.</summary>
    public string Token(string role, string subject, TimeSpan? lifetime = null) =>
        Services.GetRequiredService<Acd.Api.Security.TokenIssuer>().Issue(subject, [role], lifetime ?? TimeSpan.FromHours(1));

    /// <summary>A client acting as <paramref name="subject"/> in <paramref name="role"/>.</summary>
    public HttpClient ClientAs(string role, string subject)
    {
        var client = CreateDefaultClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token(role, subject));
        return client;
    }

    /// <summary>A client without a token.</summary>
    public HttpClient Anonymous()
    {
        var client = CreateDefaultClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    /// <summary>
    /// A port nothing listens on, below the kernel's ephemeral range: a port the kernel handed out for a moment
    /// (bind to 0) can be taken again by any outgoing connection before the process that was given it binds it
    /// (a node failed to start in CI with "address already in use"). Each test process starts at its own place.
    /// </summary>
    public static int FreePort()
    {
        lock (PortLock)
        {
            for (var tries = 0; tries < PortRange.Count; tries++)
            {
                _nextPort = _nextPort + 1 >= PortRange.End ? PortRange.Start : _nextPort + 1;
                if (IsFree(_nextPort))
                {
                    return _nextPort;
                }
            }
        }
        throw new InvalidOperationException($"No free port in {PortRange.Start}..{PortRange.End}");
    }

    private static readonly object PortLock = new();
    private static readonly (int Start, int End, int Count) PortRange = PortsBelowEphemeral();
    private static int _nextPort = PortRange.Start + Random.Shared.Next(PortRange.Count);

    private static (int Start, int End, int Count) PortsBelowEphemeral()
    {
        var ephemeralStart = 32768;
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0],
                System.Globalization.CultureInfo.InvariantCulture, out var low))
        {
            ephemeralStart = low;
        }
        if (ephemeralStart < 12000)
        {
            return (61000, 65535, 65535 - 61000); // a kernel whose ephemeral range starts low ends it at 60999 too
        }
        var start = Math.Min(20000, ephemeralStart - 2000);
        return (start, ephemeralStart, ephemeralStart - start);
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Server.ExclusiveAddressUse = true;
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
