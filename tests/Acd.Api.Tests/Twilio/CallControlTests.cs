using System.Net;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>What agents do all day, through their own tokens, asserting the requests Twilio receives and the events the agent sees.</summary>
public sealed class CallControlTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    /// <summary>A connected call: the agent has answered, the conference is known.</summary>
    private async Task<(CallerSession Caller, FakeLeg AgentLeg, HttpClient Agent)> ConnectedAsync(string name, string agent)
    {
        await fixture.CenterAsync(name, agents: agent);
        var caller = await fixture.CallInAsync(name);
        var leg = await fixture.RungAsync($"client:{agent}");
        Twilio.Answer(leg.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected" && c["conference_sid"] is not null, "connected with a known conference");
        return (caller, leg, fixture.App.ClientAs(Roles.Agent, agent));
    }

    private IEnumerable<RestRequest> ParticipantUpdates(string callSid) =>
        Twilio.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith($"/Participants/{callSid}.json", StringComparison.Ordinal));

    [Fact]
    public async Task TheAgentSeesTheOfferThenTheConferenceAndEveryLeg()
    {
        await fixture.CenterAsync("ctl-events");
        await fixture.AgentAsync("ctl-events", "ctl-events-agent", activity: "Break");
        var agent = fixture.App.ClientAs(Roles.Agent, "ctl-events-agent");
        await using var events = await EventStream.OpenAsync(agent, "/api/agents/ctl-events-agent/events");
        Assert.Equal(200, events.Status);

        var caller = await fixture.CallInAsync("ctl-events");
        (await agent.PutJsonAsync("/api/agents/ctl-events-agent/activity", new { activity = "Available" })).AssertOk();
        await events.WaitForAsync("worker.activity.update", e => e.Data!["data"]!["agent"]!.Str("activity") == "Available");
        var offer = await events.WaitForAsync("reservation.created");
        Assert.Equal(caller.CallSid, offer.Data!.Str("call_id"));
        var leg = await fixture.RungAsync("client:ctl-events-agent");
        Twilio.Answer(leg.Sid);

        var connected = await events.WaitForAsync("reservation.accepted");
        var call = connected.Data!["data"]!["call"]!;
        Assert.Equal("connected", call.Str("status"));
        Assert.Equal(Twilio.ConferenceNamed(caller.ConferenceName!)!.Sid, call.Str("conference_sid"));
        var sids = call["legs"]!.AsArray().Select(l => l!["call_sid"]?.GetValue<string>()).ToList();
        Assert.Contains(caller.CallSid, sids);
        Assert.Contains(leg.Sid, sids);

        Twilio.HangUp(caller.CallSid);
        await events.WaitForAsync("task.wrapup");
    }

    [Fact]
    public async Task HoldPutsTheCustomerOnHoldMusicWithoutLeavingTheConference()
    {
        var (caller, _, agent) = await ConnectedAsync("ctl-hold", "ctl-hold-agent");
        var conference = Twilio.ConferenceNamed(caller.ConferenceName!)!;

        var held = (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/hold")).AssertOk();
        Assert.True(held["on_hold"]!.GetValue<bool>());
        await Eventually.HoldsAsync(() => Task.FromResult(ParticipantUpdates(caller.CallSid).Any(r => r["Hold"] == "true")), "Twilio is asked to hold the caller");
        var request = ParticipantUpdates(caller.CallSid).First(r => r["Hold"] == "true");
        Assert.Contains($"/Conferences/{conference.Sid}/Participants/", request.Path);
        Assert.NotNull(request["HoldUrl"]);
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Participants[caller.CallSid].Hold), "the caller is held in the conference");
        Assert.Equal("in-progress", conference.Status);

        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/resume")).AssertOk();
        await Eventually.HoldsAsync(() => Task.FromResult(!conference.Participants[caller.CallSid].Hold), "the caller is taken off hold");
        Assert.False((await fixture.CallAsync(caller.CallSid))["on_hold"]!.GetValue<bool>());
    }

    [Fact]
    public async Task AnAgentMutesTheirOwnLeg()
    {
        var (caller, leg, agent) = await ConnectedAsync("ctl-mute", "ctl-mute-agent");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/mute")).AssertOk();
        await Eventually.HoldsAsync(() => Task.FromResult(ParticipantUpdates(leg.Sid).Any(r => r["Muted"] == "true")), "the agent's leg is muted");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/unmute")).AssertOk();
        await Eventually.HoldsAsync(() => Task.FromResult(ParticipantUpdates(leg.Sid).Any(r => r["Muted"] == "false")), "the agent's leg is unmuted");
    }

    [Fact]
    public async Task AnAgentHangsUpAndEndsWrapUpEarly()
    {
        var (caller, _, agent) = await ConnectedAsync("ctl-hangup", "ctl-hangup-agent");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/hangup")).AssertOk();
        var conference = Twilio.ConferenceNamed(caller.ConferenceName!)!;
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Status == "completed"), "the conference is ended through the API");
        Assert.Equal("wrap_up", (await fixture.CallAsync(caller.CallSid)).Str("status"));
        Assert.Equal("WrapUp", (await fixture.AgentViewAsync("ctl-hangup-agent")).Str("activity"));

        Assert.Equal("completed", (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/complete")).AssertOk().Str("status"));
        Assert.Equal("Available", (await fixture.AgentViewAsync("ctl-hangup-agent")).Str("activity"));
    }

    [Fact]
    public async Task AColdTransferToAQueueRoutesTheHoldingCustomerAgainWithTheirAge()
    {
        var (caller, first, agent) = await ConnectedAsync("ctl-cold", "ctl-cold-a");
        (await fixture.Http.PutJsonAsync("/api/queues/ctl-cold-billing", new { target_workers = "team == 'ctl-cold-billing'" })).AssertOk();
        var before = await fixture.CallAsync(caller.CallSid);

        var transferred = (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer", new { mode = "cold", to_queue = "ctl-cold-billing" })).AssertOk();

        Assert.Equal(("queued", "ctl-cold-billing"), (transferred.Str("status"), transferred.Str("queue_id")));
        Assert.Equal(before.Str("created_at"), transferred.Str("created_at"));
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(first.Sid)!.Status == "completed"), "the first agent's leg is hung up");
        // The hold and the hang-up are sent together; either may reach Twilio first.
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.ConferenceNamed(caller.ConferenceName!)!.Participants[caller.CallSid].Hold), "the customer is held");
        Assert.Equal("WrapUp", (await fixture.AgentViewAsync("ctl-cold-a")).Str("activity"));

        await fixture.AgentAsync("ctl-cold-billing", "ctl-cold-b");
        var second = await fixture.RungAsync("client:ctl-cold-b");
        Assert.Contains(Twilio.ConferenceNamed(caller.ConferenceName!)!.Sid, Twilio.Requests.Last(r => r["To"] == "client:ctl-cold-b").Path);
        Twilio.Answer(second.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected" && c.Str("agent_id") == "ctl-cold-b", "connected to the second agent");
        await Eventually.HoldsAsync(() => Task.FromResult(!Twilio.ConferenceNamed(caller.ConferenceName!)!.Participants[caller.CallSid].Hold), "the customer is taken off hold");
    }

    [Fact]
    public async Task AWarmTransferLetsTheAgentsTalkThenHandsOver()
    {
        var (caller, first, agent) = await ConnectedAsync("ctl-warm", "ctl-warm-a");
        await fixture.AgentAsync("ctl-warm", "ctl-warm-b");
        await using var events = await EventStream.OpenAsync(agent, "/api/agents/ctl-warm-a/events");

        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer", new { mode = "warm", to_agent = "ctl-warm-b" })).AssertOk();
        var consult = await fixture.RungAsync("client:ctl-warm-b");
        var conference = Twilio.ConferenceNamed(caller.ConferenceName!)!;
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Participants[caller.CallSid].Hold), "the customer holds while the agents talk");
        Assert.Contains(conference.Sid, Twilio.Requests.Last(r => r["To"] == "client:ctl-warm-b").Path);

        Twilio.Answer(consult.Sid);
        await events.WaitForAsync("call.transfer.answered");
        Assert.Equal("connected", conference.Participants[consult.Sid].Status);

        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer/complete")).AssertOk();
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("agent_id") == "ctl-warm-b", "the second agent has the call");
        Assert.Equal("connected", call.Str("status"));
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(first.Sid)!.Status == "completed" && !conference.Participants[caller.CallSid].Hold), "the first agent left and the customer is off hold");
        Assert.Equal("WrapUp", (await fixture.AgentViewAsync("ctl-warm-a")).Str("activity"));
        Assert.Contains(caller.CallSid, (await fixture.AgentViewAsync("ctl-warm-b"))["calls"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task AWarmTransferCanBeCalledOff()
    {
        var (caller, first, agent) = await ConnectedAsync("ctl-warm-cancel", "ctl-wc-a");
        await fixture.AgentAsync("ctl-warm-cancel", "ctl-wc-b");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer", new { mode = "warm", to_agent = "ctl-wc-b" })).AssertOk();
        var consult = await fixture.RungAsync("client:ctl-wc-b");
        Twilio.Answer(consult.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["legs"]!.AsArray().Any(l => l!["agent_id"]?.GetValue<string>() == "ctl-wc-b" && l["status"]!.GetValue<string>() == "in-progress"), "the consulted agent answered");

        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer/cancel")).AssertOk();

        var conference = Twilio.ConferenceNamed(caller.ConferenceName!)!;
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(consult.Sid)!.Status == "completed" && !conference.Participants[caller.CallSid].Hold), "the consulted agent left and the customer is back");
        var call = await fixture.CallAsync(caller.CallSid);
        Assert.Equal(("connected", "ctl-wc-a"), (call.Str("status"), call.Str("agent_id")));
        Assert.Equal("in-progress", Twilio.Leg(first.Sid)!.Status);
        await Eventually.HoldsAsync(async () => (await fixture.AgentViewAsync("ctl-wc-b"))["calls"]!.AsArray().Count == 0, "the consulted agent is free");
    }

    [Fact]
    public async Task WhenTheCallerHangsUpWhileTheAgentsConsultTheConsultedAgentIsLetGo()
    {
        var (caller, first, agent) = await ConnectedAsync("ctl-warm-gone", "ctl-wg-a");
        await fixture.AgentAsync("ctl-warm-gone", "ctl-wg-b");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer", new { mode = "warm", to_agent = "ctl-wg-b" })).AssertOk();
        var consult = await fixture.RungAsync("client:ctl-wg-b");
        Twilio.Answer(consult.Sid);
        await Eventually.HoldsAsync(async () => (await fixture.AgentViewAsync("ctl-wg-b"))["calls"]!.AsArray().Count == 1, "the consulted agent is on the call");

        // The customer, on hold, gives up: the call ends for both agents; the first wraps up, the consulted one is free.
        Twilio.HangUp(caller.CallSid);
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "wrap_up", "the call is in wrap-up");
        Assert.Null(call["consult_agent_id"]?.GetValue<string>());
        await Eventually.HoldsAsync(async () => (await fixture.AgentViewAsync("ctl-wg-b"))["calls"]!.AsArray().Count == 0, "the consulted agent is let go");
        var consulted = await fixture.AgentViewAsync("ctl-wg-b");
        Assert.Equal(("Available", true), (consulted.Str("activity"), consulted["available"]!.GetValue<bool>()));
        Assert.Equal("WrapUp", (await fixture.AgentViewAsync("ctl-wg-a")).Str("activity"));
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(consult.Sid)!.IsFinal && Twilio.Leg(first.Sid)!.IsFinal), "both agents' legs end");
    }

    [Fact]
    public async Task ATransferToABusyAgentIsRefusedAndChangesNothing()
    {
        var (caller, _, agent) = await ConnectedAsync("ctl-busy-target", "ctl-bt-a");
        await fixture.AgentAsync("ctl-busy-target", "ctl-bt-b", activity: "Break");
        var refused = await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer", new { mode = "warm", to_agent = "ctl-bt-b" });
        refused.AssertProblem(HttpStatusCode.Conflict, "to_agent");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer", new { mode = "sideways", to_agent = "ctl-bt-b" })).AssertProblem(HttpStatusCode.BadRequest, "mode");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/transfer", new { mode = "cold", to_queue = "no-such-queue" })).AssertProblem(HttpStatusCode.NotFound, "to_queue");
        var call = await fixture.CallAsync(caller.CallSid);
        Assert.Equal(("connected", "ctl-bt-a", false), (call.Str("status"), call.Str("agent_id"), call["on_hold"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task AHangUpAskedForBeforeTheConferenceIsKnownWaitsForItThenHappens()
    {
        await fixture.CenterAsync("ctl-early", agents: "ctl-early-agent");
        Twilio.HoldCallbacks = true;
        var caller = await fixture.CallInAsync("ctl-early");
        var leg = await fixture.RungAsync("client:ctl-early-agent");
        Twilio.Answer(leg.Sid);
        // Only the agent's leg callbacks arrive: Acd knows the agent answered, not yet the ConferenceSid.
        await Twilio.ReleaseHeldAsync(urlContains: "/twilio/call/status");
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "connected");
        Assert.Null((await fixture.CallAsync(caller.CallSid))["conference_sid"]);

        var agent = fixture.App.ClientAs(Roles.Agent, "ctl-early-agent");
        var hungUp = (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/hangup")).AssertOk();
        Assert.Equal("wrap_up", hungUp.Str("status"));
        Assert.Contains("end conference", hungUp["pending_operations"]!.AsArray().Select(o => o!.GetValue<string>()));
        var conference = Twilio.ConferenceNamed(caller.ConferenceName!)!;
        Assert.DoesNotContain(Twilio.Requests, r => r.Path.EndsWith($"/Conferences/{conference.Sid}.json", StringComparison.Ordinal));

        await Twilio.ReleaseHeldAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Status == "completed"), "the conference is ended once its SID is known");
        Assert.Contains(Twilio.Requests, r => r.Path.EndsWith($"/Conferences/{conference.Sid}.json", StringComparison.Ordinal) && r["Status"] == "completed");
        Assert.Empty((await fixture.CallAsync(caller.CallSid))["pending_operations"]!.AsArray());
    }

    [Fact]
    public async Task AnOperationWaitsForTheConferenceOnlySoLong()
    {
        await fixture.CenterAsync("ctl-late", agents: "ctl-late-agent");
        Twilio.HoldCallbacks = true;
        var caller = await fixture.CallInAsync("ctl-late");
        var leg = await fixture.RungAsync("client:ctl-late-agent");
        Twilio.Answer(leg.Sid);
        await Twilio.ReleaseHeldAsync(urlContains: "/twilio/call/status");
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "connected");

        var agent = fixture.App.ClientAs(Roles.Agent, "ctl-late-agent");
        (await agent.PostJsonAsync($"/api/calls/{caller.CallSid}/hangup")).AssertOk();
        // The conference's callbacks never come: after ten seconds Acd finds the live conference by its name and ends it.
        fixture.App.Time.Advance(TimeSpan.FromSeconds(10));
        var conference = Twilio.ConferenceNamed(caller.ConferenceName!)!;
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Status == "completed"), "the conference is ended after the wait");
        Assert.Contains(Twilio.Requests, r => r.Method == "GET" && r.Path.EndsWith("/Conferences.json", StringComparison.Ordinal) && r["FriendlyName"] == caller.ConferenceName);
        await Twilio.ReleaseHeldAsync();
    }
}
