using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Acd.Twilio.Fake;
using HdrHistogram;

namespace Acd.Simulator;

/// <summary>
/// Callers and agents, played in real time against Acd through the fake Twilio: callers arrive (Poisson), press 1 or 2,
/// wait hearing music and hang up when their patience runs out; agents pick up after a moment (or let it ring out),
/// talk, and wrap up. Acd sees only Twilio's webhooks and REST API, as in production.
/// </summary>
public sealed class Simulation(SimulatorOptions options, FakeTwilio twilio, Uri acd, HttpClient api) : IDisposable
{
    public const string Workflow = "sim";

    private readonly Random _random = new(options.Seed);
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Caller> _callers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AgentSim> _agents = new(StringComparer.Ordinal);
    private readonly LongHistogram _webhook = new(TimeStamp.Minutes(1), 3);
    private readonly LongHistogram _callback = new(TimeStamp.Minutes(1), 3);
    private readonly LongHistogram _toRing = new(TimeStamp.Minutes(1), 3);
    private readonly CancellationTokenSource _stop = new();
    private int _arrived, _answered, _abandoned, _completed, _letRing, _failed;

    public DateTimeOffset StartedAt { get; private set; }

    public void Dispose() => _stop.Dispose();

    public Stopwatch Clock { get; } = new();

    public bool Arriving { get; private set; }

    private sealed class Caller(string sid, long arrivedTicks, bool agentFree)
    {
        public string Sid { get; } = sid;
        public long ArrivedTicks { get; } = arrivedTicks;
        public bool AgentFreeOnArrival { get; } = agentFree;
        public bool Rung { get; set; }
        public bool Connected { get; set; }
        public bool Done { get; set; }
    }

    private sealed class AgentSim(string id, string[] skills)
    {
        public string Id { get; } = id;
        public string[] Skills { get; } = skills;
        public string State { get; set; } = "idle";
        public DateTimeOffset Since { get; set; } = DateTimeOffset.UtcNow;
    }

    public async Task ConfigureAsync()
    {
        await PutAsync("/api/queues/sim-sales", new { friendly_name = "Sales 営業", target_workers = "skills HAS 'sales'", wrap_up_seconds = options.WrapUpSeconds });
        await PutAsync("/api/queues/sim-support", new { friendly_name = "Support サポート", target_workers = "skills HAS 'support'", wrap_up_seconds = options.WrapUpSeconds });
        await PutAsync($"/api/workflows/{Workflow}", new
        {
            task_reservation_timeout = 15,
            configuration = new
            {
                task_routing = new
                {
                    filters = new object[]
                    {
                        new { filter_friendly_name = "sales", expression = "digits == '1'", targets = new object[] { new { queue = "sim-sales", timeout = 60 }, new { queue = "sim-support" } } },
                    },
                    default_filter = new { queue = "sim-support" },
                },
            },
        });
        for (var i = 1; i <= options.Agents; i++)
        {
            var id = $"sim-{i:00}";
            string[] skills = (i % 3) switch { 0 => ["sales", "support"], 1 => ["sales"], _ => ["support"] };
            await PutAsync($"/api/agents/{id}", new { friendly_name = $"Agent {i:00}", activity = "Available", attributes = new { skills, contact_uri = $"client:{id}" } });
            _agents[$"client:{id}"] = new AgentSim(id, skills);
        }
    }

