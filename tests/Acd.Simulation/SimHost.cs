using System.Diagnostics;
using Acd.Api.Twilio;
using Acd.Grains;
using Acd.Grains.Abstractions;
using Acd.Grains.Calls;
using Acd.Grains.Events;
using Acd.Grains.Infrastructure;
using Acd.Grains.Queues;
using Acd.Twilio.Fake;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Acd.Simulation;

/// <summary>
/// Acd as deployed, in one process, on one simulated clock: real grains in an Orleans cluster of one or two silos, the
/// real Twilio adapter (pacing, retries, look-ups) whose requests cross a <see cref="SimNetwork"/> to a fake Twilio,
/// and Acd's real webhook endpoints, signature check included, receiving the fake's callbacks. Storage, the waiting-call
/// store and the event log outlive silos, so a restarted or surviving silo reloads every grain from what was stored.
/// </summary>
public sealed class SimHost : IAsyncDisposable
{
    public const string PublicBaseUrl = "https://acd.sim";
    public const string Number = "+81501234567";

    private readonly TwilioOptions _twilio;
    private HttpClient _toAcd = null!;
    private WebApplication _webhooks = null!;

    private SimHost(int silos, TwilioOptions twilio)
    {
        SiloCount = silos;
        _twilio = twilio;
        var copier = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(CallState).Assembly)).BuildServiceProvider().GetRequiredService<DeepCopier>();
        Storage = new InProcessGrainStorage(copier);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    public ActivityTracker Tracker { get; } = new();

    /// <summary>The simulated clock as the silos see it (timer firings counted).</summary>
    public TrackedTime Clock => _clock ??= new TrackedTime(Time);

    private TrackedTime? _clock;
    private long _firedAtSettle;

    public InProcessGrainStorage Storage { get; }

    public InMemoryWaitingCallStore WaitingCalls { get; } = new();

    public InMemoryEventLog EventLog { get; } = new();

    public InMemoryUnsettledCallStore Unsettled { get; } = new();

    /// <summary>Today's running statistics over the shared log, as a node's dashboard reads them.</summary>
    public Acd.Api.Statistics.StatisticsLedger Ledger => _ledger ??= new(EventLog);

    private Acd.Api.Statistics.StatisticsLedger? _ledger;

    public FakeTwilio Twilio { get; private set; } = null!;

    public SimNetwork Network { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public int SiloCount { get; }

    /// <summary>Warnings and errors the silos logged, newest last (shown with a failure).</summary>
    public SimLog Log { get; } = new();

    public static async Task<SimHost> StartAsync(int silos = 1, double callsPerSecond = 2)
    {
        var twilio = new TwilioOptions
        {
            AccountSid = FakeTwilio.DefaultAccountSid,
            AuthToken = FakeTwilio.DefaultAuthToken,
            PublicBaseUrl = PublicBaseUrl,
            CallerId = Number,
            CallsPerSecond = callsPerSecond,
            MaxRetries = 3,
            RetryBaseDelayMilliseconds = 500,
            RetryJitter = false,
            RequestTimeoutSeconds = 10,
            // Look-ups waiting for a free slot would go out in the order threads reach it: all go out at once instead.
            MaxConcurrentLookups = 1000,
        };
        var host = new SimHost(silos, twilio);
        host.Twilio = FakeTwilio.InMemory((request, token) => host._toAcd.SendAsync(request, token), host.Time, "5100");
        host.Twilio.HoldCallbacks = true;
        host.Network = new SimNetwork(host.Twilio.CreateHandler());
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) => host.ConfigureSilo(silo));
        host.Cluster = builder.Build();
        await host.Cluster.DeployAsync();
        await host.StartWebhooksAsync();
        return host;
    }

    private void ConfigureSilo(ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddGrainStorage(AcdStorage.Name, (_, _) => Storage);
        silo.UseInMemoryReminderService();
        services.AddSingleton<TimeProvider>(Clock);
        services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        services.AddKeyedSingleton<TimeProvider>(TwilioClock.Key, Clock);
        services.AddSingleton<IWaitingCallStore>(WaitingCalls);
        services.AddSingleton<IEventLog>(EventLog);
        services.AddSingleton<IUnsettledCallStore>(Unsettled);
        services.AddLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddProvider(Log));
        services.AddOptions<TwilioOptions>().Configure(o => Copy(_twilio, o));
        services.AddSingleton<TwilioUrls>();
        var tag = new SiloTag(Guid.NewGuid().ToString("N"));
        services.AddSingleton(tag);
        services.AddHttpClient("twilio", c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SharedHandler(Network, tag.Value))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(() => new RequestCounter(this))
            .AddTwilioResilience(_twilio);
        services.AddTwilioRest();
        services.AddAcdDomain();
        services.Configure<ClusterMembershipOptions>(o =>
        {
            // A killed silo is declared dead within seconds, so the survivor takes its grains over promptly.
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 1;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
        });
        silo.AddIncomingGrainCallFilter(Tracker);
        silo.AddOutgoingGrainCallFilter(Tracker);
    }

    private async Task StartWebhooksAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IGrainFactory>(_ => Cluster.Client);
        builder.Services.AddOptions<TwilioOptions>().Configure(o => Copy(_twilio, o));
        builder.Services.AddOptions<AcdOptions>();
        builder.Services.AddSingleton<TwilioUrls>();
        builder.Services.AddSingleton<CallerTwiml>();
        builder.Services.AddSingleton<WaitAnnouncements>();
        builder.Services.AddSingleton<TwilioSignatureFilter>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RejectedWebhooks>();
        // What a webhook asks of Twilio itself (a ring group's agent looks up the caller's conference) goes through a
        // live silo's adapter, as it goes through the node's own in Acd.
        builder.Services.AddSingleton<ITwilioLookups>(new LiveSiloLookups(this));
        _webhooks = builder.Build();
        _webhooks.MapTwilioWebhooks();
        await _webhooks.StartAsync();
        _toAcd = new HttpClient(_webhooks.GetTestServer().CreateHandler());
    }

    private static void Copy(TwilioOptions from, TwilioOptions to)
    {
        to.AccountSid = from.AccountSid;
        to.AuthToken = from.AuthToken;
        to.PublicBaseUrl = from.PublicBaseUrl;
        to.CallerId = from.CallerId;
        to.CallsPerSecond = from.CallsPerSecond;
        to.MaxRetries = from.MaxRetries;
        to.RetryBaseDelayMilliseconds = from.RetryBaseDelayMilliseconds;
        to.RequestTimeoutSeconds = from.RequestTimeoutSeconds;
        to.RetryJitter = from.RetryJitter;
        to.MaxConcurrentLookups = from.MaxConcurrentLookups;
    }

    /// <summary>The adapters of the silos that are up.</summary>
    private global::Twilio.Clients.ITwilioRestClient? _directTwilio;

    /// <summary>A Twilio client that reaches the fake without crossing the simulated network.</summary>
    internal global::Twilio.Clients.ITwilioRestClient DirectTwilio => _directTwilio ??= new global::Twilio.Clients.TwilioRestClient(
        Twilio.AccountSid, Twilio.AuthToken, httpClient: new global::Twilio.Http.SystemNetHttpClient(new HttpClient(Twilio.CreateHandler())));

    private IEnumerable<(TwilioTelephony Telephony, TwilioRequestQueue Queue)> Adapters() =>
        Cluster.Silos.Select(s => (s.ServiceProvider.GetRequiredService<TwilioTelephony>(), s.ServiceProvider.GetRequiredService<TwilioRequestQueue>()));

    /// <summary>Leg requests waiting in the silos' paces (not yet sent).</summary>
    public int Backlog => Adapters().Sum(a => a.Queue.Backlog().Waiting);

    /// <summary>Twilio requests under way in the silos (sent, or waiting for a retry's back-off).</summary>
    public int TelephonyInFlight => Adapters().Sum(a => a.Telephony.InFlight);

    /// <summary>
    /// Waits until nothing moves without the world or the clock: no grain turn, call or one-way message under way; every
    /// Twilio request either waiting on the network or on the clock (a pace slot, a retry's back-off); and no sign of
    /// progress for a moment. Fails when the system keeps moving (a livelock) or cannot settle.
    /// </summary>
    public async Task SettleAsync(TimeSpan? limit = null, TimeSpan? quietFor = null)
    {
        var quietWindow = quietFor ?? QuietWindow;
        var clock = Stopwatch.StartNew();
        var quietSince = TimeSpan.MinValue;
        var stamp = -1L;
        var checks = 0;
        while (true)
        {
            var now = clock.Elapsed;
            var inFlight = Adapters().Sum(a => a.Telephony.InFlight);
            var fired = Clock.Fired;
            var twiml = Twilio.TwimlRunning;
            var current = Tracker.Stamp + Network.Stamp + inFlight * 1_000_003L + InHttp * 1_009L + fired * 7L + twiml * 101L;
            // Every Twilio operation under way waits inside an HTTP request; one that is not is running.
            var quiet = Tracker.Idle && Adapters().All(a => a.Queue.IsIdle) && inFlight <= InHttp && twiml == 0 && current == stamp;
            // A request inside the client but not on the network waits for its back-off on the clock (or is between
            // attempts): then nothing must move for longer before it counts as waiting.
            // A request inside the client but not on the network, or a timer fired since the last step (its grain turn
            // may not have started yet): nothing must move for longer before it counts as settled.
            var window = InHttp > Network.InFlight || fired != _firedAtSettle ? quietWindow * 12.5 : quietWindow;
            if (!quiet)
            {
                stamp = current;
                quietSince = now;
                checks = 0;
            }
            else if (++checks >= 3 && now - quietSince >= window)
            {
                _firedAtSettle = fired;
                return;
            }
            if (now > (limit ?? TimeSpan.FromSeconds(20)))
            {
                throw new SimulationStuckException($"Acd did not settle within {clock.Elapsed.TotalSeconds:F0}s: grain work {Tracker.Busy}, network {Network.InFlight} in flight, " +
                    $"telephony {string.Join("/", Adapters().Select(a => a.Telephony.InFlight))} in flight, paces idle {string.Join("/", Adapters().Select(a => a.Queue.IsIdle))}");
            }
            if (checks % 8 == 7)
            {
                await Task.Delay(1);
            }
            else
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>How long nothing may move before the system counts as settled (scheduling gaps are microseconds).</summary>
    /// <remarks>A loaded machine (CI, running other tests beside) needs longer to be sure: <c>--quiet-ms</c>.</remarks>
    public static TimeSpan QuietWindow { get; set; } = TimeSpan.FromMilliseconds(0.4);

    /// <summary>Where a cluster step (a kill) is, for the report when it does not finish.</summary>
    public static string? Phase { get; private set; }

    /// <summary>Stops the only silo and starts a new one: every grain reloads from storage.</summary>
    public async Task RestartAsync()
    {
        var old = Cluster.Silos[0];
        var clock = Stopwatch.StartNew();
        await Cluster.StartAdditionalSiloAsync();
        SimulationRun.Live?.Write($"[new silo {clock.ElapsedMilliseconds} ms] ");
        Abandon(old);
        await Cluster.StopSiloAsync(old);
        SimulationRun.Live?.Write($"[old stopped {clock.ElapsedMilliseconds} ms] ");
        await ForgetLostWorkAsync(old.SiloAddress);
        SimulationRun.Live?.Write($"[client back {clock.ElapsedMilliseconds} ms] ");
        Phase = null;
    }

    /// <summary>Kills one silo of two without warning, then starts a replacement; the survivor takes its grains over.</summary>
    public async Task KillOneAsync(int which)
    {
        var victim = Cluster.Silos[which % Cluster.Silos.Count];
        Abandon(victim);
        var clock = Stopwatch.StartNew();
        Phase = "killing a silo";
        await Cluster.KillSiloAsync(victim);
        SimulationRun.Live?.Write($"[killed {clock.ElapsedMilliseconds} ms] ");
        Phase = $"waiting for the cluster to recover (killed after {clock.ElapsedMilliseconds} ms)";
        await ForgetLostWorkAsync(victim.SiloAddress);
        SimulationRun.Live?.Write($"[recovered {clock.ElapsedMilliseconds} ms] ");
        Phase = $"starting a silo to replace it (recovered after {clock.ElapsedMilliseconds} ms)";
        await Cluster.StartAdditionalSiloAsync();
        SimulationRun.Live?.Write($"[joined {clock.ElapsedMilliseconds} ms] ");
        Phase = null;
    }

    /// <summary>
    /// Work that was under way on a silo that went away never finishes: once what can still finish has (nothing moves for a
    /// moment), the counts start again from zero.
    /// </summary>
    private async Task ForgetLostWorkAsync(SiloAddress gone)
    {
        var clock = Stopwatch.StartNew();
        // The cluster declares the silo gone, and the router keepers recover what it hosted; then nothing moves.
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                var hosts = await Cluster.Silos[^1].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(2));
                if (!hosts.ContainsKey(gone))
                {
                    break;
                }
            }
            catch (Exception) when (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
            }
            await Task.Delay(10);
        }
        SimulationRun.Live?.Write($"[gone from membership {clock.ElapsedMilliseconds} ms] ");
        Phase = $"waiting for quiet (gone from membership after {clock.ElapsedMilliseconds} ms)";
        var stamp = -1L;
        var since = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(25))
        {
            var current = Tracker.Stamp + Network.Stamp;
            if (current != stamp)
            {
                (stamp, since) = (current, clock.Elapsed);
            }
            else if (clock.Elapsed - since > TimeSpan.FromMilliseconds(150))
            {
                break;
            }
            await Task.Delay(5);
        }
        Tracker.Reset();
        SimulationRun.Live?.Write($"[quiet {clock.ElapsedMilliseconds} ms] ");
        Phase = $"waiting for the router to answer (quiet after {clock.ElapsedMilliseconds} ms)";
        // The client (and the webhook host through it) learns of the new gateway: wait until the cluster answers it.
        while (true)
        {
            try
            {
                await Grains.GetGrain<IRouterGrain>("default").GetPositionAsync("none").WaitAsync(TimeSpan.FromSeconds(2));
                break;
            }
            catch (Exception e) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                SimulationRun.Live?.Write($"[router not yet: {e.GetType().Name} {e.Message[..Math.Min(120, e.Message.Length)]} at {clock.ElapsedMilliseconds} ms] ");
                await Task.Delay(20);
            }
        }
        Tracker.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        _ledger?.Dispose();
        await Twilio.DisposeAsync();
        await _webhooks.DisposeAsync();
        _toAcd.Dispose();
        await Cluster.DisposeAsync();
        Network.Dispose();
    }

    /// <summary>Hands a silo's requests, marked as its own, to the one shared network, without disposing it with the client's handlers.</summary>
    private sealed class SharedHandler(HttpMessageHandler shared, string silo) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(shared, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Options.Set(SimNetwork.Silo, silo);
            return _invoker.SendAsync(request, cancellationToken);
        }
    }

    private int _inHttp;

    /// <summary>
    /// Twilio requests inside the HTTP client (its retries included). A Twilio operation under way that is not inside one
    /// is running code, not waiting: the system is not settled.
    /// </summary>
    public int InHttp => Volatile.Read(ref _inHttp);

    /// <summary>Counts requests from when the adapter makes them until they return, retries and back-offs included.</summary>
    private sealed class RequestCounter(SimHost host) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref host._inHttp);
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref host._inHttp);
            }
        }
    }

    /// <summary>Which silo's process a request comes from.</summary>
    private sealed record SiloTag(string Value);

    /// <summary>The silo's process goes away: its connections to Twilio reset, and its requests waiting for a retry die with it.</summary>
    private void Abandon(InProcessSiloHandle silo)
    {
        silo.ServiceProvider.GetRequiredService<TwilioHttp>().Stop();
        Network.Abandon(silo.ServiceProvider.GetRequiredService<SiloTag>().Value);
    }
}

/// <summary>The simulated system did not settle: it kept moving without input, or a step hung.</summary>
public sealed class SimulationStuckException(string message) : Exception(message);

/// <summary>
/// A webhook's look-ups, through the Twilio SDK to the fake Twilio directly: answered at once, as part of the webhook,
/// so that what the webhook answers never waits for a step of the world (the adapters' requests cross the network).
/// </summary>
internal sealed class LiveSiloLookups(SimHost host) : ITwilioLookups
{
    public Task<bool> ConferenceEndedAsync(string name, string? sid) =>
        TwilioConferences.EndedAsync(host.DirectTwilio, name, sid, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
}
