using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Acd.Twilio.Fake;

/// <summary>
/// A fake Twilio that tests (and the simulator) can trust: a real HTTP server on loopback serving the REST endpoints
/// Acd uses (Participants, Conferences, Calls) with Twilio's paths, parameters and JSON, modelling conferences and
/// legs as Twilio does, and posting signed status callbacks back with Twilio's parameter names. Every request is
/// checked against Twilio's OpenAPI description when it is available (<see cref="SpecAvailable"/>).
/// </summary>
public sealed partial class FakeTwilio : IAsyncDisposable
{
    public const string DefaultAccountSid = "AC00000000000000000000000000000000";
    public const string DefaultAuthToken = "fake-auth-token-0123456789abcdef";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeConference> _conferences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeLeg> _legs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LegBehavior> _behaviors = new(StringComparer.Ordinal);
    private readonly List<RestRequest> _requests = [];
    private readonly List<SentCallback> _callbacks = [];
    private readonly List<string> _violations = [];
    private readonly Queue<(int Status, Func<string, bool> Applies)> _faults = new();
    private readonly Queue<(int Status, Func<string, bool> Applies)> _faultsAfter = new();
    private readonly Channel<(string Url, List<KeyValuePair<string, string>> Form)> _outbox = Channel.CreateUnbounded<(string, List<KeyValuePair<string, string>>)>();
    private readonly List<(string Url, List<KeyValuePair<string, string>> Form)> _held = [];
    private readonly OpenApiCheck? _spec;
    private readonly WebApplication? _app;
    private readonly Task _sender;
    private readonly List<ITimer> _timers = [];
    private int _pending;
    private long _sids;

    private FakeTwilio(WebApplication? app, OpenApiCheck? spec, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send)
    {
        _app = app;
        _spec = spec;
        Send = send;
        _sender = Task.Run(SendCallbacksAsync);
    }

    /// <summary>Twilio's clock: timestamps, and ring timeouts (a leg rung with a Timeout ends no-answer when it runs out).</summary>
    public TimeProvider Clock { get; private init; } = TimeProvider.System;

    /// <summary>When set, SIDs are numbered from it instead of random, so a simulation replays with the same SIDs.</summary>
    public string? SidSeed { get; private init; }

    public string AccountSid { get; private init; } = DefaultAccountSid;

    public string AuthToken { get; private init; } = DefaultAuthToken;

    /// <summary>Where the fake listens: point <c>Twilio:ApiBaseUrl</c> here.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Whether Twilio's OpenAPI description was found; when it was not, requests are not checked against it.</summary>
    public bool SpecAvailable => _spec is not null;

    /// <summary>How callbacks reach Acd (a real HttpClient by default; tests may route to an in-memory server).</summary>
    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Send { get; set; }

    /// <summary>Send each callback twice, as Twilio sometimes does.</summary>
    public bool DuplicateCallbacks { get; set; }

    /// <summary>Keep callbacks instead of sending them, until <see cref="ReleaseHeldAsync"/>.</summary>
    public bool HoldCallbacks { get; set; }

    /// <summary>Keep only the callbacks this picks (by URL and form), until <see cref="ReleaseHeldAsync"/>; the rest go on.</summary>
    public Func<string, IReadOnlyList<KeyValuePair<string, string>>, bool>? HoldCallbacksWhere { get; set; }

    /// <summary>
    /// Carry out Participants requests but hold their responses until <see cref="ReleaseStalled"/>: Twilio created the
    /// leg, and the one who asked never learns its CallSid (a dropped connection, a crash).
    /// </summary>
    public bool StallParticipantResponses { get; set; }

    /// <summary>
    /// Likewise for Calls requests to this address: the leg exists and rings, and its creator learns its CallSid only from
    /// its callbacks or webhooks until <see cref="ReleaseStalled"/>.
    /// </summary>
    public string? StallCallsTo { get; set; }

    private TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task StalledAsync()
    {
        lock (_gate)
        {
            return _stalled.Task;
        }
    }

