using Acd.Grains.Telephony;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using global::Twilio.Clients;
using global::Twilio.Http;

namespace Acd.Api.Twilio;

public static class TwilioExtensions
{
    /// <summary>
    /// Twilio: webhooks and TwiML always; the REST adapter of <see cref="ITelephony"/> when credentials are set
    /// (otherwise REST requests are logged, not sent, and start-up says so).
    /// </summary>
    public static IHostApplicationBuilder AddAcdTwilio(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TwilioOptions>().Bind(builder.Configuration.GetSection(TwilioOptions.Section));
        services.AddSingleton<TwilioUrls>();
        services.AddSingleton<CallerTwiml>();
        services.AddSingleton<WaitAnnouncements>();
        services.AddSingleton<TwilioSignatureFilter>();
        services.AddSingleton<RejectedWebhooks>();
        services.AddHostedService<TwilioStartupReport>();
        services.TryAddKeyedSingleton(TwilioClock.Key, TimeProvider.System);

        var settings = builder.Configuration.GetSection(TwilioOptions.Section).Get<TwilioOptions>() ?? new TwilioOptions();
        if (!settings.HasCredentials)
        {
            return builder;
        }
        var http = services.AddHttpClient("twilio", c => c.Timeout = Timeout.InfiniteTimeSpan);
        if (!string.IsNullOrWhiteSpace(settings.ApiBaseUrl))
        {
            var baseUrl = new Uri(settings.ApiBaseUrl);
            http.AddHttpMessageHandler(() => new ApiBaseUrlHandler(baseUrl));
        }
        http.AddTwilioResilience(settings);
        services.AddTwilioRest();
        return builder;
    }

    /// <summary>
    /// Retries and timeouts of Twilio requests, on the network's clock (<see cref="TwilioClock"/>). A request that creates
    /// a call (Participants, Calls) is never retried here: had Twilio made the call before the failure, a retry would ring a
    /// phone twice. <see cref="TwilioTelephony"/> looks such a leg up by its label before asking again.
    /// </summary>
    public static IHttpClientBuilder AddTwilioResilience(this IHttpClientBuilder http, TwilioOptions settings)
    {
        // Outside the retries: once the process stops, no request waits for a back-off (see TwilioShutdown).
        http.Services.TryAddSingleton<TwilioShutdown>();
        http.AddHttpMessageHandler(sp => new TwilioShutdown.Handler(sp.GetRequiredService<TwilioShutdown>()));
        http.AddResilienceHandler("twilio", (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredKeyedService<TimeProvider>(TwilioClock.Key);
            // 429, 5xx and network errors of requests that change or read what exists, with exponential backoff, bounded.
            var retry = new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, settings.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = settings.RetryJitter,
                Delay = TimeSpan.FromMilliseconds(Math.Max(1, settings.RetryBaseDelayMilliseconds)),
            };
            var transient = retry.ShouldHandle;
            retry.ShouldHandle = args => Creates(args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage())
                ? PredicateResult.False()
                : transient(args);
            pipeline.AddRetry(retry);
            pipeline.AddTimeout(TimeSpan.FromSeconds(Math.Max(1, settings.RequestTimeoutSeconds)));
        });
        return http;
    }

    /// <summary>Whether a request creates a call (a POST to a list of Participants or Calls).</summary>
    internal static bool Creates(HttpRequestMessage? request) =>
        request is { Method.Method: "POST", RequestUri.AbsolutePath: var path }
        && (path.EndsWith("/Participants.json", StringComparison.Ordinal) || path.EndsWith("/Calls.json", StringComparison.Ordinal));

    /// <summary>The REST adapter of <see cref="ITelephony"/>: the SDK's client on the "twilio" HTTP client, the pace, the adapter.</summary>
    public static IServiceCollection AddTwilioRest(this IServiceCollection services)
    {
        services.TryAddSingleton<TwilioShutdown>();
        services.AddSingleton(sp => new TwilioHttp(sp.GetRequiredService<IHttpClientFactory>().CreateClient("twilio"), sp.GetRequiredService<TwilioShutdown>()));
        services.AddHostedService(sp => sp.GetRequiredService<TwilioHttp>());
        services.AddSingleton<ITwilioRestClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TwilioOptions>>().Value;
            return new TwilioRestClient(
                o.AccountSid!,
                o.AuthToken!,
                region: string.IsNullOrWhiteSpace(o.Region) ? null : o.Region,
                httpClient: new SystemNetHttpClient(sp.GetRequiredService<TwilioHttp>().Client),
                edge: string.IsNullOrWhiteSpace(o.Edge) ? null : o.Edge);
        });
        services.AddSingleton<TwilioRequestQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<TwilioRequestQueue>());
        services.AddSingleton<TwilioTelephony>();
        services.AddSingleton<ITelephony>(sp => sp.GetRequiredService<TwilioTelephony>());
        services.AddSingleton<ITwilioLookups>(sp => sp.GetRequiredService<TwilioTelephony>());
        return services;
    }
}

