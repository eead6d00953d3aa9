using System.Net;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>A supervisor sees every live call and can listen to, whisper into, or join any of them.</summary>
public sealed class SupervisionTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    [Fact]
    public async Task ASupervisorMonitorsCoachesBargesAndLeaves()
    {
        await fixture.CenterAsync("sup", agents: "sup-agent");
        (await fixture.Http.PutJsonAsync("/api/agents/sup-boss", new { activity = "Offline", attributes = new { contact_uri = "client:sup-boss", role = "supervisor" } })).AssertOk();
        var caller = await fixture.CallInAsync("sup");
        var agentLeg = await fixture.RungAsync("client:sup-agent");
        Twilio.Answer(agentLeg.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected" && c["conference_sid"] is not null, "connected");
        var supervisor = fixture.App.ClientAs(Roles.Supervisor, "sup-boss");
        await using var events = await EventStream.OpenAsync(supervisor, "/api/supervisor/events");

        // The live call list: queue, agent, state, time in state, hold, who is monitoring.
        var live = (await supervisor.GetJsonAsync("/api/calls?active=true")).AssertOk().AsArray().Single(c => c!.Str("id") == caller.CallSid)!;
        Assert.Equal(("sup", "sup-agent", "connected", false), (live.Str("queue_id"), live.Str("agent_id"), live.Str("status"), live["on_hold"]!.GetValue<bool>()));
        Assert.NotNull(live["seconds_in_status"]);
        Assert.Empty(live["monitors"]!.AsArray());

        (await supervisor.PostJsonAsync($"/api/calls/{caller.CallSid}/monitor")).AssertOk();
        var leg = await fixture.RungAsync("client:sup-boss");
        var conference = Twilio.ConferenceNamed(caller.ConferenceName!)!;
        var join = Twilio.Requests.Last(r => r["To"] == "client:sup-boss");
        Assert.Contains($"/Conferences/{conference.Sid}/Participants.json", join.Path);
        Assert.Equal(("true", "supervisor-sup-boss-2", "false", "false"), (join["Muted"], join["Label"], join["StartConferenceOnEnter"], join["EndConferenceOnExit"]));
        Assert.Null(join["Coaching"]);
        Twilio.Answer(leg.Sid);
        await events.WaitForAsync("call.supervisor.joined");
        live = (await supervisor.GetJsonAsync("/api/calls?active=true")).AssertOk().AsArray().Single(c => c!.Str("id") == caller.CallSid)!;
        Assert.Equal(["sup-boss"], live["monitors"]!.AsArray().Select(m => m!.GetValue<string>()));

        (await supervisor.PostJsonAsync($"/api/calls/{caller.CallSid}/coach")).AssertOk();
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Participants[leg.Sid] is { Coaching: true, Muted: false } p && p.CallSidToCoach == agentLeg.Sid), "the supervisor coaches the agent");
        var coach = Twilio.Requests.Last(r => r.Path.EndsWith($"/Participants/{leg.Sid}.json", StringComparison.Ordinal));
        Assert.Equal(("true", agentLeg.Sid), (coach["Coaching"], coach["CallSidToCoach"]));

        (await supervisor.PostJsonAsync($"/api/calls/{caller.CallSid}/barge")).AssertOk();
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Participants[leg.Sid] is { Coaching: false, Muted: false }), "the supervisor speaks to both");

        (await supervisor.PostJsonAsync($"/api/calls/{caller.CallSid}/leave")).AssertOk();
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(leg.Sid)!.Status == "completed"), "the supervisor's leg is hung up");
        Assert.Equal("in-progress", conference.Status);
        Assert.Equal("connected", (await fixture.CallAsync(caller.CallSid)).Str("status"));
    }

    [Fact]
    public async Task SupervisionNeedsAConnectedCallAndASupervisorWithAPhone()
    {
        await fixture.CenterAsync("sup-rules");
        (await fixture.Http.PutJsonAsync("/api/agents/sup-nophone", new { activity = "Offline", attributes = new { } })).AssertOk();
        var caller = await fixture.CallInAsync("sup-rules");
        var supervisor = fixture.App.ClientAs(Roles.Supervisor, "sup-nophone");
        (await supervisor.PostJsonAsync($"/api/calls/{caller.CallSid}/monitor")).AssertProblem(HttpStatusCode.Conflict, null!);
        (await supervisor.PostJsonAsync("/api/calls/no-such-call/monitor")).AssertProblem(HttpStatusCode.NotFound, null!);
        (await supervisor.PostJsonAsync($"/api/calls/{caller.CallSid}/monitor", new { supervisor_id = "someone-else" })).AssertProblem(HttpStatusCode.Forbidden, null!);
    }
}
