using Acd.Api.Security;
using Acd.Grains;
using Acd.Grains.Events;
using Acd.Grains.Queues;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Acd.Silo.Database;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Serilog;

namespace Acd.Silo;

public static class SiloExtensions
{
    /// <summary>Serilog structured console logging, configurable under <c>Serilog</c>.</summary>
    public static WebApplicationBuilder AddAcdLogging(this WebApplicationBuilder builder)
    {
        // AddSerilog with a callback (not CreateBootstrapLogger): a second host in one test process must work.
        // Acd:LogFormat=json: one JSON object per line (Serilog's compact format, message rendered), for a log shipper.
        var format = builder.Configuration["Acd:LogFormat"] ?? "text";
        if (format is not ("text" or "json"))
        {
            throw new AcdStartupException($"Acd:LogFormat must be text or json, not '{format}'");
        }
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(services).Enrich.FromLogContext()
                .Filter.ByExcluding(WatchdogFalseAlarm.Is);
            if (format == "json")
            {
                logger.WriteTo.Console(new Serilog.Formatting.Compact.RenderedCompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            }
        });
        return builder;
    }

    /// <summary>
    /// Orleans in this process. <c>Storage:Provider=Memory</c> (default): localhost clustering, in-memory storage and
    /// reminders. <c>Storage:Provider=Postgres</c>: grain storage, clustering and reminders all on PostgreSQL through
    /// Orleans' ADO.NET providers (invariant Npgsql), with <c>ConnectionStrings:Acd</c>.
    /// </summary>
    public static WebApplicationBuilder AddAcdSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var siloPort = configuration.GetValue("Orleans:SiloPort", 11111);
        // No gateway unless asked for: Acd's web host runs inside the silo, and an Orleans gateway would let anyone who
        // reaches the port call grains around every role check.
        var gatewayPort = configuration.GetValue("Orleans:GatewayPort", 0);
        var clusterId = configuration["Orleans:ClusterId"] ?? "acd";
        var serviceId = configuration["Orleans:ServiceId"] ?? "acd";
        var provider = configuration["Storage:Provider"] ?? "Memory";
        builder.UseOrleans(silo =>
        {
            silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
            silo.UseAcdTls(configuration);
            // A grain call carries the trace of whoever made it (a webhook, another grain): a call is one trace.
            silo.AddActivityPropagation();
            if (provider.Equals("Memory", StringComparison.OrdinalIgnoreCase))
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, null, serviceId, clusterId);
                silo.AddAcdMemoryStorage();
                silo.UseInMemoryReminderService();
                return;
            }
            if (!provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase))
            {
                throw new AcdStartupException($"Storage:Provider must be Memory or Postgres, not '{provider}'");
            }
            var connectionString = PooledWithoutReset(configuration.GetConnectionString("Acd")
                ?? throw new AcdStartupException("Storage:Provider is Postgres but ConnectionStrings:Acd is not set"));
            builder.Services.AddHealthChecks().AddCheck("storage", new PostgresReadyCheck(connectionString), tags: [Acd.Api.AcdApiExtensions.ReadyTag]);
            var address = System.Net.IPAddress.Parse(configuration["Orleans:AdvertisedAddress"] ?? "127.0.0.1");
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: configuration.GetValue("Orleans:ListenOnAnyAddress", false));
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            silo.AddAcdPostgresStorage(connectionString, serviceId);
        });
        return builder;
    }

    /// <summary>
    /// Everything Acd keeps on PostgreSQL under <paramref name="serviceId"/>: grain state (Orleans' ADO.NET storage with its
    /// binary serializer), reminders, the event log, waiting calls and the list of unsettled calls. Clustering is apart.
    /// </summary>
    public static ISiloBuilder AddAcdPostgresStorage(this ISiloBuilder silo, string connectionString, string serviceId)
    {
        connectionString = PooledWithoutReset(connectionString);
        // Acd's own grain storage on Orleans' ADO.NET table layout, group-committed (PostgresGrainStorage), with
        // Orleans' binary serializer for state: compact, and it round-trips Acd's records exactly.
        silo.Services.AddSingleton(services => new PostgresGroupCommit(Data(services)));
        silo.Services.AddGrainStorage(AcdStorage.Name, (services, name) => new PostgresGrainStorage(
            Data(services), services.GetRequiredService<PostgresGroupCommit>(), serviceId, name,
            new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
            services.GetRequiredService<IActivatorProvider>()));
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
        // Acd's own tables share one pool (Orleans' ADO.NET providers keep theirs): with the connection string's
        // "Maximum Pool Size" (default 100) a node opens at most twice that, whatever it does.
        silo.Services.AddKeyedSingleton(AcdStorage.Name, (_, _) => NpgsqlDataSource.Create(connectionString));
        NpgsqlDataSource Data(IServiceProvider services) => services.GetRequiredKeyedService<NpgsqlDataSource>(AcdStorage.Name);
        silo.Services.Replace(ServiceDescriptor.Singleton<IEventLog>(services =>
            new PostgresEventLog(Data(services), serviceId, services.GetRequiredService<ILogger<PostgresEventLog>>())));
        silo.Services.Replace(ServiceDescriptor.Singleton<IWaitingCallStore>(services =>
            new PostgresWaitingCallStore(Data(services), services.GetRequiredService<PostgresGroupCommit>(), serviceId, services.GetRequiredService<Serializer>())));
        silo.Services.Replace(ServiceDescriptor.Singleton<Acd.Grains.Calls.IUnsettledCallStore>(services => new PostgresUnsettledCallStore(Data(services), services.GetRequiredService<PostgresGroupCommit>(), serviceId)));
        silo.Services.Replace(ServiceDescriptor.Singleton(services => PostgresHolidays.Load(Data(services), serviceId)));
        return silo;
    }

    /// <summary>
    /// Npgsql resets a pooled connection (<c>DISCARD ALL</c>) each time it is taken again, which also throws away the
    /// server's cached plans of the grain-state function, so every write was planned afresh. Neither Orleans nor Acd
    /// leaves session state behind (no temporary tables, session settings or advisory locks), so the reset is skipped
    /// unless the connection string asks for it explicitly.
    /// </summary>
    private static string PooledWithoutReset(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
        }
        return builder.ConnectionString;
    }

    /// <summary><c>Storage:MigrateOnStart=true</c>: brings the PostgreSQL schema up to date before Orleans starts.</summary>
    public static async Task MigrateIfAskedAsync(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (!string.Equals(configuration["Storage:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase)
            || !configuration.GetValue("Storage:MigrateOnStart", false))
        {
            return;
        }
        var connectionString = configuration.GetConnectionString("Acd")
            ?? throw new AcdStartupException("Storage:MigrateOnStart is set but ConnectionStrings:Acd is not");
        var result = await new SchemaMigrator(connectionString).ApplyAsync();
        Console.WriteLine(result.Applied.Count == 0
            ? $"Acd schema is current (version {result.Version})"
            : $"Acd schema migrated to version {result.Version}: {string.Join(", ", result.Applied)}");
    }
}
