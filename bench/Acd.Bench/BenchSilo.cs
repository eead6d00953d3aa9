using Acd.Grains;
using Acd.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Acd.Bench;

/// <summary>One silo in this process with Acd's grains, in-memory storage and telephony that records what it is asked.</summary>
public sealed class BenchSilo : IDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host, BenchTelephony telephony)
    {
        _host = host;
        Telephony = telephony;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    public IGrainFactory Grains { get; }

    public IServiceProvider Services => _host.Services;

    public BenchTelephony Telephony { get; }

    /// <summary>A silo on in-memory storage, or on PostgreSQL when <paramref name="postgres"/> names a migrated database.</summary>
    public static async Task<BenchSilo> StartAsync(Action<ISiloBuilder>? configure = null, string? postgres = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var telephony = new BenchTelephony();
        builder.Services.AddSingleton<Acd.Grains.Telephony.ITelephony>(telephony);
        builder.Services.AddAcdDomain();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: 21111, gatewayPort: 40000, serviceId: "bench", clusterId: "bench");
            if (postgres is null)
            {
                silo.AddAcdMemoryStorage();
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.AddAcdPostgresStorage(postgres, "bench");
            }
            configure?.Invoke(silo);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host, telephony);
    }

    public Task StopAsync() => _host.StopAsync();

    public void Dispose() => _host.Dispose();
}
