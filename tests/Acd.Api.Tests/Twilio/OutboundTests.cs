using System.Net;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>Outbound calls (design rule 4): both legs through the Participants API into a fresh conference, never by name twice.</summary>
public sealed class OutboundTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private const string Customer = "+81312345678";

    private FakeTwilio Twilio => fixture.Twilio;

    private async Task<(HttpClient Agent, string CallId, FakeLeg AgentLeg)> DialAsync(string agent, string to = Customer)
    {
        await fixture.AgentAsync("out", agent, activity: "Offline");
        var client = fixture.App.ClientAs(Roles.Agent, agent);
        var created = (await client.PostJsonAsync($"/api/agents/{agent}/calls", new { to })).AssertOk(HttpStatusCode.Created);
        Assert.Equal(("offered", "outbound"), (created.Str("status"), created.Str("direction")));
        var leg = await fixture.RungAsync($"client:{agent}");
        return (client, created.Str("id"), leg);
    }

    [Fact]
    public async Task TheAgentIsRungFirstThenTheCustomerIsDialledIntoTheSameConferenceBySid()
    {
        const string customerNumber = "+81312340001";
        var (agent, callId, agentLeg) = await DialAsync("out-ok", customerNumber);
        var first = Twilio.Requests.Single(r => r["To"] == "client:out-ok");
        Assert.Contains("/Conferences/acd-", first.Path);
        // The agent's leg starts the conference but does not end it: the customer's does, so a transfer keeps the customer.
        Assert.Equal(("jp1", "true", "false"), (first["Region"], first["StartConferenceOnEnter"], first["EndConferenceOnExit"]));
        Assert.NotNull(first["ConferenceStatusCallback"]);
        Assert.DoesNotContain(Twilio.Requests, r => r["To"] == customerNumber);

        Twilio.Answer(agentLeg.Sid);
        var customer = await fixture.RungAsync(customerNumber);
        var conference = Twilio.Conferences.Single(c => c.Joined.Contains(agentLeg.Sid));
        var dial = Twilio.Requests.Single(r => r["To"] == customerNumber);
        Assert.Contains($"/Conferences/{conference.Sid}/Participants.json", dial.Path);
        Assert.Equal(TwilioFixture.Number, dial["From"]);
        Assert.Equal("jp1", dial["Region"]);

        Twilio.Answer(customer.Sid);
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Participants.Count == 2 && conference.Participants.Values.All(p => p.Status == "connected")), "both are talking");
        var call = await fixture.CallAsync(callId);
        Assert.Equal(("connected", "out-ok"), (call.Str("status"), call.Str("agent_id")));

        Twilio.HangUp(customer.Sid);
        await fixture.CallEventuallyAsync(callId, c => c.Str("status") is "wrap_up" or "completed", "the call ended");
        Assert.Equal("completed", conference.Status);
        Assert.Equal("completed", Twilio.Leg(agentLeg.Sid)!.Status);
        _ = agent;
    }

    [Theory]
    [InlineData("busy")]
    [InlineData("no-answer")]
    [InlineData("failed")]
    public async Task ACustomerWhoDoesNotAnswerEndsTheConferenceAndTheAgentIsToldWhy(string outcome)
    {
        var (agent, callId, agentLeg) = await DialAsync($"out-{outcome}");
        await using var events = await EventStream.OpenAsync(agent, $"/api/agents/out-{outcome}/events");
        Twilio.OnDial(Customer, outcome switch { "busy" => LegBehavior.Busy, "no-answer" => LegBehavior.NoAnswer, _ => LegBehavior.Fail });
        try
        {
            Twilio.Answer(agentLeg.Sid);
            var told = await events.WaitForAsync("call.outbound.failed");
            Assert.Equal(outcome, told.Data!["data"]!["details"]!.Str("reason"));
        }
        finally
        {
            Twilio.OnDial(Customer, LegBehavior.Ring);
        }

        var call = await fixture.CallEventuallyAsync(callId, c => c.Str("status") == "failed", "the call failed");
        Assert.Equal(outcome, call.Str("end_reason"));
        // Nobody is left alone: the agent's conference is over and the agent's leg hung up.
        var conference = Twilio.Conferences.Single(c => c.Joined.Contains(agentLeg.Sid));
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Status == "completed" && Twilio.Leg(agentLeg.Sid)!.IsFinal), "the conference ended");
        Assert.DoesNotContain(Twilio.Conferences, c => c.FriendlyName == conference.FriendlyName && c.Sid != conference.Sid);
        var agentView = await fixture.AgentViewAsync($"out-{outcome}");
        Assert.Empty(agentView["calls"]!.AsArray());
        Assert.Empty(agentView["offers"]!.AsArray());
    }

    [Fact]
    public async Task AConferenceThatEndedBeforeTheCustomerWasDialledIsNeverRecreatedWithSomeoneAlone()
    {
        // The trap of rule 4, reproduced: the agent answers and hangs up at once, and the conference has ended by
        // the time Acd dials the customer. Dialling by name would start a second conference of the same name with
        // the customer alone in it; Acd dials by SID, which Twilio refuses for an ended conference.
        var (_, callId, agentLeg) = await DialAsync("out-race");
        Twilio.HoldCallbacks = true;
        Twilio.Answer(agentLeg.Sid);
        Twilio.HangUp(agentLeg.Sid);
        await Twilio.ReleaseHeldAsync();

        await fixture.CallEventuallyAsync(callId, c => c.Str("status") is "failed" or "wrap_up" or "completed", "the call has ended");
        await Twilio.IdleAsync();
        var name = Twilio.Conferences.Single(c => c.Joined.Contains(agentLeg.Sid)).FriendlyName;
        Assert.Single(Twilio.Conferences, c => c.FriendlyName == name);
        Assert.All(Twilio.Conferences.Where(c => c.FriendlyName == name), c => Assert.Equal("completed", c.Status));
        Assert.DoesNotContain(Twilio.Legs, l => l.To == Customer && l.ConferenceSid is { } sid && Twilio.Conferences.Any(c => c.Sid == sid && c.Status != "completed"));
    }

    [Fact]
    public async Task OutboundInputIsChecked()
    {
        await fixture.AgentAsync("out", "out-input", activity: "Offline");
        var agent = fixture.App.ClientAs(Roles.Agent, "out-input");
        (await agent.PostJsonAsync("/api/agents/out-input/calls", new { to = "not a number" })).AssertProblem(HttpStatusCode.BadRequest, "to");
        (await agent.PostJsonAsync("/api/agents/out-input/calls", new { })).AssertProblem(HttpStatusCode.BadRequest, "to");
        (await agent.PostJsonAsync("/api/agents/someone-else/calls", new { to = Customer })).AssertProblem(HttpStatusCode.Forbidden, null!);
    }

    [Theory]
    [InlineData(Roles.Agent)]
    [InlineData(Roles.Supervisor)]
    public async Task OnlyAllowedDestinationsAndCallerIdsAreDialledWhoeverAsks(string role)
    {
        var id = $"out-policy-{role}";
        await fixture.AgentAsync("out", id, activity: "Offline");
        var client = fixture.App.ClientAs(role, role == Roles.Agent ? id : "boss");

        // A premium-rate or foreign number (toll fraud) and a caller ID the account has not allowed are refused.
        var foreign = (await client.PostJsonAsync($"/api/agents/{id}/calls", new { to = "+882123456789" })).AssertProblem(HttpStatusCode.Forbidden, null!);
        Assert.Contains("Acd:Outbound:AllowedPrefixes", foreign.Str("detail"));
        var spoofed = (await client.PostJsonAsync($"/api/agents/{id}/calls", new { to = Customer, caller_id = "+81300000000" })).AssertProblem(HttpStatusCode.Forbidden, null!);
        Assert.Contains("caller ID", spoofed.Str("detail"));
        // Nothing reached Twilio: no agent leg rung for either, no request naming the refused number or caller ID.
        Assert.DoesNotContain(Twilio.Requests, r => r.Form.Any(p => p.Value is "+882123456789" or "+81300000000"));
        Assert.DoesNotContain(Twilio.Requests, r => r.Form.Any(p => p.Value == $"client:{id}"));

        // Within Japan with the account's own number it goes out.
        (await client.PostJsonAsync($"/api/agents/{id}/calls", new { to = Customer, caller_id = TwilioFixture.Number })).AssertOk(HttpStatusCode.Created);
    }
}
