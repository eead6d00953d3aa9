using System.Text.Json.Nodes;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>
/// Ring groups through the fake Twilio: each agent's leg is a call of its own (Calls API) that answers into Acd's TwiML,
/// the first to take the call is put into the caller's jp1 conference, and every other leg ends at once. No conference
/// ever holds two agents and the caller.
/// </summary>
public sealed class RingGroupTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    private async Task<string[]> GroupAsync(string name, object settings, int agents, int reservationTimeout = 20)
    {
        var queue = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(settings))!.AsObject();
        queue["target_workers"] = $"team == '{name}'";
        queue["wrap_up_seconds"] = 15;
        (await fixture.Http.PutJsonAsync($"/api/queues/{name}", queue)).AssertOk();
        (await fixture.Http.PutJsonAsync($"/api/workflows/{name}", new { task_reservation_timeout = reservationTimeout, configuration = new { task_routing = new { default_filter = new { queue = name } } } })).AssertOk();
        var ids = Enumerable.Range(1, agents).Select(i => $"{name}-{i}").ToArray();
        foreach (var id in ids)
        {
            await fixture.AgentAsync(name, id);
        }
        return ids;
    }

    private IEnumerable<RestRequest> CallsCreatedTo(string to) =>
        Twilio.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/Calls.json", StringComparison.Ordinal) && r["To"] == to);

    private IEnumerable<RestRequest> Updates(string callSid) =>
        Twilio.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith($"/Calls/{callSid}.json", StringComparison.Ordinal));

    /// <summary>Everyone who was ever in the caller's conference.</summary>
    private List<string> Joined(CallerSession caller) => [.. Twilio.ConferenceNamed(caller.ConferenceName!)!.Joined];

    private async Task<List<FakeLeg>> AllRungAsync(string[] agents)
    {
        var legs = new List<FakeLeg>();
        foreach (var agent in agents)
        {
            legs.Add(await Twilio.RungAsync($"client:{agent}"));
        }
        return legs;
    }

    [Fact]
    public async Task ARingAllQueueRingsEveryoneAndTheFirstToAnswerIsTheOnlyOneWhoHearsTheCaller()
    {
        var agents = await GroupAsync("ring-all", new { agent_selection = "ring_all" }, agents: 5, reservationTimeout: 25);
        await using var events = await EventStream.OpenAsync(fixture.Http, "/api/supervisor/events");

        var caller = await fixture.CallInAsync("ring-all");
        var legs = await AllRungAsync(agents);

        // Five calls of their own (the Calls API), each answering into Acd's TwiML; none is a participant of the
        // caller's conference, so nobody hears the caller before taking the call.
        foreach (var agent in agents)
        {
            var request = Assert.Single(CallsCreatedTo($"client:{agent}"));
            Assert.StartsWith($"{TwilioFixture.PublicBaseUrl}/twilio/agent/answer?callId={caller.CallSid}&legId=", request["Url"]);
            Assert.Equal("POST", request["Method"]);
            Assert.Equal("25", request["Timeout"]);
            Assert.Equal(TwilioFixture.Number, request["From"]);
            Assert.Equal(["initiated", "ringing", "answered", "completed"], request.All("StatusCallbackEvent"));
        }
        Assert.DoesNotContain(Twilio.Requests, r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal));
        var offered = await fixture.CallEventuallyAsync(caller.CallSid, c => c["legs"]!.AsArray().Count(l => l!.Str("role") == "agent") == 5, "five agents ring");
        Assert.Equal("offered", offered.Str("status"));
        Assert.Equal([caller.CallSid], Joined(caller));

        // The third answers: straight into the caller's conference, mixed in jp1; the other four end at once, canceled
        // while they ring, and nobody is charged a miss.
        var winner = legs[2];
        Twilio.Answer(winner.Sid);
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "the call is connected");
        Assert.Equal(agents[2], call.Str("agent_id"));
        await Eventually.HoldsAsync(() => Task.FromResult(Joined(caller).Contains(winner.Sid)), "the winner joins the caller's conference");
        Assert.Equal("jp1", Twilio.ConferenceNamed(caller.ConferenceName!)!.Region);
        foreach (var loser in legs.Where(l => l != winner))
        {
            await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(loser.Sid)!.Status == "canceled"), $"{loser.To} stops ringing");
            Assert.Equal("canceled", Assert.Single(Updates(loser.Sid))["Status"]);
        }
        Assert.Equal([caller.CallSid, winner.Sid], Joined(caller));
        // Within a second of the answer, every other leg was told to end.
        var answeredAt = Twilio.Leg(winner.Sid)!.AnsweredAt!.Value;
        Assert.All(legs.Where(l => l != winner), loser => Assert.True(Updates(loser.Sid).Single().At - answeredAt < TimeSpan.FromSeconds(1), $"{loser.To} was canceled {(Updates(loser.Sid).Single().At - answeredAt).TotalMilliseconds} ms after the answer"));
        foreach (var agent in agents.Where(a => a != agents[2]))
        {
            var view = await fixture.AgentViewAsync(agent);
            Assert.Equal("Available", view.Str("activity"));
            Assert.Equal(0, view["consecutive_missed_offers"]!.GetValue<int>());
        }

        // TaskRouter's events: a reservation for each agent, the four losers' canceled.
        await events.WaitForAsync("reservation.accepted", e => e.Data!.Str("call_id") == caller.CallSid);
        await Eventually.HoldsAsync(() => Task.FromResult(events.Events.Count(e => e.Type == "reservation.canceled" && e.Data!.Str("call_id") == caller.CallSid) == 4), "four reservations are canceled");
        var created = events.Events.Where(e => e.Type == "reservation.created" && e.Data!.Str("call_id") == caller.CallSid).Select(e => e.Data!.Str("agent_id")).Order().ToList();
        Assert.Equal(agents.Order(), created);
        var canceled = events.Events.Where(e => e.Type == "reservation.canceled" && e.Data!.Str("call_id") == caller.CallSid).Select(e => e.Data!.Str("agent_id")).Order().ToList();
        Assert.Equal(agents.Where(a => a != agents[2]).Order(), canceled);
        Assert.Empty(Twilio.Violations);
    }

    [Fact]
    public async Task TwoAgentsWhoAnswerAtTheSameInstantCannotBothWin()
    {
        var agents = await GroupAsync("ring-race", new { friendly_name = "サポート", agent_selection = "ring_all", max_ring = 3, whisper = true }, agents: 3);
        var caller = await fixture.CallInAsync("ring-race");
        var legs = await AllRungAsync(agents);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["legs"]!.AsArray().Count(l => l!.Str("role") == "agent" && l!.Str("status") == "ringing") == 3, "three ring");

        // Both pick up together: Twilio asks Acd for both legs' TwiML at once.
        await Task.WhenAll(Task.Run(() => Twilio.Answer(legs[0].Sid)), Task.Run(() => Twilio.Answer(legs[1].Sid)));
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "the call is connected");
        var (winner, loser) = call.Str("agent_id") == agents[0] ? (legs[0], legs[1]) : (legs[1], legs[0]);
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(loser.Sid)!.IsFinal), "the other one is hung up");
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(legs[2].Sid)!.Status == "canceled"), "the third stops ringing");
        // The other one was hung up by Acd (answered: "completed") or, asking for its TwiML after the call was taken, heard so.
        Assert.True(Twilio.Leg(loser.Sid)!.Said.Any(s => s.Contains("他の担当者が応答しました", StringComparison.Ordinal)) || Updates(loser.Sid).Any(r => r["Status"] == "completed"));
        // The winner heard whose call it was before being put through.
        Assert.Contains(Twilio.Leg(winner.Sid)!.Said, s => s.Contains("サポートのお電話です", StringComparison.Ordinal));
        // Connected once Acd put them through; they join when Twilio has carried out the TwiML that says so.
        await Eventually.HoldsAsync(() => Task.FromResult(Joined(caller).Count >= 2), "the winner joins the caller");
        Assert.Equal([caller.CallSid, winner.Sid], Joined(caller));
        Assert.Equal("completed", Twilio.Leg(loser.Sid)!.Status);
    }

    [Fact]
    public async Task WithAcceptWithKeyTheAgentHearsTheQueueAndTakesTheCallWithOneAndOtherKeysDecline()
    {
        var agents = await GroupAsync("ring-key", new { friendly_name = "請求窓口", agent_selection = "ring_all", accept_with_key = true }, agents: 3);
        var caller = await fixture.CallInAsync("ring-key");
        var legs = await AllRungAsync(agents);

        // The first picks up and hears whose call it is; the second picks up too and presses 2: they decline it.
        Twilio.Answer(legs[0].Sid);
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(legs[0].Sid)!.Gathering is not null), "the first is asked for the key");
        Assert.Contains(Twilio.Leg(legs[0].Sid)!.Said, s => s.Contains("請求窓口のお電話です", StringComparison.Ordinal) && s.Contains("1を押してください", StringComparison.Ordinal));
        Twilio.Answer(legs[1].Sid);
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(legs[1].Sid)!.Gathering is not null), "the second is asked for the key");
        await Twilio.PressAsync(legs[1].Sid, "2");
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(legs[1].Sid)!.IsFinal), "the one who declined is hung up");
        var call = await fixture.CallAsync(caller.CallSid);
        Assert.Equal("offered", call.Str("status"));
        Assert.Equal([caller.CallSid], Joined(caller));

        // The first presses 1: they take the call; the third stops ringing.
        await Twilio.PressAsync(legs[0].Sid, "1");
        call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "the call is connected");
        Assert.Equal(agents[0], call.Str("agent_id"));
        await Eventually.HoldsAsync(() => Task.FromResult(Joined(caller).Contains(legs[0].Sid)), "the first joins the caller");
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(legs[2].Sid)!.Status == "canceled"), "the third stops ringing");
        Assert.Equal([caller.CallSid, legs[0].Sid], Joined(caller));
    }

    [Fact]
    public async Task AnAgentWhoHangsUpBeforeTakingTheCallLeavesItToTheOthersAndTheCallerKeepsTheirPlace()
    {
        var agents = await GroupAsync("ring-drop", new { agent_selection = "ring_all", accept_with_key = true, max_ring = 2 }, agents: 2);
        var caller = await fixture.CallInAsync("ring-drop");
        var legs = await AllRungAsync(agents);

        // The first answers and their phone drops at the prompt, before they take the call: the second still rings.
        Twilio.Answer(legs[0].Sid);
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(legs[0].Sid)!.Gathering is not null), "the first is asked for the key");
        Twilio.HangUp(legs[0].Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["legs"]!.AsArray().Any(l => l!.Str("call_sid") == legs[0].Sid && l!.Str("status") == "completed"), "Acd hears the first leg end");
        Assert.Equal("offered", (await fixture.CallAsync(caller.CallSid)).Str("status"));
        Assert.Equal("ringing", Twilio.Leg(legs[1].Sid)!.Status);

        // The second answers and takes it.
        Twilio.Answer(legs[1].Sid);
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(legs[1].Sid)!.Gathering is not null), "the second is asked for the key");
        await Twilio.PressAsync(legs[1].Sid, "1");
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "the second takes the call");
        Assert.Equal(agents[1], call.Str("agent_id"));
        await Eventually.HoldsAsync(() => Task.FromResult(Joined(caller).Contains(legs[1].Sid)), "the second joins the caller");
        Assert.Equal([caller.CallSid, legs[1].Sid], Joined(caller));
    }

    [Fact]
    public async Task WhenTheOnlyAgentRungDropsBeforeTakingTheCallTheCallerWaitsOnWithTheirPlace()
    {
        var agents = await GroupAsync("ring-alone", new { agent_selection = "ring_all", accept_with_key = true }, agents: 1);
        var caller = await fixture.CallInAsync("ring-alone");
        var leg = await Twilio.RungAsync($"client:{agents[0]}");
        Twilio.Answer(leg.Sid);
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(leg.Sid)!.Gathering is not null), "the agent is asked for the key");
        await Twilio.GatherTimesOutAsync(leg.Sid);
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(leg.Sid)!.IsFinal), "the agent is hung up after the prompt");
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "queued", "the caller waits again");
        Assert.Equal("ring-alone", call.Str("queue_id"));
        Assert.Equal([caller.CallSid], Joined(caller));
        Assert.NotEqual("completed", Twilio.ConferenceNamed(caller.ConferenceName!)!.Status);
    }

    [Fact]
    public async Task WhenTheCallerHangsUpWhileTheGroupRingsEveryLegIsCanceledAndNobodyMissedAnything()
    {
        var agents = await GroupAsync("ring-gone", new { agent_selection = "ring_all", max_ring = 6 }, agents: 6);
        var caller = await fixture.CallInAsync("ring-gone");
        var legs = await AllRungAsync(agents);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["legs"]!.AsArray().Count(l => l!.Str("role") == "agent" && l!.Str("status") == "ringing") == 6, "six ring");

        Twilio.HangUp(caller.CallSid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "abandoned", "the call is abandoned");
        foreach (var leg in legs)
        {
            await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(leg.Sid)!.Status == "canceled"), $"{leg.To} stops ringing");
        }
        foreach (var agent in agents)
        {
            var view = await fixture.AgentViewAsync(agent);
            Assert.Equal("Available", view.Str("activity"));
            Assert.Equal(0, view["consecutive_missed_offers"]!.GetValue<int>());
            Assert.Empty(view["offers"]!.AsArray());
        }
    }

    [Fact]
    public async Task RingProgressivelyAddsOneAgentEveryStepInLongestIdleOrder()
    {
        var agents = await GroupAsync("ring-step", new { agent_selection = "ring_progressively", ring_step_seconds = 5, max_ring = 3 }, agents: 4, reservationTimeout: 60);
        var caller = await fixture.CallInAsync("ring-step");
        var first = await fixture.RingingAsync(caller.CallSid, "client:ring-step-1");
        Assert.Single(Twilio.Requests, r => r.Path.EndsWith("/Calls.json", StringComparison.Ordinal) && r["To"]!.StartsWith("client:ring-step", StringComparison.Ordinal));

        fixture.App.Time.Advance(TimeSpan.FromSeconds(5));
        await fixture.RingingAsync(caller.CallSid, "client:ring-step-2");
        fixture.App.Time.Advance(TimeSpan.FromSeconds(5));
        var third = await fixture.RingingAsync(caller.CallSid, "client:ring-step-3");
        // max_ring is 3: no fourth.
        fixture.App.Time.Advance(TimeSpan.FromSeconds(5));
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "offered", "still offered");
        Assert.Empty(CallsCreatedTo("client:ring-step-4"));

        Twilio.Answer(third.Sid);
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "the third takes it");
        Assert.Equal("ring-step-3", call.Str("agent_id"));
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(first.Sid)!.Status == "canceled"), "the first stops ringing");
        // The third's TwiML joins them a moment after Acd has taken the answer: waited for, as the other tests do.
        await Eventually.HoldsAsync(() => Task.FromResult(Joined(caller).Contains(third.Sid)), "the third joins the caller");
        Assert.Equal([caller.CallSid, third.Sid], Joined(caller));
    }
}

