using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Resources;
using Acd.Api.Apis;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Api.Twilio;
using Acd.Api.WorkspaceFile;
using Acd.Grains;
using Acd.Grains.Abstractions;
using Acd.Grains.Events;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acd.Api;

public static class AcdApiExtensions
{
    /// <summary>Health checks that decide readiness (<c>/health/ready</c>); the storage check of the silo carries it too.</summary>
    public const string ReadyTag = "ready";

    private static Task WriteHealthAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
        });

    /// <summary>Services of the HTTP edge: JSON in TaskRouter's shapes, ProblemDetails, OpenAPI, health, the workspace file.</summary>
    public static IHostApplicationBuilder AddAcdApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAcdDomain();
        services.AddOptions<AcdOptions>().Bind(builder.Configuration.GetSection(AcdOptions.Section));
        services.ConfigureHttpJsonOptions(o => AcdJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddExceptionHandler<UnavailableHandler>();
        services.AddOpenApi(o => o.AddDocumentTransformer<OpenApiDescription>());
        services.AddHealthChecks().AddCheck<Health.ClusterReadyCheck>("cluster", tags: [ReadyTag]);
        // service.name "acd" (not "unknown_service:dotnet"), and this process as the instance.
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService("acd", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}")
                .AddAttributes([new("orleans.silo", $"{builder.Configuration["Orleans:AdvertisedAddress"] ?? "127.0.0.1"}:{builder.Configuration["Orleans:SiloPort"] ?? "11111"}")]))
            .WithMetrics(metrics => metrics
            .AddMeter(AcdMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.Orleans")
            .AddPrometheusExporter())
            .WithTracing(tracing =>
            {
                // ASP.NET Core's instrumentation names each request's route, path and status on its span.
                tracing.AddSource(AcdTracing.Sources).AddAspNetCoreInstrumentation();
                // OTLP only when asked for (the standard variables: endpoint, protocol, headers); otherwise traces exist
                // for in-process listeners only and cost nothing to export.
                if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    tracing.AddOtlpExporter();
                }
            });
        services.AddHostedService<WorkspaceFileLoader>();
        services.AddOptions<Apis.OutboundOptions>().Bind(builder.Configuration.GetSection(Apis.OutboundOptions.Section));
        services.AddOptions<Statistics.StatisticsOptions>().Bind(builder.Configuration.GetSection(Statistics.StatisticsOptions.Section));
        services.TryAddSingleton<Acd.Grains.Schedules.HolidayCalendar>(_ => new Acd.Grains.Schedules.HolidayCalendar());
        services.AddSingleton<Statistics.StatisticsLedger>();
        services.AddSingleton<Statistics.StatisticsService>();
        builder.AddAcdTwilio();
        builder.AddAcdAuth();
        return builder;
    }

    /// <summary>Every endpoint of Acd.</summary>
    public static IEndpointRouteBuilder MapAcdApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        // The dashboard's files are open (the page asks for a supervisor's token and sends it with each request).
        var assembly = typeof(AcdApiExtensions).Assembly;
        var shared = new Microsoft.Extensions.FileProviders.EmbeddedFileProvider(assembly, "Acd.Api.Shared");
        var dashboard = new Microsoft.Extensions.FileProviders.CompositeFileProvider(new Microsoft.Extensions.FileProviders.EmbeddedFileProvider(assembly, "Acd.Api.Dashboard"), shared);
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value is "/dashboard" or "/agent")
            {
                context.Response.Redirect(context.Request.Path.Value + "/");
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = dashboard, RequestPath = "/dashboard" });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = dashboard, RequestPath = "/dashboard" });
        // The agent page, the same way: its files are open, its API calls carry the agent's token.
        var agentPage = new Microsoft.Extensions.FileProviders.CompositeFileProvider(new Microsoft.Extensions.FileProviders.EmbeddedFileProvider(assembly, "Acd.Api.Agent"), shared);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = agentPage, RequestPath = "/agent" });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = agentPage, RequestPath = "/agent" });
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/health").AllowAnonymous();
        // Liveness: the process answers. Readiness: the cluster and storage answer (send traffic only then).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        // Prometheus scrapes without a token: expose it on the internal network only.
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        // Tokens for anyone who asks, only while the signing key is the public development one (Development only):
        // with a real key, tokens come from the token command, never from an open endpoint.
        var developmentSignIn = app.Environment.IsDevelopment()
            && app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.SigningKey == AuthOptions.DevelopmentKey;
        app.MapAuthApi(developmentSignIn);
        if (developmentSignIn)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(app.Logger, "POST /dev/token hands out tokens to anyone who reaches this port (Development, built-in signing key): set Auth:SigningKey to turn it off");
            app.MapDevTokenApi();
        }
        app.MapActivitiesApi();
        app.MapQueuesApi();
        app.MapStatisticsApi();
        app.MapWorkflowsApi();
        app.MapSchedulesApi();
        app.MapAgentsApi();
        app.MapVoiceTokenApi();
        app.MapTransferTargetsApi();
        app.MapCallsApi();
        app.MapCallbacksApi();
        app.MapEventsApi();
        app.MapTwilioWebhooks().AllowAnonymous();
        return app;
    }
}
