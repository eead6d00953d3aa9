using Acd.Grains;
using Serilog;

namespace Acd.Silo;

public static class SiloExtensions
{
    /// <summary>Serilog structured console logging, configurable under <c>Serilog</c>.</summary>
    public static WebApplicationBuilder AddAcdLogging(this WebApplicationBuilder builder)
    {
        // AddSerilog with a callback (not CreateBootstrapLogger): a second host in one test process must work.
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"));
        return builder;
    }

    /// <summary>
    /// Orleans in this process: localhost clustering and in-memory storage by default.
    /// </summary>
    public static WebApplicationBuilder AddAcdSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var siloPort = configuration.GetValue("Orleans:SiloPort", 11111);
        var gatewayPort = configuration.GetValue("Orleans:GatewayPort", 30000);
        var clusterId = configuration["Orleans:ClusterId"] ?? "acd";
        var serviceId = configuration["Orleans:ServiceId"] ?? "acd";
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, null, serviceId, clusterId);
            silo.AddAcdMemoryStorage();
            silo.UseInMemoryReminderService();
        });
        return builder;
    }
}