/// <summary>Acd on an account paced at one call per second.</summary>
public sealed class OneCallPerSecondFixture : TwilioFixture
{
    protected override void Configure(AcdAppFactory app) => app.With("Twilio:CallsPerSecond", "1");
}

/// <summary>
/// A ring group within the account's calls per second: its further legs go out behind every waiting caller's first leg,
/// and when the pace cannot send them soon (<c>Twilio:RingGroupSendSeconds</c>, 2), fewer agents ring, as the queue's
/// <c>telephony_backlog</c> says, rather than a backlog building up at Twilio.
/// </summary>
public sealed class RingGroupPacingTests(OneCallPerSecondFixture fixture) : IClassFixture<OneCallPerSecondFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    [Fact]
    public async Task AtOneCallPerSecondARingAllOfSixRingsWhatThePaceSendsAndEveryCallersFirstLegGoesFirst()
    {
        (await fixture.Http.PutJsonAsync("/api/queues/paced", new { target_workers = "team == 'paced'", agent_selection = "ring_all" })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/workflows/paced", new { task_reservation_timeout = 30, configuration = new { task_routing = new { default_filter = new { queue = "paced" } } } })).AssertOk();
        for (var i = 1; i <= 6; i++)
        {
            await fixture.AgentAsync("paced", $"paced-{i}");
        }

        var first = await fixture.CallInAsync("paced", from: "+819011110001");
        await fixture.CallEventuallyAsync(first.CallSid, c => c["legs"]!.AsArray().Count(l => l!.Str("role") == "agent") == 3, "the first caller rings three agents");
        var second = await fixture.CallInAsync("paced", from: "+819011110002");
        await fixture.CallEventuallyAsync(second.CallSid, c => c["legs"]!.AsArray().Count(l => l!.Str("role") == "agent") == 1, "the second caller rings one");

        // Three legs for the first (the pace's slots now, in one second and in two), one for the second; the free agents
        // the groups could not ring are counted: three for the first, the other two for the second.
        var stats = (await fixture.Http.GetJsonAsync("/api/queues/paced/stats")).AssertOk();
        Assert.Equal(3 + 2, stats["telephony_backlog"]!["ring_group_legs_withheld"]!.GetValue<long>());
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Requests.Count(r => r.Path.EndsWith("/Calls.json", StringComparison.Ordinal) && r.Method == "POST") == 4), "four legs are sent", timeoutMs: 15000);
        var sent = Twilio.Requests.Where(r => r.Path.EndsWith("/Calls.json", StringComparison.Ordinal) && r.Method == "POST").ToList();
        // The second caller's first leg went before the first caller's further legs.
        var legsOfSecond = (await fixture.CallAsync(second.CallSid))["legs"]!.AsArray().Where(l => l!.Str("role") == "agent").Select(l => l!.Str("agent_id")).ToList();
        Assert.Equal($"client:{Assert.Single(legsOfSecond)}", sent[1]["To"]);
        Assert.Empty(Twilio.Violations);
    }
}