    /// <summary>Sends the responses held by <see cref="StallParticipantResponses"/> (to whoever still listens) and stops holding.</summary>
    public void ReleaseStalled()
    {
        TaskCompletionSource stalled;
        lock (_gate)
        {
            StallParticipantResponses = false;
            StallCallsTo = null;
            stalled = _stalled;
            _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        stalled.TrySetResult();
    }

    /// <summary>What a leg to an address does unless told otherwise.</summary>
    public LegBehavior DefaultBehavior { get; set; } = LegBehavior.Ring;

    public IReadOnlyList<RestRequest> Requests { get { lock (_gate) { return [.. _requests]; } } }

    public IReadOnlyList<SentCallback> Callbacks { get { lock (_gate) { return [.. _callbacks]; } } }

    /// <summary>Requests real Twilio would have rejected (and the fake answered 400).</summary>
    public IReadOnlyList<string> Violations { get { lock (_gate) { return [.. _violations]; } } }

    public IReadOnlyList<FakeConference> Conferences { get { lock (_gate) { return [.. _conferences.Values]; } } }

    public IReadOnlyList<FakeLeg> Legs { get { lock (_gate) { return [.. _legs.Values]; } } }

    /// <summary>
    /// A fake Twilio with no socket: the SDK reaches it through <see cref="CreateHandler"/>, its callbacks go out through
    /// <paramref name="send"/>, on <paramref name="clock"/>, with SIDs numbered from <paramref name="sidSeed"/>.
    /// </summary>
    public static FakeTwilio InMemory(
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, TimeProvider clock, string sidSeed,
        string accountSid = DefaultAccountSid, string authToken = DefaultAuthToken) =>
        new(null, OpenApiCheck.Load(), send) { AccountSid = accountSid, AuthToken = authToken, Clock = clock, SidSeed = sidSeed, BaseUrl = new Uri("https://api.twilio.com/") };

    /// <summary>An HTTP handler that serves the SDK's requests from this fake in memory.</summary>
    public HttpMessageHandler CreateHandler() => new InMemoryHandler(this);

    public static async Task<FakeTwilio> StartAsync(
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? send = null,
        string accountSid = DefaultAccountSid,
        string authToken = DefaultAuthToken,
        string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var http = new HttpClient();
        send ??= (request, token) => http.SendAsync(request, token);
        var fake = new FakeTwilio(app, OpenApiCheck.Load(), send) { AccountSid = accountSid, AuthToken = authToken };
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address);
        return fake;
    }

