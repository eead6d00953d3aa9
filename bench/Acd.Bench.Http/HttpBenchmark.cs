using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Acd.Api;
using Acd.Api.Twilio;
using Acd.Silo;
using Acd.Twilio.Fake;
using HdrHistogram;

namespace Acd.Bench;

/// <summary>
/// Acd's HTTP edge in one process on loopback (the load generator shares the two cores): the voice webhook, and a
/// burst of status callbacks, each beside a minimal endpoint on the same Kestrel measured in the same run with the
/// same requests. Twilio's signatures are checked, as in production.
/// </summary>
public static class HttpBenchmark
{
    private const int Concurrency = 32;
    private const int BurstConcurrency = 64;
    private const int CalmConcurrency = 16;
    private const int SteadyRate = 100;
    private const int SteadyCalls = 3_000;
    private const int Dashboards = 20;

    public static async Task<int> Main(string[] args)
    {
        var webhooksArgument = new Argument<int>("webhooks") { DefaultValueFactory = _ => 20_000, Description = "voice webhooks per measurement" };
        var callbacksArgument = new Argument<int>("callbacks") { DefaultValueFactory = _ => 10_000, Description = "status callbacks per burst" };
        var storage = new Option<string>("--storage") { Description = "memory, or postgres to measure durable figures beside in-memory ones in the same run", DefaultValueFactory = _ => "memory" };
        var postgres = new Option<string?>("--postgres") { Description = $"PostgreSQL server connection string (a user who may create databases); default ${BenchDatabase.Variable}" };
        var root = new RootCommand("Acd's HTTP edge under load; writes its section of docs/performance.md") { webhooksArgument, callbacksArgument, storage, postgres };
        root.SetAction(async (result, _) =>
        {
            var webhooks = result.GetValue(webhooksArgument);
            var callbacks = result.GetValue(callbacksArgument);
            if (callbacks / 2 > webhooks)
            {
                Console.Error.WriteLine("The two bursts need calls to report on: give at least half as many webhooks as callbacks.");
                return 2;
            }
            string? server = null;
            if (string.Equals(result.GetValue(storage), "postgres", StringComparison.OrdinalIgnoreCase))
            {
                server = BenchDatabase.ServerFrom(result.GetValue(postgres));
                if (server is null)
                {
                    return 2;
                }
            }
            var memory = await MeasureAsync(webhooks, callbacks, null);
            Figures? durable = null;
            if (server is not null)
            {
                await using var database = await BenchDatabase.CreateAsync(server);
                durable = await MeasureAsync(webhooks, callbacks, database);
            }
            var report = Report(webhooks, callbacks, memory, durable);
            Console.WriteLine(report);
            Results.Write("http", report);
            return 0;
        });
        return await root.Parse(args).InvokeAsync();
    }

    private sealed record Figures(Load Baseline, Load Edge, Load EdgeBySdk, Load Voice, Load SteadyBaseline, Load Steady, Load Watched, Load DashboardReads, Load BurstBaseline, Load Burst, Load CalmBaseline, Load Calm, string? Writes);