/// <summary>
/// The HTTP client of Acd's Twilio requests. When the process stops, requests still under way (waiting for an answer, or
/// for a retry's back-off) are cancelled rather than waited for: the calls they were for are reconciled with Twilio when
/// they are next loaded, on this node or another.
/// </summary>
public sealed class TwilioHttp(System.Net.Http.HttpClient client, TwilioShutdown shutdown) : IHostedService
{
    public System.Net.Http.HttpClient Client { get; } = client;

    /// <summary>The process is stopping: what its requests would have told the grains, the node taking over reconciles.</summary>
    public bool Stopping { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>Cancels every request under way and stops reporting their outcomes.</summary>
    public void Stop()
    {
        Stopping = true;
        shutdown.Stop();
        Client.CancelPendingRequests();
    }
}

/// <summary>
/// The process is stopping, for every Twilio request: those under way (in a retry's back-off too) are cancelled, and any
/// sent from then on (a grain deactivating may still ask) fails at once instead of being retried. Without it, a request
/// sent after the stop began failed, was retried after a back-off on the network's clock, and the HTTP pipeline's disposal
/// waited for it: the node's shutdown hung (the simulation's seeds 15109 and 16000, two restarts of one silo).
/// </summary>
public sealed class TwilioShutdown : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _stopped;

    public void Stop()
    {
        _stopped = true;
        _stopping.Cancel();
    }

    public void Dispose()
    {
        Stop();
        _stopping.Dispose();
    }

    internal sealed class Handler(TwilioShutdown shutdown) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            CancellationTokenSource linked;
            try
            {
                if (shutdown._stopped)
                {
                    throw new OperationCanceledException("The process is stopping: no more Twilio requests");
                }
                linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, shutdown._stopping.Token);
            }
            catch (ObjectDisposedException)
            {
                throw new OperationCanceledException("The process has stopped: no more Twilio requests");
            }
            using (linked)
            {
                return await base.SendAsync(request, linked.Token);
            }
        }
    }
}

/// <summary>Says at start what Acd will do with Twilio, loudly when it will not send anything.</summary>
internal sealed class TwilioStartupReport(IOptions<TwilioOptions> options, IServiceProvider services, ILogger<TwilioStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.HasCredentials)
        {
            logger.LogWarning("No Twilio credentials (Twilio:AccountSid, Twilio:AuthToken): REST calls to Twilio are logged and NOT sent; nothing will really ring");
        }
        else
        {
            var client = services.GetRequiredService<ITwilioRestClient>();
            logger.LogInformation(
                "Twilio REST: host {Host} (processed in US1 unless an IE1/AU1 region is set), conferences in {ConferenceRegion}, paced at {Cps} calls/s{Redirect}",
                ApiHost(o), o.ConferenceRegion, o.CallsPerSecond, string.IsNullOrWhiteSpace(o.ApiBaseUrl) ? "" : $", sent to {o.ApiBaseUrl}");
            _ = client;
        }
        if (string.IsNullOrWhiteSpace(o.PublicBaseUrl))
        {
            logger.LogWarning("Twilio:PublicBaseUrl is not set: callback URLs use the address this node listens on, which Twilio cannot reach from outside, and signatures are checked against the request's own address");
        }
        if (!o.ValidateSignatures)
        {
            logger.LogWarning("Twilio:ValidateSignatures is off: anyone can post to /twilio/*. Use this for local experiments only");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host the SDK builds: api[.edge][.region].twilio.com.</summary>
    internal static string ApiHost(TwilioOptions o)
    {
        var region = string.IsNullOrWhiteSpace(o.Region) ? null : o.Region;
        var edge = string.IsNullOrWhiteSpace(o.Edge) ? null : o.Edge;
        if (edge is not null && region is null)
        {
            region = "us1";
        }
        return string.Join('.', new[] { "api", edge, region, "twilio", "com" }.Where(p => p is not null));
    }
}
