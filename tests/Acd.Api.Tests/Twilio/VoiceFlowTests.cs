using System.Net;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>A real Twilio number pointed at Acd: what the caller, the agent and Twilio see, for every way a call goes.</summary>
public sealed class VoiceFlowTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    [Fact]
    public async Task AWaitingCallerHearsTheirEstimatedWaitAsTheyStartWaitingAndThenAtMostEveryAnnounceInterval()
    {
        (await fixture.Http.PutJsonAsync("/api/queues/flow-ewt", new { target_workers = "team == 'flow-ewt'", announce_every_seconds = 60 })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/workflows/flow-ewt", new { configuration = new { task_routing = new { default_filter = new { queue = "flow-ewt" } } } })).AssertOk();
        await fixture.AgentAsync("flow-ewt", "flow-ewt-a");
        var first = await fixture.CallInAsync("flow-ewt", from: "+819000000001");
        Twilio.Answer((await fixture.RungAsync("client:flow-ewt-a")).Sid);
        await fixture.CallEventuallyAsync(first.CallSid, c => c.Str("status") == "connected", "the first caller is connected");

        // The second waits behind nobody, for the one agent at work: one handle time (180 s until the queue has learned its own).
        var second = await fixture.CallInAsync("flow-ewt", from: "+819000000002");
        var call = await fixture.CallEventuallyAsync(second.CallSid, c => c.Str("status") == "queued", "the second caller waits");
        Assert.Equal(180.0, (await fixture.Http.GetJsonAsync($"/api/calls/{second.CallSid}")).AssertOk()["estimated_wait_seconds"]!.GetValue<double>());
        var stats = (await fixture.Http.GetJsonAsync("/api/queues/flow-ewt/stats")).AssertOk();
        Assert.Equal((360.0, 180.0, 1.0), (stats["estimated_wait_seconds"]!.GetValue<double>(), stats["handle_seconds"]!.GetValue<double>(), stats["agents_at_work"]!.GetValue<double>()));

        // As the wait music starts: their place and the estimate, in whole minutes rounded up.
        var said = (await Twilio.FetchWaitAsync(second.ConferenceName!)).Descendants("Say").Select(s => s.Value).ToList();
        Assert.Equal(["ただいま1番目にお待ちいただいております。", "お待ちいただく時間は、およそ3分です。"], said);
        // The music ends and Twilio asks again: the place, not the estimate again so soon.
        said = (await Twilio.FetchWaitAsync(second.ConferenceName!)).Descendants("Say").Select(s => s.Value).ToList();
        Assert.Equal(["ただいま1番目にお待ちいただいております。"], said);
        fixture.App.Time.Advance(TimeSpan.FromSeconds(61));
        said = (await Twilio.FetchWaitAsync(second.ConferenceName!)).Descendants("Say").Select(s => s.Value).ToList();
        Assert.Contains("お待ちいただく時間は、およそ3分です。", said);
        Assert.Equal("queued", call.Str("status"));
    }

    [Fact]
    public async Task CallerWaitsInAJapaneseConferenceAndTheAgentIsRungIntoIt()
    {
        await fixture.CenterAsync("flow-answer", reservationTimeout: 25, agents: "flow-alice");

        var caller = await fixture.CallInAsync("flow-answer");

        // The caller is greeted in Japanese and put into the call's own conference, mixed in jp1.
        Assert.Equal("ja-JP", (string?)caller.Twiml.Descendants("Say").First().Attribute("language"));
        var conference = caller.Twiml.Descendants("Conference").Single();
        Assert.Equal("jp1", (string?)conference.Attribute("region"));
        Assert.Equal("false", (string?)conference.Attribute("startConferenceOnEnter"));
        Assert.Equal("true", (string?)conference.Attribute("endConferenceOnExit"));
        Assert.Equal("customer", (string?)conference.Attribute("participantLabel"));
        Assert.Equal($"{TwilioFixture.PublicBaseUrl}/twilio/conference/status?callId={caller.CallSid}", (string?)conference.Attribute("statusCallback"));
        Assert.Equal("start end join leave hold mute modify", (string?)conference.Attribute("statusCallbackEvent"));
        Assert.StartsWith($"{TwilioFixture.PublicBaseUrl}/twilio/voice/wait", (string?)conference.Attribute("waitUrl"));
        Assert.StartsWith($"acd-{caller.CallSid}-", caller.ConferenceName);

        // Twilio is asked to add the agent to that conference with the Participants API.
        var leg = await fixture.RungAsync("client:flow-alice");
        var request = Twilio.Requests.Single(r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal) && r["To"] == "client:flow-alice");
        // The caller's conference: by its SID once it exists (found by name while its first callback had not come, rule 4),
        // or by name when the agent's request gets to Twilio before the caller's TwiML has made it (rule 7).
        Assert.True(request.Path.Contains($"/Conferences/{Twilio.ConferenceNamed(caller.ConferenceName!)!.Sid}/Participants.json", StringComparison.Ordinal)
            || request.Path.Contains(Uri.EscapeDataString(caller.ConferenceName!), StringComparison.Ordinal), request.Path);
        Assert.Equal(TwilioFixture.Number, request["From"]);
        Assert.Equal("agent-flow-alice-1", request["Label"]);
        Assert.Equal("true", request["StartConferenceOnEnter"]);
        Assert.Equal("false", request["EndConferenceOnExit"]);
        Assert.Equal("25", request["Timeout"]);
        Assert.Equal("jp1", request["Region"]);
        Assert.StartsWith($"{TwilioFixture.PublicBaseUrl}/twilio/call/status?callId={caller.CallSid}&legId=", request["StatusCallback"]);
        Assert.Equal(["initiated", "ringing", "answered", "completed"], request.All("StatusCallbackEvent"));
        Assert.Equal($"{TwilioFixture.PublicBaseUrl}/twilio/conference/status?callId={caller.CallSid}", request["ConferenceStatusCallback"]);

        // The agent answers: the call is connected, the ConferenceSid learned from the first callback.
        Twilio.Answer(leg.Sid);
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "the call is connected");
        Assert.Equal("flow-alice", call.Str("agent_id"));
        Assert.Equal(Twilio.ConferenceNamed(caller.ConferenceName!)!.Sid, call.Str("conference_sid"));
        Assert.Equal("jp1", Twilio.ConferenceNamed(caller.ConferenceName!)!.Region);

        // The caller hangs up first: the conference ends by itself, the agent wraps up, nothing more is asked of Twilio.
        var requestsBefore = Twilio.Requests.Count;
        Twilio.HangUp(caller.CallSid);
        call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "wrap_up", "the call is in wrap-up");
        Assert.Equal("caller-hangup", call.Str("end_reason"));
        Assert.Equal("WrapUp", (await fixture.AgentViewAsync("flow-alice")).Str("activity"));
        await Twilio.IdleAsync();
        Assert.Equal(requestsBefore, Twilio.Requests.Count);
    }

    [Theory]
    [InlineData("no-answer")]
    [InlineData("busy")]
    [InlineData("failed")]
    public async Task AnAgentWhoDoesNotAnswerIsCountedAndTheCallGoesToTheNextAgent(string outcome)
    {
        var name = $"flow-miss-{outcome}";
        await fixture.CenterAsync(name, agents: [$"{name}-first"]);
        var caller = await fixture.CallInAsync(name);
        var first = await fixture.RungAsync($"client:{name}-first");
        await fixture.AgentAsync(name, $"{name}-second");

        Twilio.EndRinging(first.Sid, outcome);

        // The miss counts: the first agent is moved to Break; the caller is offered to the next agent.
        var second = await fixture.RungAsync($"client:{name}-second");
        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("offered_to") == $"{name}-second", "the call is offered to the second agent");
        Assert.Contains(call["legs"]!.AsArray(), l => l!.Str("agent_id") == $"{name}-first" && l!.Str("status") == outcome);
        var missed = await fixture.AgentViewAsync($"{name}-first");
        Assert.Equal(("Break", 1), (missed.Str("activity"), missed["consecutive_missed_offers"]!.GetValue<int>()));

        Twilio.Answer(second.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected" && c.Str("agent_id") == $"{name}-second", "connected to the second agent");
    }

    [Fact]
    public async Task ACallerWhoHangsUpWhileWaitingIsAbandonedWithTheirWaitTime()
    {
        await fixture.CenterAsync("flow-abandon");
        var caller = await fixture.CallInAsync("flow-abandon");
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "queued", "the call waits");
        var requestsBefore = Twilio.Requests.Count;

        Twilio.HangUp(caller.CallSid);

        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "abandoned", "the call is abandoned");
        Assert.Equal("caller-hangup", call.Str("end_reason"));
        Assert.NotNull(call["wait_seconds"]);
        Assert.Equal(0, (await fixture.Http.GetJsonAsync("/api/queues/flow-abandon/stats")).AssertOk()["calls_waiting"]!.GetValue<int>());
        Assert.Equal(requestsBefore, Twilio.Requests.Count);
    }

    [Fact]
    public async Task ACallerWhoHangsUpWhileTheAgentRingsCancelsTheAgentsLeg()
    {
        await fixture.CenterAsync("flow-abandon-ringing", agents: "flow-ringing-agent");
        var caller = await fixture.CallInAsync("flow-abandon-ringing");
        var leg = await fixture.RungAsync("client:flow-ringing-agent");
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["legs"]!.AsArray().Any(l => l!["call_sid"]?.GetValue<string>() == leg.Sid), "Acd knows the agent leg's CallSid");

        Twilio.HangUp(caller.CallSid);

        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "abandoned", "the call is abandoned");
        // "completed", not "canceled": Twilio ignores "canceled" for a call that was answered a moment ago.
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Requests.Any(r => r.Path.EndsWith($"/Calls/{leg.Sid}.json", StringComparison.Ordinal) && r["Status"] == "completed")), "the agent's ringing leg is hung up through the API");
        Assert.Equal("canceled", Twilio.Leg(leg.Sid)!.Status);
        var agent = await fixture.AgentViewAsync("flow-ringing-agent");
        Assert.Equal(("Available", 0), (agent.Str("activity"), agent["offers"]!.AsArray().Count));
    }

    [Fact]
    public async Task WhenTheAgentHangsUpFirstAcdEndsTheConference()
    {
        await fixture.CenterAsync("flow-agent-hangup", agents: "flow-hangup-agent");
        var (caller, leg) = await fixture.ConnectedAsync("flow-agent-hangup", "flow-hangup-agent");

        Twilio.HangUp(leg.Sid);

        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "wrap_up", "the call is in wrap-up");
        Assert.Equal("agent-hangup", call.Str("end_reason"));
        var conference = Twilio.ConferenceNamed(caller.ConferenceName!)!;
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Requests.Any(r => r.Path.EndsWith($"/Conferences/{conference.Sid}.json", StringComparison.Ordinal) && r["Status"] == "completed")), "Acd ends the conference through the API");
        // The caller is not left alone on a silent line.
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Status == "completed" && Twilio.Leg(caller.CallSid)!.Status == "completed"), "the conference and the caller's leg have ended");
    }

    [Fact]
    public async Task DuplicatedCallbacksChangeNothing()
    {
        await fixture.CenterAsync("flow-duplicates", agents: "flow-dup-agent");
        Twilio.DuplicateCallbacks = true;
        try
        {
            var (caller, leg) = await fixture.ConnectedAsync("flow-duplicates", "flow-dup-agent");
            Twilio.HangUp(caller.CallSid);
            await Twilio.IdleAsync();
            var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "wrap_up", "wrap-up");
            Assert.Equal("caller-hangup", call.Str("end_reason"));
            var agent = await fixture.AgentViewAsync("flow-dup-agent");
            Assert.Equal((1, "WrapUp"), (agent["calls_today"]!.GetValue<int>(), agent.Str("activity")));
            Assert.Single(Twilio.Requests, r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal) && r["To"] == "client:flow-dup-agent");
        }
        finally
        {
            Twilio.DuplicateCallbacks = false;
        }
    }

    [Fact]
    public async Task CallbacksArrivingInReverseOrderWithinEachBurstChangeNothing()
    {
        await fixture.CenterAsync("flow-reorder", agents: "flow-reorder-agent");
        var caller = await fixture.CallInAsync("flow-reorder");
        var leg = await fixture.RungAsync("client:flow-reorder-agent");
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["conference_sid"] is not null, "the ConferenceSid is known");

        // The answer's burst (answered, participant-join, conference-start) arrives last first...
        Twilio.HoldCallbacks = true;
        Twilio.Answer(leg.Sid);
        await Twilio.ReleaseHeldAsync(reverse: true);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "connected");

        // ...and so does the hang-up's (participant-leave twice, the agent's leg completed, conference-end).
        Twilio.HoldCallbacks = true;
        Twilio.HangUp(caller.CallSid);
        await Twilio.ReleaseHeldAsync(reverse: true);

        var call = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "wrap_up", "the call is in wrap-up");
        Assert.Equal(("flow-reorder-agent", "caller-hangup"), (call.Str("agent_id"), call.Str("end_reason")));
        var agent = await fixture.AgentViewAsync("flow-reorder-agent");
        Assert.Equal((1, "WrapUp"), (agent["calls_today"]!.GetValue<int>(), agent.Str("activity")));
        Assert.Empty(agent["offers"]!.AsArray());
        Assert.Single(Twilio.Requests, r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal) && r["To"] == "client:flow-reorder-agent");
        var conferenceSid = call.Str("conference_sid");
        // The caller's leaving ended the conference: Acd did not end it again.
        Assert.DoesNotContain(Twilio.Requests, r => r.Path.EndsWith($"/Conferences/{conferenceSid}.json", StringComparison.Ordinal) && r.Method == "POST");
    }

    [Fact]
    public async Task AWebhookWithABadSignatureIsRefusedAndChangesNothing()
    {
        await fixture.CenterAsync("flow-signature", agents: "flow-signature-agent");
        var url = $"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=flow-signature";
        var form = new Dictionary<string, string> { ["CallSid"] = "CAbadsignature0000000000000000001", ["From"] = "+819000000000", ["To"] = TwilioFixture.Number };

        var (status, _) = await Twilio.PostAsync(url, form, signature: "bm90IGEgc2lnbmF0dXJl");
        Assert.Equal(403, status);
        (status, _) = await Twilio.PostAsync(url, form, sign: false);
        Assert.Equal(403, status);
        (status, _) = await Twilio.PostAsync(url, form, signature: Signatures.Sign("another-token", url, form));
        Assert.Equal(403, status);

        (await fixture.Http.GetJsonAsync("/api/calls/CAbadsignature0000000000000000001")).AssertProblem(HttpStatusCode.NotFound, null!);
        Assert.DoesNotContain(Twilio.Requests, r => r["To"] == "client:flow-signature-agent");

        var conferenceUrl = $"{TwilioFixture.PublicBaseUrl}/twilio/conference/status?callId=CAbadsignature0000000000000000001";
        (status, _) = await Twilio.PostAsync(conferenceUrl, new Dictionary<string, string> { ["ConferenceSid"] = "CF1", ["StatusCallbackEvent"] = "conference-end" }, sign: false);
        Assert.Equal(403, status);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task ATransientTwilioErrorIsRetriedAndTheAgentStillRings(HttpStatusCode error)
    {
        var name = $"flow-retry-{(int)error}";
        await fixture.CenterAsync(name, agents: $"{name}-agent");
        Twilio.FailNext(2, error, "/Participants.json");

        var caller = await fixture.CallInAsync(name);

        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.LegTo($"client:{name}-agent") is not null),
            $"the agent is rung; requests: {string.Join(", ", Twilio.Requests.Select(r => $"{r.Method} {r.Path} {r.Status}"))}");
        var leg = Twilio.LegTo($"client:{name}-agent")!;
        IEnumerable<int> Attempts() => Twilio.Requests.Where(r => r.Path.EndsWith("/Participants.json", StringComparison.Ordinal) && r["To"] == $"client:{name}-agent").Select(a => a.Status);
        await Eventually.HoldsAsync(() => Task.FromResult(Attempts().SequenceEqual([(int)error, (int)error, 201])), $"two {(int)error}s then a 201");
        Twilio.Answer(leg.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "connected after the retries");
    }

    [Fact]
    public async Task ATwilioOutageOutlastingTheRetriesIsNotTheAgentsMissAndTheCallRingsOnceTwilioRecovers()
    {
        await fixture.CenterAsync("flow-outage", agents: "flow-outage-agent");
        // Four 500s: the first attempt and its three retries (each after looking the leg up by its label).
        Twilio.FailNext(4, HttpStatusCode.InternalServerError, "/Participants.json");
        var caller = await fixture.CallInAsync("flow-outage");

        var leg = await fixture.RungAsync("client:flow-outage-agent");
        var call = await fixture.CallAsync(caller.CallSid);
        Assert.Contains(call["legs"]!.AsArray(), l => l!.Str("agent_id") == "flow-outage-agent" && l!.Str("status") == "failed");
        var agent = await fixture.AgentViewAsync("flow-outage-agent");
        Assert.Equal(("Available", 0), (agent.Str("activity"), agent["consecutive_missed_offers"]!.GetValue<int>()));
        Assert.Equal(1, Twilio.Legs.Count(l => l.To == "client:flow-outage-agent"));
        Twilio.Answer(leg.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected", "connected once Twilio recovered");
    }

    [Fact]
    public async Task AContactTwilioRefusesIsAMissAndTheCallGoesToSomeoneElse()
    {
        await fixture.CenterAsync("flow-refused", agents: "flow-refused-first");
        Twilio.FailNext(1, HttpStatusCode.BadRequest, "/Participants.json");
        var caller = await fixture.CallInAsync("flow-refused");

        await Eventually.HoldsAsync(async () => (await fixture.AgentViewAsync("flow-refused-first")).Str("activity") == "Break", "the unreachable agent is moved to Break");
        await fixture.AgentAsync("flow-refused", "flow-refused-second");
        await fixture.RungAsync("client:flow-refused-second");
        var call = await fixture.CallAsync(caller.CallSid);
        Assert.Equal("flow-refused-second", call.Str("offered_to"));
        Assert.Contains(call["legs"]!.AsArray(), l => l!.Str("agent_id") == "flow-refused-first" && l!.Str("status") == "failed");
    }
}