    /// <summary>What a leg to <paramref name="to"/> (e.g. <c>client:alice</c>) does when rung.</summary>
    public void OnDial(string to, LegBehavior behavior)
    {
        lock (_gate)
        {
            _behaviors[to] = behavior;
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> REST requests (whose path contains <paramref name="pathContains"/>) are done, and
    /// then their answer is lost: replaced by <paramref name="status"/>, or, with null, by a dropped connection.
    /// </summary>
    public void LoseAnswerOfNext(int count, HttpStatusCode? status, string? pathContains = null)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faultsAfter.Enqueue(((int?)status ?? 0, path => pathContains is null || path.Contains(pathContains, StringComparison.Ordinal)));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> REST requests (whose path contains <paramref name="pathContains"/>) fail with <paramref name="status"/>.</summary>
    public void FailNext(int count, HttpStatusCode status, string? pathContains = null)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Enqueue(((int)status, path => pathContains is null || path.Contains(pathContains, StringComparison.Ordinal)));
            }
        }
    }

    /// <summary>
    /// Sends the held callbacks (those whose URL contains <paramref name="urlContains"/>, or all), in reverse order when
    /// asked: Twilio's callbacks arrive out of order. Holding stops once nothing is left held.
    /// </summary>
    public async Task ReleaseHeldAsync(bool reverse = false, string? urlContains = null)
    {
        List<(string Url, List<KeyValuePair<string, string>> Form)> held;
        lock (_gate)
        {
            held = [.. _held.Where(h => urlContains is null || h.Url.Contains(urlContains, StringComparison.Ordinal))];
            _held.RemoveAll(h => held.Contains(h));
            HoldCallbacks = HoldCallbacks && _held.Count > 0;
            HoldCallbacksWhere = _held.Count > 0 ? HoldCallbacksWhere : null;
        }
        if (reverse)
        {
            held.Reverse();
        }
        foreach (var item in held)
        {
            Interlocked.Increment(ref _pending);
            await _outbox.Writer.WriteAsync(item);
        }
        await IdleAsync();
    }

    /// <summary>Takes every held callback (see <see cref="HoldCallbacks"/>), in the order Twilio made them, for the caller to deliver.</summary>
    public IReadOnlyList<HeldCallback> TakeHeld()
    {
        lock (_gate)
        {
            var held = _held.Select(h => new HeldCallback(h.Url, h.Form)).ToList();
            _held.Clear();
            return held;
        }
    }

    /// <summary>Delivers one callback now, signed as Twilio signs it, and returns the HTTP status Acd answered.</summary>
    public async Task<int> DeliverAsync(HeldCallback callback)
    {
        var form = callback.Form.ToList();
        using var request = new HttpRequestMessage(HttpMethod.Post, callback.Url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", Signatures.Sign(AuthToken, callback.Url, form));
        using var response = await Send(request, CancellationToken.None);
        var status = (int)response.StatusCode;
        lock (_gate)
        {
            _callbacks.Add(new SentCallback(callback.Url, form, status, Clock.GetUtcNow()));
        }
        return status;
    }

    /// <summary>Waits until every callback generated so far has been delivered.</summary>
    public async Task IdleAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Volatile.Read(ref _pending) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{_pending} callbacks still undelivered");
            }
            await Task.Delay(5);
        }
    }

    public FakeLeg? Leg(string callSid)
    {
        lock (_gate)
        {
            return _legs.GetValueOrDefault(callSid);
        }
    }

    /// <summary>The newest leg rung to <paramref name="to"/>.</summary>
    public FakeLeg? LegTo(string to)
    {
        lock (_gate)
        {
            return _legs.Values.LastOrDefault(l => l.To == to);
        }
    }

    public FakeConference? ConferenceNamed(string friendlyName)
    {
        lock (_gate)
        {
            return _conferences.Values.LastOrDefault(c => c.FriendlyName == friendlyName);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseStalled();
        _outbox.Writer.TryComplete();
        lock (_gate)
        {
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }
        }
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            await _sender.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // callbacks to a host that is gone
        }
    }

    private string NewSid(string prefix) => SidSeed is null
        ? prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))
        : prefix + $"{SidSeed}{Interlocked.Increment(ref _sids):x6}".PadLeft(32, '0');

    private static string Rfc1123(DateTimeOffset t) => t.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    private async Task SendCallbacksAsync()
    {
        await foreach (var (url, form) in _outbox.Reader.ReadAllAsync())
        {
            try
            {
                var copies = DuplicateCallbacks ? 2 : 1;
                for (var i = 0; i < copies; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
                    request.Headers.Add("X-Twilio-Signature", Signatures.Sign(AuthToken, url, form));
                    request.Headers.Add("I-Twilio-Idempotency-Token", Guid.NewGuid().ToString());
                    int status;
                    try
                    {
                        using var response = await Send(request, CancellationToken.None);
                        status = (int)response.StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        status = 0;
                    }
                    lock (_gate)
                    {
                        _callbacks.Add(new SentCallback(url, form, status, Clock.GetUtcNow()));
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>Queues a callback (called under the lock, so callbacks keep the order events happened in).</summary>
    private void Enqueue(string? url, List<KeyValuePair<string, string>> form)
    {
        if (url is null)
        {
            return;
        }
        if (HoldCallbacks || HoldCallbacksWhere?.Invoke(url, form) == true)
        {
            _held.Add((url, form));
            return;
        }
        Interlocked.Increment(ref _pending);
        _outbox.Writer.TryWrite((url, form));
    }

    /// <summary>A leg the fake created starts ringing (an agent's phone, a supervisor's, an outbound call's customer).</summary>
    public event Action<FakeLeg>? Rung;

    /// <summary>A leg reached its final status (answered and hung up, or never answered).</summary>
    public event Action<FakeLeg>? Ended;

    private void LegCallback(FakeLeg leg, string statusEvent)
    {
        // Observers hear of it off the lock, in the order it happened for each leg.
        if (statusEvent == "ringing" && Rung is { } rung)
        {
            _ = Task.Run(() => rung(leg));
        }
        else if (statusEvent == "completed" && Ended is { } ended)
        {
            _ = Task.Run(() => ended(leg));
        }
        if (!leg.StatusCallbackEvents.Contains(statusEvent) && !(statusEvent == "completed" && leg.StatusCallback is not null))
        {
            return;
        }
        var form = CallForm(leg);
        form.AddRange(
        [
            new("CallbackSource", "call-progress-events"),
            new("SequenceNumber", (leg.Sequence++).ToString(CultureInfo.InvariantCulture)),
            new("Timestamp", Rfc1123(Clock.GetUtcNow())),
        ]);
        if (leg.IsFinal)
        {
            var duration = leg.AnsweredAt is { } at ? ((int)(Clock.GetUtcNow() - at).TotalSeconds).ToString(CultureInfo.InvariantCulture) : "0";
            form.Add(new("CallDuration", duration));
            form.Add(new("Duration", duration));
        }
        Enqueue(leg.StatusCallback, form);
    }

    /// <summary>The parameters Twilio sends about a call, in a status callback and in a request for its TwiML alike.</summary>
    private List<KeyValuePair<string, string>> CallForm(FakeLeg leg) =>
    [
        new("AccountSid", AccountSid),
        new("ApiVersion", "2010-04-01"),
        new("CallSid", leg.Sid),
        new("CallStatus", leg.Status),
        new("Called", leg.To),
        new("Caller", leg.From),
        new("Direction", leg.Direction),
        new("From", leg.From),
        new("To", leg.To),
    ];

    private void ConferenceCallback(FakeConference conference, string statusEvent, FakeParticipant? participant = null)
    {
        var subscription = statusEvent switch
        {
            "conference-start" => "start",
            "conference-end" => "end",
            "participant-join" => "join",
            "participant-leave" => "leave",
            "participant-hold" or "participant-unhold" => "hold",
            "participant-mute" or "participant-unmute" => "mute",
            "participant-modify" => "modify",
            _ => statusEvent,
        };
        if (!conference.StatusCallbackEvents.Contains(subscription))
        {
            return;
        }
        var form = new List<KeyValuePair<string, string>>
        {
            new("AccountSid", AccountSid),
            new("ConferenceSid", conference.Sid),
            new("FriendlyName", conference.FriendlyName),
            new("StatusCallbackEvent", statusEvent),
            new("SequenceNumber", (++conference.Sequence).ToString(CultureInfo.InvariantCulture)),
            new("Timestamp", Rfc1123(Clock.GetUtcNow())),
        };
        if (participant is not null)
        {
            form.Add(new("CallSid", participant.CallSid));
            form.Add(new("Coaching", participant.Coaching ? "true" : "false"));
            form.Add(new("EndConferenceOnExit", participant.EndConferenceOnExit ? "true" : "false"));
            form.Add(new("StartConferenceOnEnter", participant.StartConferenceOnEnter ? "true" : "false"));
            form.Add(new("Hold", participant.Hold ? "true" : "false"));
            form.Add(new("Muted", participant.Muted ? "true" : "false"));
            if (participant.Label is not null)
            {
                form.Add(new("ParticipantLabel", participant.Label));
            }
            if (participant.CallSidToCoach is not null)
            {
                form.Add(new("CallSidToCoach", participant.CallSidToCoach));
            }
        }
        if (statusEvent == "conference-end")
        {
            form.Add(new("ReasonConferenceEnded", conference.ReasonEnded ?? "last-participant-left"));
            if (conference.CallSidEndingConference is not null)
            {
                form.Add(new("CallSidEndingConference", conference.CallSidEndingConference));
            }
        }
        Enqueue(conference.StatusCallback, form);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static async Task WriteJsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Json(body));
    }

    private static Task WriteErrorAsync(HttpContext context, int status, int code, string message) =>
        WriteJsonAsync(context, status, new Dictionary<string, object?>
        {
            ["code"] = code,
            ["message"] = message,
            ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
            ["status"] = status,
        });

    private static XDocument ParseTwiml(string xml) => XDocument.Parse(xml);
}
