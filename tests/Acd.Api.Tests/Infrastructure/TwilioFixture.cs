using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Infrastructure;

/// <summary>
/// Acd with Twilio credentials, its REST requests going to a fake Twilio (a real HTTP server on loopback), and the
/// fake's signed callbacks coming back to Acd's webhooks. Acd's public address is <see cref="PublicBaseUrl"/>.
/// </summary>
public class TwilioFixture : IAsyncLifetime
{
    public const string PublicBaseUrl = "http://acd.test";
    public const string Number = "+81501234567";

    private HttpClient? _acd;

    public FakeTwilio Twilio { get; private set; } = null!;

    public AcdAppFactory App { get; private set; } = null!;

    public HttpClient Http => _acd ??= App.CreateClient();

    protected virtual void Configure(AcdAppFactory app)
    {
    }

    public async ValueTask InitializeAsync()
    {
        Twilio = await FakeTwilio.StartAsync();
        App = new AcdAppFactory()
            .With("Twilio:AccountSid", Twilio.AccountSid)
            .With("Twilio:AuthToken", Twilio.AuthToken)
            .With("Twilio:ApiBaseUrl", Twilio.BaseUrl.ToString())
            .With("Twilio:PublicBaseUrl", PublicBaseUrl)
            .With("Twilio:CallsPerSecond", "1000")
            .With("Twilio:RetryBaseDelayMilliseconds", "5")
            .With("Twilio:CallerId", Number);
        Configure(App);
        var handler = App.Server.CreateHandler();
        var toAcd = new HttpClient(handler);
        Twilio.Send = (request, token) => toAcd.SendAsync(request, token);
    }

    public async ValueTask DisposeAsync()
    {
        await Twilio.DisposeAsync();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A queue, a workflow to it, and agents: a small contact center of the test's own.</summary>
    public async Task<string> CenterAsync(string name, int reservationTimeout = 20, int wrapUpSeconds = 15, params string[] agents)
    {
        (await Http.PutJsonAsync($"/api/queues/{name}", new { target_workers = $"team == '{name}'", wrap_up_seconds = wrapUpSeconds })).AssertOk();
        (await Http.PutJsonAsync($"/api/workflows/{name}", new { task_reservation_timeout = reservationTimeout, configuration = new { task_routing = new { default_filter = new { queue = name } } } })).AssertOk();
        foreach (var agent in agents)
        {
            await AgentAsync(name, agent);
        }
        return name;
    }

    public async Task AgentAsync(string team, string agent, string activity = "Available") =>
        (await Http.PutJsonAsync($"/api/agents/{agent}", new { activity, attributes = new { team, contact_uri = $"client:{agent}" } })).AssertOk();

    public Task<CallerSession> CallInAsync(string workflow, string from = "+819012345678", IDictionary<string, string>? extra = null, string? query = null) =>
        Twilio.CallAsync($"{PublicBaseUrl}/twilio/voice/incoming?workflow={workflow}{(query is null ? "" : "&" + query)}", from, Number, extra);

    public async Task<JsonNode> CallAsync(string callId) => (await Http.GetJsonAsync($"/api/calls/{callId}")).AssertOk();

    /// <summary>A caller of <paramref name="workflow"/> talking with <paramref name="agent"/>: rung, answered, connected.</summary>
    public async Task<(CallerSession Caller, FakeLeg Leg)> ConnectedAsync(string workflow, string agent)
    {
        var caller = await CallInAsync(workflow);
        var leg = await RungAsync($"client:{agent}");
        Twilio.Answer(leg.Sid);
        await CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "connected");
        return (caller, leg);
    }

    public async Task<JsonNode> AgentViewAsync(string agent) => (await Http.GetJsonAsync($"/api/agents/{agent}")).AssertOk();

    /// <summary>Polls Acd until the condition on the call holds.</summary>
    public async Task<JsonNode> CallEventuallyAsync(string callId, Func<JsonNode, bool> condition, string because)
    {
        JsonNode call = null!;
        await Eventually.HoldsAsync(async () => condition(call = await CallAsync(callId)), because);
        return call;
    }

    /// <summary>Waits until the fake has rung <paramref name="to"/> and returns that leg.</summary>
    public Task<FakeLeg> RungAsync(string to) => Twilio.RungAsync(to);

    /// <summary>
    /// Waits until the fake has rung <paramref name="to"/> for <paramref name="callId"/> and Acd has heard that it rings:
    /// the offer's ring time runs from then, so a test that advances the clock to run it out must wait for this first.
    /// </summary>
    public async Task<FakeLeg> RingingAsync(string callId, string to, string? exceptSid = null)
    {
        var leg = await Twilio.RungAsync(to, exceptSid);
        await CallEventuallyAsync(callId, c => c["legs"]!.AsArray().Any(l => l!.Str("call_sid") == leg.Sid && l!.Str("status") == "ringing"), $"Acd hears {to} ring");
        return leg;
    }

    public static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonNode>();
}

/// <summary>Polling with a deadline: the way tests wait for asynchronous effects.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string because, int timeoutMs = 10000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {because}");
            }
            await Task.Delay(10);
        }
    }
}
