using Acd.Api.Apis;
using Acd.Api.Http;
using Acd.Api.Security;
using Acd.Api.Twilio;
using Acd.Api.WorkspaceFile;
using Acd.Grains;
using Acd.Grains.Abstractions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acd.Api;

public static class AcdApiExtensions
{
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
        services.AddOpenApi();
        services.AddHealthChecks();
        services.AddHostedService<WorkspaceFileLoader>();
        services.AddOptions<Statistics.StatisticsOptions>().Bind(builder.Configuration.GetSection(Statistics.StatisticsOptions.Section));
        services.AddSingleton<Statistics.StatisticsService>();
        builder.AddAcdTwilio();
        builder.AddAcdAuth();
        return builder;
    }

    /// <summary>Every endpoint of Acd.</summary>
    public static IEndpointRouteBuilder MapAcdApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/health").AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapDevTokenApi();
        }
        app.MapActivitiesApi();
        app.MapQueuesApi();
        app.MapStatisticsApi();
        app.MapWorkflowsApi();
        app.MapAgentsApi();
        app.MapCallsApi();
        app.MapEventsApi();
        app.MapTwilioWebhooks().AllowAnonymous();
        return app;
    }
}
