using System.Net;
using System.Text.Json.Nodes;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests.Statistics;

/// <summary>Disposition codes: a queue lists them, the agent picks one as they complete the wrap-up, the day counts them.</summary>
public sealed class WrapUpCodeTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    [Fact]
    public async Task TheAgentCompletesWithOneOfTheQueuesCodesAndTheStatisticsCountIt()
    {
        var http = fixture.Http;
        (await http.PutJsonAsync("/api/queues/codes", new { target_workers = "team == 'codes'", wrap_up_seconds = 60, wrap_up_codes = new[] { "解決", "折り返し", "wrong-number" } })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/codes", new { configuration = new { task_routing = new { default_filter = new { queue = "codes" } } } })).AssertOk();
        await fixture.AgentAsync("codes", "kana");
        var kana = fixture.App.ClientAs(Roles.Agent, "kana");

        var first = await HandledCallAsync(kana);
        var call = (await kana.GetJsonAsync($"/api/calls/{first}")).AssertOk();
        Assert.Equal(["解決", "折り返し", "wrong-number"], call["wrap_up_codes"]!.AsArray().Select(c => c!.GetValue<string>()));

        // A code the queue does not list is refused by name, and the call stays in wrap-up.
        (await kana.PostJsonAsync($"/api/calls/{first}/complete", new { wrap_up_code = "解決済み" })).AssertProblem(HttpStatusCode.BadRequest, "wrap_up_code");
        Assert.Equal("wrap_up", (await kana.GetJsonAsync($"/api/calls/{first}")).AssertOk().Str("status"));

        var done = (await kana.PostJsonAsync($"/api/calls/{first}/complete", new { wrap_up_code = "解決" })).AssertOk();
        Assert.Equal("completed", done.Str("status"));
        Assert.Equal("解決", done.Str("wrap_up_code"));
        // Sent again (a retry): the same answer; a different code after the fact is a conflict, not a silent change.
        Assert.Equal("解決", (await kana.PostJsonAsync($"/api/calls/{first}/complete", new { wrap_up_code = "解決" })).AssertOk().Str("wrap_up_code"));
        (await kana.PostJsonAsync($"/api/calls/{first}/complete", new { wrap_up_code = "折り返し" })).AssertProblem(HttpStatusCode.Conflict, "wrap_up_code");

        var second = await HandledCallAsync(kana);
        (await kana.PostJsonAsync($"/api/calls/{second}/complete", new { wrap_up_code = "解決" })).AssertOk();
        var third = await HandledCallAsync(kana);
        (await kana.PostJsonAsync($"/api/calls/{third}/complete")).AssertOk(); // no code chosen

        // The event log keeps each call's code, and the day's statistics count them by queue and by agent.
        var events = (await http.GetJsonAsync($"/api/events?callId={first}&type=task.completed")).AssertOk();
        Assert.Contains(events["events"]!.AsArray(), e => e!["data"]!["details"]!["wrap_up_code"]?.GetValue<string>() == "解決");
        await Eventually.HoldsAsync(async () =>
        {
            var queue = (await http.GetJsonAsync("/api/queues/codes/statistics")).AssertOk()["cumulative"]!;
            return queue["tasks_completed"]!.GetValue<int>() == 3 && Codes(queue) == "解決=2";
        }, "the queue counts two calls completed as 解決 (and one without a code)");
        var agent = (await http.GetJsonAsync("/api/agents/kana/statistics")).AssertOk();
        Assert.Equal("解決=2", Codes(agent));
    }

    [Fact]
    public async Task AQueuesCodesAreCheckedWhenConfigured()
    {
        var http = fixture.Http;
        (await http.PutJsonAsync("/api/queues/bad-codes", new { wrap_up_codes = new[] { "ok", "ok" } })).AssertProblem(HttpStatusCode.BadRequest, "wrap_up_codes[1]");
        (await http.PutJsonAsync("/api/queues/bad-codes", new { wrap_up_codes = new[] { " padded" } })).AssertProblem(HttpStatusCode.BadRequest, "wrap_up_codes[0]");
        (await http.PutJsonAsync("/api/queues/bad-codes", new { wrap_up_codes = Enumerable.Range(0, 51).Select(i => $"c{i}").ToArray() })).AssertProblem(HttpStatusCode.BadRequest, "wrap_up_codes");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetJsonAsync("/api/queues/bad-codes")).Status);
    }

    [Fact]
    public async Task ACodeForAQueueWithoutCodesIsRefused()
    {
        await fixture.CenterAsync("nocodes", wrapUpSeconds: 60);
        await fixture.AgentAsync("nocodes", "ren");
        var ren = fixture.App.ClientAs(Roles.Agent, "ren");
        var callId = await HandledCallAsync(ren, "nocodes", "ren");
        (await ren.PostJsonAsync($"/api/calls/{callId}/complete", new { wrap_up_code = "解決" })).AssertProblem(HttpStatusCode.BadRequest, "wrap_up_code");
        // agent_id, as the other call actions take it: only as oneself.
        Assert.Equal(HttpStatusCode.Forbidden, (await ren.PostJsonAsync($"/api/calls/{callId}/complete", new { agent_id = "kana" })).Status);
        Assert.Empty((await ren.PostJsonAsync($"/api/calls/{callId}/complete", new { agent_id = "ren" })).AssertOk()["wrap_up_codes"]!.AsArray());
    }

    private string? _lastLeg;

    /// <summary>A caller rings in, the agent answers on their phone and hangs up: the call is in wrap-up.</summary>
    private async Task<string> HandledCallAsync(HttpClient agent, string workflow = "codes", string agentId = "kana")
    {
        var caller = await fixture.CallInAsync(workflow);
        var leg = await fixture.RingingAsync(caller.CallSid, $"client:{agentId}", _lastLeg);
        _lastLeg = leg.Sid;
        fixture.Twilio.Answer(leg.Sid);
        await fixture.Http.CallStatusAsync(caller.CallSid, "connected", c => c["conference_sid"] is not null);
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/hangup")).AssertOk();
        await fixture.Http.CallStatusAsync(caller.CallSid, "wrap_up");
        return caller.CallSid;
    }

    private static string Codes(JsonNode figures) =>
        string.Join(",", (figures["wrap_up_codes"]?.AsObject() ?? []).Select(p => $"{p.Key}={p.Value}"));
}