    private async Task PutAsync(string path, object body)
    {
        using var response = await api.PutAsJsonAsync(new Uri(path, UriKind.Relative), body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Times Acd's answers to the fake's requests: the voice webhook and the status callbacks.</summary>
    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Timed(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send) =>
        async (request, cancellation) =>
        {
            var started = Stopwatch.GetTimestamp();
            var response = await send(request, cancellation);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var histogram = request.RequestUri!.AbsolutePath.EndsWith("/voice/incoming", StringComparison.Ordinal) ? _webhook : _callback;
            lock (histogram)
            {
                histogram.RecordValue(Math.Max(1, elapsed.Ticks / 10)); // microseconds
            }
            return response;
        };

    public async Task RunAsync(Action<Simulation> onTick, CancellationToken cancellation)
    {
        twilio.Rung += OnRung;
        twilio.Ended += OnEnded;
        StartedAt = DateTimeOffset.UtcNow;
        Clock.Start();
        Arriving = true;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _stop.Token);
        var ticker = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(CancellationToken.None) && !_stop.IsCancellationRequested)
            {
                onTick(this);
            }
        }, CancellationToken.None);
        try
        {
            var end = options.Minutes > 0 ? TimeSpan.FromMinutes(options.Minutes) : TimeSpan.MaxValue;
            while (Clock.Elapsed < end && !linked.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(Exponential(60 / options.CallsPerMinute)), linked.Token);
                _ = Task.Run(ArriveAsync, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C, or the time is up
        }
        Arriving = false;
        // Let the callers already in finish, for at most --drain seconds (unless stopped); then whoever is still on the
        // line hangs up, so a run ends within its minutes plus the drain.
        var drain = Stopwatch.StartNew();
        while (_callers.Values.Any(c => !c.Done) && drain.Elapsed < TimeSpan.FromSeconds(options.DrainSeconds) && !cancellation.IsCancellationRequested)
        {
            await Task.Delay(500, CancellationToken.None);
        }
        foreach (var leg in twilio.Legs.Where(l => l.Direction == "inbound" && !l.IsFinal))
        {
            twilio.HangUp(leg.Sid);
        }
        await _stop.CancelAsync();
        await ticker;
        twilio.Rung -= OnRung;
        twilio.Ended -= OnEnded;
    }

    private async Task ArriveAsync()
    {
        var digits = Chance(options.Sales) ? "1" : "2";
        var skill = digits == "1" ? "sales" : "support";
        bool free;
        lock (_gate)
        {
            free = _agents.Values.Any(a => a.State == "idle" && a.Skills.Contains(skill));
        }
        var from = $"+8190{_random.Next(10000000, 99999999).ToString(CultureInfo.InvariantCulture)}";
        var arrived = Stopwatch.GetTimestamp();
        CallerSession session;
        try
        {
            session = await twilio.CallAsync($"{acd.ToString().TrimEnd('/')}/twilio/voice/incoming?workflow={Workflow}&digits={digits}", from, "+81500000000");
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _failed);
            return;
        }
        Interlocked.Increment(ref _arrived);
        if (session.Status != 200 || session.HungUp)
        {
            Interlocked.Increment(ref _failed);
            return;
        }
        var caller = _callers.GetOrAdd(session.CallSid, sid => new Caller(sid, arrived, free));
        if (options.PatienceSeconds > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(Exponential(options.PatienceSeconds)));
            lock (_gate)
            {
                if (caller.Connected || caller.Done)
                {
                    return;
                }
                caller.Done = true;
            }
            Interlocked.Increment(ref _abandoned);
            twilio.HangUp(caller.Sid);
        }
    }

    private void OnRung(FakeLeg leg)
    {
        if (!_agents.TryGetValue(leg.To, out var agent))
        {
            return;
        }
        var caller = CallerIn(leg.ConferenceSid);
        lock (_gate)
        {
            agent.State = "ringing";
            agent.Since = DateTimeOffset.UtcNow;
            if (caller is { Rung: false })
            {
                caller.Rung = true;
                if (caller.AgentFreeOnArrival)
                {
                    lock (_toRing)
                    {
                        _toRing.RecordValue(Math.Max(1, Stopwatch.GetElapsedTime(caller.ArrivedTicks).Ticks / 10));
                    }
                }
            }
        }
        if (Chance(options.NoAnswer))
        {
            Interlocked.Increment(ref _letRing);
            return; // Acd's reservation timeout ends the ringing
        }
        var pickUp = Math.Min(Exponential(options.AnswerSeconds), 12);
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(pickUp));
            Caller? talking;
            lock (_gate)
            {
                talking = CallerIn(leg.ConferenceSid);
                if (leg.Status != "ringing" || talking is null || talking.Done)
                {
                    return;
                }
                talking.Connected = true;
                agent.State = "talking";
                agent.Since = DateTimeOffset.UtcNow;
            }
            twilio.Answer(leg.Sid);
            Interlocked.Increment(ref _answered);
            await Task.Delay(TimeSpan.FromSeconds(Exponential(options.TalkSeconds)));
            lock (_gate)
            {
                if (talking.Done)
                {
                    return;
                }
                talking.Done = true;
            }
            Interlocked.Increment(ref _completed);
            twilio.HangUp(talking.Sid);
        });
    }

    private void OnEnded(FakeLeg leg)
    {
        lock (_gate)
        {
            if (_agents.TryGetValue(leg.To, out var agent))
            {
                // After a conversation Acd holds the agent in wrap-up; an offer that rang out leaves them idle, and
                // Acd moves them to Break: like a real agent back at the desk, they make themselves available again.
                var missed = agent.State == "ringing";
                if (missed)
                {
                    _ = Task.Run(() => BackFromBreakAsync(agent), CancellationToken.None);
                }
                var wrapUp = agent.State == "talking" && options.WrapUpSeconds > 0;
                agent.State = wrapUp ? "wrap-up" : missed ? "break" : "idle";
                agent.Since = DateTimeOffset.UtcNow;
                if (wrapUp)
                {
                    _ = Task.Delay(TimeSpan.FromSeconds(options.WrapUpSeconds)).ContinueWith(_ =>
                    {
                        lock (_gate)
                        {
                            if (agent.State == "wrap-up")
                            {
                                agent.State = "idle";
                            }
                        }
                    }, TaskScheduler.Default);
                }
            }
            else if (_callers.TryGetValue(leg.Sid, out var caller))
            {
                caller.Done = true;
            }
        }
    }

    private async Task BackFromBreakAsync(AgentSim agent)
    {
        await Task.Delay(TimeSpan.FromSeconds(20));
        try
        {
            using var response = await api.PutAsJsonAsync(new Uri($"/api/agents/{agent.Id}/activity", UriKind.Relative), new { activity = "Available" });
            lock (_gate)
            {
                if (agent.State == "break")
                {
                    agent.State = "idle";
                }
            }
        }
        catch (HttpRequestException)
        {
            // Acd is going away; the run is ending
        }
    }

    private Caller? CallerIn(string? conferenceSid)
    {
        var conference = twilio.Conferences.FirstOrDefault(c => c.Sid == conferenceSid);
        return conference is null ? null : conference.Participants.Keys.Select(k => _callers.GetValueOrDefault(k)).FirstOrDefault(c => c is not null);
    }

    private double Exponential(double mean)
    {
        lock (_random)
        {
            return -mean * Math.Log(1 - _random.NextDouble());
        }
    }

    private bool Chance(double p)
    {
        lock (_random)
        {
            return _random.NextDouble() < p;
        }
    }

    public SimulationCounts Counts()
    {
        lock (_gate)
        {
            var states = _agents.Values.GroupBy(a => a.State).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var live = _callers.Values.Where(c => !c.Done).ToList();
            return new SimulationCounts(_arrived, live.Count(c => !c.Connected), live.Count(c => c.Connected), _answered, _completed, _abandoned, _letRing, _failed, states);
        }
    }

    public (double P50, double P99, long Count) Percentiles(string which)
    {
        var histogram = which switch { "webhook" => _webhook, "callback" => _callback, _ => _toRing };
        lock (histogram)
        {
            return histogram.TotalCount == 0 ? (0, 0, 0)
                : (histogram.GetValueAtPercentile(50) / 1000.0, histogram.GetValueAtPercentile(99) / 1000.0, histogram.TotalCount);
        }
    }

    /// <summary>Acd's own statistics over the simulation so far (what the dashboard shows).</summary>
    public async Task<JsonObject?> StatisticsAsync()
    {
        var from = Uri.EscapeDataString(StartedAt.AddSeconds(-1).ToString("O", CultureInfo.InvariantCulture));
        try
        {
            return await api.GetFromJsonAsync<JsonObject>(new Uri($"/api/statistics?from={from}", UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public static HttpClient Api(Uri acd, string token)
    {
        var http = new HttpClient { BaseAddress = acd, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}

public sealed record SimulationCounts(int Arrived, int Waiting, int Talking, int Answered, int Completed, int Abandoned, int LetRingOut, int Failed, IReadOnlyDictionary<string, int> Agents);
