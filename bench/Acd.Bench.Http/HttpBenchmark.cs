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

    public static async Task<int> Main(string[] args)
    {
        var webhooks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var callbacks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        if (callbacks / 2 > webhooks)
        {
            Console.Error.WriteLine("The two bursts need calls to report on: give at least half as many webhooks as callbacks.");
            return 2;
        }
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
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
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
        List<KeyValuePair<string, string>> Voice(string sid) =>
        [
            new("AccountSid", twilio.AccountSid), new("ApiVersion", "2010-04-01"), new("CallSid", sid), new("CallStatus", "ringing"),
            new("Direction", "inbound"), new("From", "+819012345678"), new("To", "+81501234567"), new("Caller", "+819012345678"), new("Called", "+81501234567"),
        ];

        Console.WriteLine("warming up…");
        await LoadAsync(http, 2000, Concurrency, i => (incoming, Voice($"CAwarm{i:D26}")), twilio.AuthToken);
        await LoadAsync(http, 2000, Concurrency, i => (noop, Voice($"CAnoop{i:D26}")), twilio.AuthToken);
        await LoadAsync(http, 2000, Concurrency, i => (edgeOnly, Voice($"CAedge{i:D26}")), twilio.AuthToken);

        Console.WriteLine($"voice webhook × {webhooks:N0}…");
        var baseline = await LoadAsync(http, webhooks, Concurrency, i => (noop, Voice($"CAbase{i:D26}")), twilio.AuthToken);
        var edge = await LoadAsync(http, webhooks, Concurrency, i => (edgeOnly, Voice($"CAedge{i:D26}")), twilio.AuthToken);
        var voice = await LoadAsync(http, webhooks, Concurrency, i => (incoming, Voice($"CAcall{i:D26}")), twilio.AuthToken);

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

        var report = string.Create(CultureInfo.InvariantCulture, $"""
            ## HTTP edge: voice webhook and status-callback burst

            `dotnet run -c Release --project bench/Acd.Bench.Http -- {webhooks} {callbacks}` on {Results.Machine()}, {DateTime.UtcNow:yyyy-MM-dd}.

            Acd (in memory) and the load generator in one process on loopback, sharing the cores. Every request is a signed
            form POST as Twilio sends it; Acd checks the signature. The baseline is a minimal endpoint (`POST /bench/noop`,
            returns "ok") on the same Kestrel, sent the same requests in the same run.

            | Measurement | Acd | Minimal endpoint | Ratio |
            |---|---:|---:|---:|
            | `POST /twilio/voice/incoming` → TwiML, {Concurrency} clients, {webhooks:N0} calls: requests/s | {voice.Rate:N0}/s | {baseline.Rate:N0}/s | {voice.Rate / baseline.Rate:P0} |
            | … p50 / p99 | {voice.P(50):F2} / {voice.P(99):F2} ms | {baseline.P(50):F2} / {baseline.P(99):F2} ms | |
            | The webhook's edge work alone (signature check, form, caller TwiML; no call created): requests/s | {edge.Rate:N0}/s | {baseline.Rate:N0}/s | {edge.Rate / baseline.Rate:P0} |
            | … p50 / p99 | {edge.P(50):F2} / {edge.P(99):F2} ms | | |
            | Burst of {callbacks:N0} status callbacks ({calls:N0} calls × conference start, join, duplicate join, mute, caller's leg status), {BurstConcurrency} at a time: callbacks/s | {burst.Rate:N0}/s | {burstBaseline.Rate:N0}/s | {burst.Rate / burstBaseline.Rate:P0} |
            | … p50 / p99 | {burst.P(50):F2} / {burst.P(99):F2} ms | {burstBaseline.P(50):F2} / {burstBaseline.P(99):F2} ms | |
            | The same burst for the next {calls:N0} calls, {CalmConcurrency} at a time: callbacks/s | {calm.Rate:N0}/s | {calmBaseline.Rate:N0}/s | {calm.Rate / calmBaseline.Rate:P0} |
            | … p50 / p99 | {calm.P(50):F2} / {calm.P(99):F2} ms | {calmBaseline.P(50):F2} / {calmBaseline.P(99):F2} ms | |
            | Failed requests (non-2xx) | {voice.Failed + burst.Failed + calm.Failed + edge.Failed} | {baseline.Failed + burstBaseline.Failed + calmBaseline.Failed} | |

            Aims (issue "Simulator and benchmarks"): the webhook at least half the minimal endpoint's throughput; the burst
            ≥ 5,000 callbacks/s with p99 < 20 ms on 2 cores. A webhook creates the call (its grain and state), runs the
            workflow, enqueues it (queue grain, router) and answers TwiML; a callback is checked, deduplicated by
            `SequenceNumber`, and applied to the call's state (the first conference callback stores the ConferenceSid).
            """);
        Console.WriteLine(report);
        Results.Write("http", report);
        await app.StopAsync();
        return 0;
    }

    private sealed record Load(double Rate, HistogramBase Latency, int Failed)
    {
        public double P(double percentile) => Latency.GetValueAtPercentile(percentile) / 1000.0;
    }

    private static async Task<Load> LoadAsync(HttpClient http, int count, int concurrency, Func<int, (string Url, List<KeyValuePair<string, string>> Form)> request, string authToken)
    {
        var histogram = new LongConcurrentHistogram(1, 60_000_000, 3);
        var next = -1;
        var failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var (url, form) = request(i);
                using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
                message.Headers.Add("X-Twilio-Signature", Signatures.Sign(authToken, url, form));
                var start = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(message);
                await response.Content.ReadAsByteArrayAsync();
                histogram.RecordValue(Math.Max(1, (long)(Stopwatch.GetElapsedTime(start).TotalMicroseconds)));
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        return new Load(count / clock.Elapsed.TotalSeconds, histogram, failed);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