    private static async Task<Figures> MeasureAsync(int webhooks, int callbacks, BenchDatabase? database)
    {
        Console.WriteLine(database is null ? "in memory:" : $"on PostgreSQL ({database.Name}):");
        await using var twilio = await FakeTwilio.StartAsync();
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = baseUrl,
            ["Twilio:AccountSid"] = twilio.AccountSid,
            ["Twilio:AuthToken"] = twilio.AuthToken,
            ["Twilio:ApiBaseUrl"] = twilio.BaseUrl.ToString(),
            ["Twilio:PublicBaseUrl"] = baseUrl,
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Storage:Provider"] = database is null ? "Memory" : "Postgres",
            ["ConnectionStrings:Acd"] = database?.ConnectionString,
        });
        builder.AddAcdSilo();
        builder.AddAcdApi();
        var app = builder.Build();
        app.MapAcdApi();
        app.MapPost("/bench/noop", () => TypedResults.Text("ok")).AllowAnonymous();
        // The webhook's edge work without the call: signature check, form, the caller's TwiML.
        app.MapPost("/bench/edge", async (HttpRequest request, CallerTwiml twiml) =>
        {
            var sid = (await request.ReadFormAsync())["CallSid"].ToString();
            return TypedResults.Content(twiml.Conference(sid, $"acd-{sid}"), "application/xml; charset=utf-8");
        }).AddEndpointFilter<TwilioSignatureFilter>().AllowAnonymous().DisableAntiforgery();
        // The same through the Twilio SDK's TwiML classes, as the webhook answered before: what writing it directly saves.
        app.MapPost("/bench/edge-sdk", async (HttpRequest request, CallerTwiml twiml) =>
        {
            var sid = (await request.ReadFormAsync())["CallSid"].ToString();
            return TypedResults.Content(twiml.ConferenceBySdk(sid, $"acd-{sid}"), "application/xml; charset=utf-8");
        }).AddEndpointFilter<TwilioSignatureFilter>().AllowAnonymous().DisableAntiforgery();
        await app.StartAsync();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = new Uri(baseUrl) };
        var token = (await (await http.PostAsJsonAsync("/dev/token", new { role = "admin", sub = "bench" })).Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        using (var admin = new HttpRequestMessage(HttpMethod.Put, "/api/queues/bench") { Content = JsonContent.Create(new { target_workers = "team == 'nobody'" }) })
        {
            admin.Headers.Authorization = new("Bearer", token);
            (await http.SendAsync(admin)).EnsureSuccessStatusCode();
        }
        using (var admin = new HttpRequestMessage(HttpMethod.Put, "/api/workflows/bench") { Content = JsonContent.Create(new { configuration = new { task_routing = new { default_filter = new { queue = "bench" } } } }) })
        {
            admin.Headers.Authorization = new("Bearer", token);
            (await http.SendAsync(admin)).EnsureSuccessStatusCode();
        }

        var incoming = $"{baseUrl}/twilio/voice/incoming?workflow=bench";
        var noop = $"{baseUrl}/bench/noop";
        var edgeOnly = $"{baseUrl}/bench/edge";
        var edgeSdk = $"{baseUrl}/bench/edge-sdk";
        List<KeyValuePair<string, string>> Voice(string sid) =>
        [
            new("AccountSid", twilio.AccountSid), new("ApiVersion", "2010-04-01"), new("CallSid", sid), new("CallStatus", "ringing"),
            new("Direction", "inbound"), new("From", "+819012345678"), new("To", "+81501234567"), new("Caller", "+819012345678"), new("Called", "+81501234567"),
        ];

        Console.WriteLine("warming up…");
        await LoadAsync(http, 2000, Concurrency, i => (incoming, Voice($"CAwarm{i:D26}")), twilio.AuthToken);
        await LoadAsync(http, 2000, Concurrency, i => (noop, Voice($"CAnoop{i:D26}")), twilio.AuthToken);
        await LoadAsync(http, 2000, Concurrency, i => (edgeOnly, Voice($"CAedge{i:D26}")), twilio.AuthToken);
        await LoadAsync(http, 2000, Concurrency, i => (edgeSdk, Voice($"CAedsk{i:D26}")), twilio.AuthToken);

        Console.WriteLine($"voice webhook × {webhooks:N0}…");
        var baseline = await LoadAsync(http, webhooks, Concurrency, i => (noop, Voice($"CAbase{i:D26}")), twilio.AuthToken);
        var edge = await LoadAsync(http, webhooks, Concurrency, i => (edgeOnly, Voice($"CAedge{i:D26}")), twilio.AuthToken);
        var edgeBySdk = await LoadAsync(http, webhooks, Concurrency, i => (edgeSdk, Voice($"CAedsk{i:D26}")), twilio.AuthToken);
        var voice = await LoadAsync(http, webhooks, Concurrency, i => (incoming, Voice($"CAcall{i:D26}")), twilio.AuthToken);

        // What a center sees: calls arriving at a steady rate, not as fast as the machine can take them.
        Console.WriteLine($"voice webhook at a steady {SteadyRate}/s × {SteadyCalls:N0}…");
        var steadyBaseline = await SteadyAsync(http, SteadyCalls, i => (noop, Voice($"CAsbas{i:D26}")), twilio.AuthToken);
        var before = database is null ? null : await database.SettledCountsAsync();
        var steady = await SteadyAsync(http, SteadyCalls, i => (incoming, Voice($"CAstdy{i:D26}")), twilio.AuthToken);
        var after = database is null ? null : await database.SettledCountsAsync();

        // The same steady rate while twenty supervisors' dashboards each read today's statistics once a second.
        Console.WriteLine($"…and again with {Dashboards} dashboards open…");
        var supervisor = (await (await http.PostAsJsonAsync("/dev/token", new { role = "supervisor", sub = "bench-sup" })).Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        using var stop = new CancellationTokenSource();
        var reads = new LongConcurrentHistogram(1, 60_000_000, 3);
        var dashboards = Enumerable.Range(0, Dashboards).Select(d => DashboardAsync(http, supervisor, reads, TimeSpan.FromMilliseconds(1000.0 * d / Dashboards), stop.Token)).ToList();
        var watched = await SteadyAsync(http, SteadyCalls, i => (incoming, Voice($"CAdash{i:D26}")), twilio.AuthToken);
        await stop.CancelAsync();
        await Task.WhenAll(dashboards);

        // The burst: for calls just placed in their conferences, what Twilio sends about each (the conference starting,
        // the caller joining, the same join again, a mute change, and the caller's leg status when the number's
        // status callback points at Acd), all at once.
        const int PerCall = 5;
        var calls = callbacks / PerCall;
        (string Path, List<KeyValuePair<string, string>> Form) Callback(int i, int firstCall)
        {
            var call = firstCall + i / PerCall;
            var sid = $"CAcall{call:D26}";
            var stamp = new KeyValuePair<string, string>("Timestamp", DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture));
            if (i % PerCall == 4)
            {
                return ("/twilio/call/status", [
                    new("AccountSid", twilio.AccountSid), new("ApiVersion", "2010-04-01"), new("CallSid", sid), new("CallStatus", "in-progress"),
                    new("Direction", "inbound"), new("From", "+819012345678"), new("To", "+81501234567"), new("SequenceNumber", "1"), stamp]);
            }
            var (evt, seq) = (i % PerCall) switch { 0 => ("conference-start", 1), 1 => ("participant-join", 2), 2 => ("participant-join", 2), _ => ("participant-mute", 3) };
            List<KeyValuePair<string, string>> form =
            [
                new("AccountSid", twilio.AccountSid), new("ConferenceSid", $"CF{call:D32}"), new("FriendlyName", $"acd-{sid}"),
                new("StatusCallbackEvent", evt), new("SequenceNumber", seq.ToString(CultureInfo.InvariantCulture)), stamp,
            ];
            if (evt != "conference-start")
            {
                form.AddRange([new("CallSid", sid), new("Hold", "false"), new("Muted", evt == "participant-mute" ? "true" : "false"), new("Coaching", "false"),
                    new("EndConferenceOnExit", "true"), new("StartConferenceOnEnter", "false")]);
            }
            return ($"/twilio/conference/status?callId={sid}", form);
        }
        Func<int, (string, List<KeyValuePair<string, string>>)> ToAcd(int firstCall) => i =>
        {
            var (path, form) = Callback(i, firstCall);
            return ($"{baseUrl}{path}", form);
        };
        Func<int, (string, List<KeyValuePair<string, string>>)> ToNoop(int firstCall) => i => (noop, Callback(i, firstCall).Form);
        Console.WriteLine($"callback burst × {callbacks:N0}…");
        await LoadAsync(http, 2000, BurstConcurrency, ToNoop(0), twilio.AuthToken);
        var burstBaseline = await LoadAsync(http, callbacks, BurstConcurrency, ToNoop(0), twilio.AuthToken);
        var burst = await LoadAsync(http, callbacks, BurstConcurrency, ToAcd(0), twilio.AuthToken);
        // The same burst for the next calls with fewer in flight: latency against concurrency on the same cores.
        var calmBaseline = await LoadAsync(http, callbacks, CalmConcurrency, ToNoop(calls), twilio.AuthToken);
        var calm = await LoadAsync(http, callbacks, CalmConcurrency, ToAcd(calls), twilio.AuthToken);

        await app.StopAsync();
        return new Figures(baseline, edge, edgeBySdk, voice, steadyBaseline, steady, watched, new Load(0, reads, 0), burstBaseline, burst, calmBaseline, calm, after?.PerCall(before!, SteadyCalls));
    }


    private static string Report(int webhooks, int callbacks, Figures memory, Figures? durable)
    {
        var command = $"dotnet run -c Release --project bench/Acd.Bench.Http -- {webhooks} {callbacks}" + (durable is null ? "" : " --storage postgres");
        var text = string.Create(CultureInfo.InvariantCulture, $"""
            ## HTTP edge: voice webhook and status-callback burst

            `{command}` on {Results.Machine()}, {DateTime.UtcNow:yyyy-MM-dd}.

            Acd and the load generator in one process on loopback, sharing the cores. Every request is a signed
            form POST as Twilio sends it; Acd checks the signature. The baseline is a minimal endpoint (`POST /bench/noop`,
            returns "ok") on the same Kestrel, sent the same requests in the same run.

            {Table("In memory", webhooks, callbacks, memory)}
            """);
        if (durable is not null)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"""


                {Table("On PostgreSQL (same machine, same run)", webhooks, callbacks, durable)}

                Durable against in memory, same run: webhooks/s at saturation {durable.Voice.Rate / memory.Voice.Rate:P0}; webhook p99 at a
                steady {SteadyRate}/s {durable.Steady.P(99):F2} ms against {memory.Steady.P(99):F2} ms (aim: < 50 ms), and with {Dashboards}
                dashboards open {durable.Watched.P(99):F2} ms against {memory.Watched.P(99):F2} ms.

                What one call's webhook wrote to PostgreSQL at the steady rate (the call's state, its waiting record, its
                events, its entry among unsettled calls), from `pg_stat_user_tables`, `pg_stat_database` and `pg_stat_wal`
                read before and after the {SteadyCalls:N0} calls:

                {durable.Writes}
                """);
        }
        return text + """


            Aims (issue "Simulator and benchmarks"): the webhook at least half the minimal endpoint's throughput; the burst
            ≥ 5,000 callbacks/s with p99 < 20 ms on 2 cores. Aim (issue "Fast where it is deployed"): webhook p99 < 50 ms at a
            steady 100 calls/s on PostgreSQL. A webhook creates the call (its grain and state), runs the workflow, enqueues it
            (queue grain, router) and answers TwiML; a callback is checked, deduplicated by `SequenceNumber`, and applied to
            the call's state (the first conference callback stores the ConferenceSid).
            """;
    }

    private static string Table(string title, int webhooks, int callbacks, Figures f)
    {
        var calls = callbacks / 5;
        return string.Create(CultureInfo.InvariantCulture, $"""
            **{title}**

            | Measurement | Acd | Minimal endpoint | Ratio |
            |---|---:|---:|---:|
            | `POST /twilio/voice/incoming` → TwiML, {Concurrency} clients, {webhooks:N0} calls: requests/s | {f.Voice.Rate:N0}/s | {f.Baseline.Rate:N0}/s | {f.Voice.Rate / f.Baseline.Rate:P0} |
            | … p50 / p99 | {f.Voice.P(50):F2} / {f.Voice.P(99):F2} ms | {f.Baseline.P(50):F2} / {f.Baseline.P(99):F2} ms | |
            | The same webhook at a steady {SteadyRate} calls/s ({SteadyCalls:N0} calls): p50 / p99 | {f.Steady.P(50):F2} / {f.Steady.P(99):F2} ms | {f.SteadyBaseline.P(50):F2} / {f.SteadyBaseline.P(99):F2} ms | |
            | … while {Dashboards} dashboards each read `/api/statistics` once a second: p50 / p99 | {f.Watched.P(50):F2} / {f.Watched.P(99):F2} ms | | |
            | … and those reads of today's statistics: p50 / p99 | {f.DashboardReads.P(50):F2} / {f.DashboardReads.P(99):F2} ms | | |
            | The webhook's edge work alone (signature check, form, caller TwiML; no call created): requests/s | {f.Edge.Rate:N0}/s | {f.Baseline.Rate:N0}/s | {f.Edge.Rate / f.Baseline.Rate:P0} |
            | … p50 / p99 | {f.Edge.P(50):F2} / {f.Edge.P(99):F2} ms | | |
            | … the same with the caller's TwiML through the Twilio SDK (as before): requests/s | {f.EdgeBySdk.Rate:N0}/s | {f.Baseline.Rate:N0}/s | {f.EdgeBySdk.Rate / f.Baseline.Rate:P0} |
            | Allocated per request, whole process (load generator included): the webhook / the edge work alone / the edge with the SDK's TwiML | {f.Voice.Allocated / 1024:N1} / {f.Edge.Allocated / 1024:N1} / {f.EdgeBySdk.Allocated / 1024:N1} KB | {f.Baseline.Allocated / 1024:N1} KB | |
            | Burst of {callbacks:N0} status callbacks ({calls:N0} calls × conference start, join, duplicate join, mute, caller's leg status), {BurstConcurrency} at a time: callbacks/s | {f.Burst.Rate:N0}/s | {f.BurstBaseline.Rate:N0}/s | {f.Burst.Rate / f.BurstBaseline.Rate:P0} |
            | … p50 / p99 | {f.Burst.P(50):F2} / {f.Burst.P(99):F2} ms | {f.BurstBaseline.P(50):F2} / {f.BurstBaseline.P(99):F2} ms | |
            | The same burst for the next {calls:N0} calls, {CalmConcurrency} at a time: callbacks/s | {f.Calm.Rate:N0}/s | {f.CalmBaseline.Rate:N0}/s | {f.Calm.Rate / f.CalmBaseline.Rate:P0} |
            | … p50 / p99 | {f.Calm.P(50):F2} / {f.Calm.P(99):F2} ms | {f.CalmBaseline.P(50):F2} / {f.CalmBaseline.P(99):F2} ms | |
            | Failed requests (non-2xx) | {f.Voice.Failed + f.Steady.Failed + f.Burst.Failed + f.Calm.Failed + f.Edge.Failed} | {f.Baseline.Failed + f.SteadyBaseline.Failed + f.BurstBaseline.Failed + f.CalmBaseline.Failed} | |
            """);
    }

    /// <summary>A supervisor's dashboard: today's statistics once a second, as the page refreshes them.</summary>
    private static async Task DashboardAsync(HttpClient http, string token, HistogramBase reads, TimeSpan offset, CancellationToken stop)
    {
        try
        {
            await Task.Delay(offset, stop);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/statistics?waiting_calls=false");
                request.Headers.Authorization = new("Bearer", token);
                var start = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request, stop);
                await response.Content.ReadAsByteArrayAsync(stop);
                response.EnsureSuccessStatusCode();
                reads.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds));
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Open loop: requests sent at <see cref="SteadyRate"/> per second whatever the answers take.</summary>
    private static async Task<Load> SteadyAsync(HttpClient http, int count, Func<int, (string Url, List<KeyValuePair<string, string>> Form)> request, string authToken)
    {
        var histogram = new LongConcurrentHistogram(1, 60_000_000, 3);
        var failed = 0;
        var tasks = new List<Task>(count);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / SteadyRate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var (url, form) = request(i);
            tasks.Add(Task.Run(async () =>
            {
                if (!await SendAsync(http, url, form, authToken, histogram))
                {
                    Interlocked.Increment(ref failed);
                }
            }));
        }
        await Task.WhenAll(tasks);
        return new Load(count / clock.Elapsed.TotalSeconds, histogram, failed);
    }

    private static async Task<bool> SendAsync(HttpClient http, string url, List<KeyValuePair<string, string>> form, string authToken, HistogramBase histogram)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        message.Headers.Add("X-Twilio-Signature", Signatures.Sign(authToken, url, form));
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(message);
        await response.Content.ReadAsByteArrayAsync();
        histogram.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds));
        return response.IsSuccessStatusCode;
    }

    /// <param name="Allocated">Bytes the whole process (load generator included) allocated per request.</param>
    private sealed record Load(double Rate, HistogramBase Latency, int Failed, double Allocated = 0)
    {
        public double P(double percentile) => Latency.GetValueAtPercentile(percentile) / 1000.0;
    }

    private static async Task<Load> LoadAsync(HttpClient http, int count, int concurrency, Func<int, (string Url, List<KeyValuePair<string, string>> Form)> request, string authToken)
    {
        var histogram = new LongConcurrentHistogram(1, 60_000_000, 3);
        var next = -1;
        var failed = 0;
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var (url, form) = request(i);
                if (!await SendAsync(http, url, form, authToken, histogram))
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        return new Load(count / clock.Elapsed.TotalSeconds, histogram, failed, (GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)count);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
