using System.Net;
using Acd.Api.Security;
using Acd.Grains.Abstractions;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>
/// Faults an outside review reproduced against Twilio's wire format (issue "Never lose a caller"): each test failed on
/// the code before the fix.
/// </summary>
public sealed class LifecycleFaultTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(null)]
    public async Task ALegTwilioMadeWhoseAnswerWasLostRingsTheAgentOnce(HttpStatusCode? lostAs)
    {
        var name = $"lost-{(int?)lostAs ?? 0}";
        await fixture.CenterAsync(name, agents: $"{name}-agent");
        // Twilio makes the leg, and the answer is lost: a 5xx, or the connection drops (the SDK's ApiConnectionException).
        Twilio.LoseAnswerOfNext(1, lostAs, "/Participants.json");

        var caller = await fixture.CallInAsync(name);

        var leg = await fixture.RungAsync($"client:{name}-agent");
        // Its callbacks name the leg, or a look-up by its label finds it: either way it is not asked for again.
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["legs"]!.AsArray().Any(l => l!.Str("call_sid") == leg.Sid), "the call learns its leg");
        Twilio.Answer(leg.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "connected");
        Assert.Single(Twilio.Legs, l => l.To == $"client:{name}-agent");
        Assert.Single(Twilio.Requests, r => r.Method == "POST" && r.Path.EndsWith("/Participants.json", StringComparison.Ordinal) && r["To"] == $"client:{name}-agent");
    }

    [Fact]
    public async Task AWaitingCallerWhoseLeaveWasLostIsFoundGoneWhenTheirOfferIsRejected()
    {
        // Found by the simulation: the caller hung up while an agent's phone rang, the conference's participant-leave
        // was lost (Twilio does not send it again), the agent rejected, and the call waited for ever for nobody.
        await fixture.CenterAsync("ghost", agents: "ghost-agent");
        var caller = await fixture.CallInAsync("ghost");
        var leg = await fixture.RungAsync("client:ghost-agent");
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["conference_sid"] is not null, "the conference is known");
        Twilio.HoldCallbacks = true;
        Twilio.HangUp(caller.CallSid);
        Assert.NotEmpty(Twilio.TakeHeld()); // lost
        Twilio.HoldCallbacks = false;
        Assert.Equal("offered", (await fixture.CallAsync(caller.CallSid)).Str("status"));

        var agent = fixture.App.ClientAs(Roles.Agent, "ghost-agent");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/reject")).AssertOk();

        // Acd asks Twilio about the caller's call, learns it has completed, and the caller counts as abandoned.
        var ended = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "abandoned", "the call is abandoned");
        Assert.Contains(Twilio.Requests, r => r.Method == "GET" && r.Path.EndsWith($"/Calls/{caller.CallSid}.json", StringComparison.Ordinal));
        Assert.True(Twilio.Leg(leg.Sid)!.IsFinal, "the agent's ringing leg is hung up");
        Assert.Equal("Available", (await fixture.AgentViewAsync("ghost-agent")).Str("activity"));
        Assert.Null(ended["agent_id"]);
    }

    [Fact]
    public async Task AnAgentWhoseHangUpWasLostIsFoundGoneAndTheCallerIsNotLeftAlone()
    {
        // Found by the simulation (two silos, seed 21036): an agent hung up during the talk and both callbacks that tell
        // of it (the leg's completed, the conference's participant-leave) were lost; the call stayed connected for ever,
        // the caller alone in the conference.
        await fixture.CenterAsync("gone-agent", agents: "gone-agent-agent");
        var (caller, leg) = await fixture.ConnectedAsync("gone-agent", "gone-agent-agent");
        await Twilio.IdleAsync();
        Twilio.HoldCallbacks = true;
        Twilio.HangUp(leg.Sid);
        Assert.NotEmpty(Twilio.TakeHeld()); // lost
        Twilio.HoldCallbacks = false;
        Assert.Equal("connected", (await fixture.CallAsync(caller.CallSid)).Str("status"));

        // Within Acd:TalkCheckSeconds Acd looks the call's legs up, learns the agent's has completed, and ends the call as
        // the agent's hang-up would have: the conference ends and the caller is not left on a silent line.
        fixture.App.Time.Advance(TimeSpan.FromSeconds(new AcdOptions().TalkCheckSeconds + 1));
        var ended = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") is "wrap_up" or "completed", "the talk ends");
        Assert.Equal("agent-hangup", ended.Str("end_reason"));
        Assert.Contains(Twilio.Requests, r => r.Method == "GET" && r.Path.EndsWith($"/Calls/{leg.Sid}.json", StringComparison.Ordinal));
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.ConferenceNamed(caller.ConferenceName!)!.Status == "completed"), "the caller's conference ends");
    }

    [Fact]
    public async Task AcceptingByApiWhileTheAgentsPhoneRingsIsRefused()
    {
        await fixture.CenterAsync("early-accept", agents: "early-accept-agent");
        var caller = await fixture.CallInAsync("early-accept");
        var leg = await fixture.RungAsync("client:early-accept-agent");
        var agent = fixture.App.ClientAs(Roles.Agent, "early-accept-agent");

        // Nobody has picked up: "connected" would leave the caller with no one on the line.
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/accept")).AssertProblem(HttpStatusCode.Conflict, null!);
        Assert.Equal("offered", (await fixture.CallAsync(caller.CallSid)).Str("status"));

        Twilio.Answer(leg.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "answering the phone connects");
    }

    [Fact]
    public async Task SilentMonitoringIsNotShownToTheAgent()
    {
        await fixture.CenterAsync("silent", agents: "silent-agent");
        (await fixture.Http.PutJsonAsync("/api/agents/silent-boss", new { activity = "Offline", attributes = new { contact_uri = "client:silent-boss", role = "supervisor" } })).AssertOk();
        var caller = await fixture.CallInAsync("silent");
        var agentLeg = await fixture.RungAsync("client:silent-agent");
        Twilio.Answer(agentLeg.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected" && c["conference_sid"] is not null, "connected");
        var agent = fixture.App.ClientAs(Roles.Agent, "silent-agent");
        var supervisor = fixture.App.ClientAs(Roles.Supervisor, "silent-boss");
        await using var agentFeed = await EventStream.OpenAsync(agent, "/api/agents/silent-agent/events");
        await using var supervisorFeed = await EventStream.OpenAsync(supervisor, "/api/supervisor/events");

        (await supervisor.PostJsonAsync($"/api/calls/{caller.CallSid}/monitor")).AssertOk();
        var leg = await fixture.RungAsync("client:silent-boss");
        Twilio.Answer(leg.Sid);
        await supervisorFeed.WaitForAsync("call.supervisor.joined");
        // Something after the monitor that the agent does see: holding the caller.
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/hold")).AssertOk();
        await agentFeed.WaitForAsync("call.hold");

        Assert.DoesNotContain(agentFeed.Events, e => e.Type.StartsWith("call.supervisor", StringComparison.Ordinal));
        Assert.DoesNotContain(agentFeed.Events, e => e.Data?.ToJsonString().Contains("silent-boss", StringComparison.Ordinal) == true);
        var seen = (await agent.GetJsonAsync($"/api/calls/{caller.CallSid}")).AssertOk();
        Assert.DoesNotContain(seen["legs"]!.AsArray(), l => l!.Str("agent_id") == "silent-boss");
        var all = (await supervisor.GetJsonAsync($"/api/calls/{caller.CallSid}")).AssertOk();
        Assert.Contains(all["legs"]!.AsArray(), l => l!.Str("agent_id") == "silent-boss");
    }

    [Fact]
    public async Task AnOutboundCallColdTransferredKeepsItsCustomer()
    {
        const string customerNumber = "+81312349999";
        await fixture.CenterAsync("out-xfer", agents: "out-xfer-b");
        await fixture.AgentAsync("out-xfer", "out-xfer-a", activity: "Offline");
        var a = fixture.App.ClientAs(Roles.Agent, "out-xfer-a");
        var callId = (await a.PostJsonAsync("/api/agents/out-xfer-a/calls", new { to = customerNumber })).AssertOk(HttpStatusCode.Created).Str("id");
        var agentLeg = await fixture.RungAsync("client:out-xfer-a");
        Twilio.Answer(agentLeg.Sid);
        var customer = await fixture.RungAsync(customerNumber);
        Twilio.Answer(customer.Sid);
        await fixture.CallEventuallyAsync(callId, c => c["legs"]!.AsArray().Any(l => l!.Str("call_sid") == customer.Sid && l!.Str("status") == "in-progress"), "the agent talks to the customer");

        (await a.PostJsonAsync($"/api/calls/{callId}/transfer", new { mode = "cold", to_agent = "out-xfer-b" })).AssertOk();
        var b = await fixture.RungAsync("client:out-xfer-b");
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(agentLeg.Sid)!.Status == "completed"), "the first agent has left");
        Twilio.Answer(b.Sid);

        var call = await fixture.CallEventuallyAsync(callId, c => c.Str("status") == "connected" && c.Str("agent_id") == "out-xfer-b", "the second agent has the customer");
        Assert.Equal("in-progress", Twilio.Leg(customer.Sid)!.Status);
        Assert.Null(call.Str("end_reason"));
    }
}
