using System.Net;
using System.Text.Json.Nodes;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>
/// Callbacks through the fake Twilio: a waiting caller presses * (their &lt;Dial&gt; has hangupOnStar), then 1 in the
/// menu, confirms their number and hangs up; the call keeps its place as a callback, and when it reaches an agent the
/// agent is rung first (into Acd's TwiML, with a whisper), then the customer is dialled into the agent's conference.
/// </summary>
public sealed class CallbackTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    private TimeSpan Step => TimeSpan.FromSeconds(30);

    private async Task<string> CallbackCenterAsync(string name, object? callback = null, params string[] agents)
    {
        var queue = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(callback ?? new { callback_after_seconds = 0 }))!.AsObject();
        queue["target_workers"] = $"team == '{name}'";
        queue["wrap_up_seconds"] = 15;
        queue["friendly_name"] = "サポート";
        (await fixture.Http.PutJsonAsync($"/api/queues/{name}", queue)).AssertOk();
        (await fixture.Http.PutJsonAsync($"/api/workflows/{name}", new { task_reservation_timeout = 20, configuration = new { task_routing = new { default_filter = new { queue = name } } } })).AssertOk();
        foreach (var agent in agents)
        {
            await fixture.AgentAsync(name, agent, activity: "Offline");
        }
        return name;
    }

    /// <summary>The agent (of the team named like their queue) goes Available.</summary>
    private Task AvailableAsync(string team, string agent) => fixture.AgentAsync(team, agent, "Available");

    /// <summary>Waits until the leg is at a &lt;Gather&gt; having heard <paramref name="heard"/>.</summary>
    private async Task AtGatherAsync(string callSid, string heard)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(callSid) is { Gathering: not null } leg && leg.Said.Any(s => s.Contains(heard, StringComparison.Ordinal))), $"{callSid} hears '{heard}' and is asked for a key");
    }

    /// <summary>The caller presses *, 1, and 1 to confirm the number they called from: the callback is booked and they hang up.</summary>
    private async Task BookCallbackAsync(CallerSession caller)
    {
        await Twilio.PressAsync(caller.CallSid, "*");
        await AtGatherAsync(caller.CallSid, "折り返しのお電話をご希望の場合は1を");
        await Twilio.PressAsync(caller.CallSid, "1");
        await AtGatherAsync(caller.CallSid, "にお掛けします");
        await Twilio.PressAsync(caller.CallSid, "1");
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(caller.CallSid)!.Status == "completed"), "the caller is told it is booked and the call ends");
        Assert.Contains(Twilio.Leg(caller.CallSid)!.Said, s => s.Contains("承りました", StringComparison.Ordinal));
    }

    private IEnumerable<RestRequest> Created(string to) =>
        Twilio.Requests.Where(r => r.Method == "POST" && (r.Path.EndsWith("/Calls.json", StringComparison.Ordinal) || r.Path.EndsWith("/Participants.json", StringComparison.Ordinal)) && r["To"] == to);

    [Fact]
    public async Task ACallerWhoPressesOneKeepsTheirPlaceAndIsCalledBackBeforeAnyoneWhoCameLaterWithTheAgentRungFirst()
    {
        await CallbackCenterAsync("cb", agents: "cb-agent");
        await using var events = await EventStream.OpenAsync(fixture.Http, "/api/supervisor/events");

        var caller = await fixture.CallInAsync("cb", from: "+819011110001");
        // The queue offers callbacks: the caller's <Dial> lets them leave with *, and asks Acd what follows.
        var dial = caller.Twiml.Descendants("Dial").Single();
        Assert.Equal("true", (string?)dial.Attribute("hangupOnStar"));
        Assert.Equal($"{TwilioFixture.PublicBaseUrl}/twilio/voice/wait-exit?callId={caller.CallSid}", (string?)dial.Attribute("action"));
        var wait = await Twilio.FetchWaitAsync(caller.ConferenceName!);
        Assert.Contains(wait.Descendants("Say"), s => s.Value.Contains("アスタリスクを押してください", StringComparison.Ordinal));
        var firstConference = caller.ConferenceName!;

        fixture.App.Time.Advance(Step);
        await BookCallbackAsync(caller);
        Assert.Contains(Twilio.Leg(caller.CallSid)!.Said, s => s.Contains("0 9 0 1 1 1 1 0 0 0 1 にお掛けします", StringComparison.Ordinal));
        var booked = await fixture.CallEventuallyAsync(caller.CallSid, c => c["callback"] is not null && c.Str("status") == "queued", "the call waits in its queue as a callback");
        Assert.Equal(("callback", "cb", "+819011110001", "caller"), (booked.Str("direction"), booked.Str("queue_id"), booked["callback"]!.Str("number"), booked["callback"]!.Str("source")));
        Assert.Equal("completed", Twilio.ConferenceNamed(firstConference)!.Status);
        var requested = await events.WaitForAsync("callback.requested", e => e.Data!.Str("call_id") == caller.CallSid);
        Assert.Equal(30, requested.Data!["data"]!["details"]!["waited_seconds"]!.GetValue<double>());

        // Someone calls after them, and waits second: the callback counts in the queue's order.
        fixture.App.Time.Advance(Step);
        var later = await fixture.CallInAsync("cb", from: "+819022220002");
        var laterWait = await Twilio.FetchWaitAsync(later.ConferenceName!);
        Assert.Contains(laterWait.Descendants("Say"), s => s.Value.Contains("2番目", StringComparison.Ordinal));

        // An agent frees up: the callback is theirs, before the later caller. The agent's leg is rung first, as a call of
        // its own into Acd's TwiML; nobody has dialled the customer yet.
        fixture.App.Time.Advance(Step);
        await AvailableAsync("cb", "cb-agent");
        var agentLeg = await fixture.RungAsync("client:cb-agent");
        var ring = Assert.Single(Created("client:cb-agent"));
        Assert.EndsWith("/Calls.json", ring.Path);
        Assert.StartsWith($"{TwilioFixture.PublicBaseUrl}/twilio/agent/answer?callId={caller.CallSid}&legId=", ring["Url"]);
        Assert.DoesNotContain(Twilio.Requests, r => r["To"] == "+819011110001");

        // The agent answers and hears whom they call back and how long the customer has waited (a minute and a half).
        Twilio.Answer(agentLeg.Sid);
        var customer = await fixture.RungAsync("+819011110001");
        Assert.Contains(Twilio.Leg(agentLeg.Sid)!.Said, s => s.Contains("サポートの折り返しのお電話です。お客様は約2分お待ちになりました", StringComparison.Ordinal));
        var conference = Twilio.Conferences.Single(c => c.Joined.Contains(agentLeg.Sid));
        Assert.Equal("jp1", conference.Region);
        var dialled = Assert.Single(Created("+819011110001"));
        Assert.Contains($"/Conferences/{conference.Sid}/Participants.json", dialled.Path);
        Assert.NotEqual(firstConference, conference.FriendlyName);

        Twilio.Answer(customer.Sid);
        var connected = await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "connected" && c["callback"]!["connected_at"] is not null, "the customer is talking to the agent");
        Assert.Equal(("cb-agent", 1), (connected.Str("agent_id"), connected["callback"]!["attempts"]!.GetValue<int>()));
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Joined.Count == 2), "agent and customer in one conference");
        Assert.Equal([agentLeg.Sid, customer.Sid], conference.Joined);
        await events.WaitForAsync("callback.attempted", e => e.Data!.Str("call_id") == caller.CallSid);
        await events.WaitForAsync("callback.connected", e => e.Data!.Str("call_id") == caller.CallSid);

        // The later caller is still waiting, alone in their conference.
        var still = await fixture.CallAsync(later.CallSid);
        Assert.Equal("queued", still.Str("status"));
        Assert.Equal([later.CallSid], Twilio.ConferenceNamed(later.ConferenceName!)!.Joined);

        Twilio.HangUp(customer.Sid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") is "wrap_up" or "completed", "the callback ends like any call, not abandoned");

        // The queue's figures: one callback asked for, tried and connected, 2 minutes after it was asked for; no abandon.
        JsonNode stats = null!;
        await Eventually.HoldsAsync(async () => (stats = (await fixture.Http.GetJsonAsync("/api/queues/cb/statistics")).AssertOk()["cumulative"]!)["callbacks_connected"]!.GetValue<int>() == 1, "the statistics count the callback");
        Assert.Equal((1, 1, 0, 0), (stats["callbacks_requested"]!.GetValue<int>(), stats["callbacks_attempted"]!.GetValue<int>(), stats["callbacks_failed"]!.GetValue<int>(), stats["tasks_abandoned"]!.GetValue<int>()));
        Assert.Equal(60, stats["average_callback_connect_seconds"]!.GetValue<double>());
        Assert.Empty(Twilio.Violations);
    }

    [Fact]
    public async Task PressingTwoGoesBackToWaitInANewConferenceWithThePlaceKept()
    {
        await CallbackCenterAsync("cb-back", agents: "cb-back-agent");
        var first = await fixture.CallInAsync("cb-back", from: "+819011110011");
        fixture.App.Time.Advance(Step);
        var second = await fixture.CallInAsync("cb-back", from: "+819011110012");

        await Twilio.PressAsync(first.CallSid, "*");
        await AtGatherAsync(first.CallSid, "このままお待ちになる場合は2を");
        await Twilio.PressAsync(first.CallSid, "2");
        // Back in a conference of a new name (names are never reused), hearing the wait again but not the greeting.
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(first.CallSid)!.ConferenceSid is not null), "the caller is back in a conference");
        var back = await fixture.CallAsync(first.CallSid);
        Assert.Equal("queued", back.Str("status"));
        Assert.NotEqual(first.ConferenceName, back.Str("conference_name"));
        Assert.Equal("completed", Twilio.ConferenceNamed(first.ConferenceName!)!.Status);
        var wait = await Twilio.FetchWaitAsync(back.Str("conference_name"));
        Assert.Contains(wait.Descendants("Say"), s => s.Value.Contains("1番目", StringComparison.Ordinal));

        // First in line still: the agent who frees up gets them, in their new conference.
        await AvailableAsync("cb-back", "cb-back-agent");
        var agentLeg = await fixture.RungAsync("client:cb-back-agent");
        var offered = await fixture.CallEventuallyAsync(first.CallSid, c => c.Str("status") == "offered", "the first caller is offered");
        Assert.Equal("cb-back-agent", offered.Str("offered_to"));
        Twilio.Answer(agentLeg.Sid);
        var conference = Twilio.ConferenceNamed(back.Str("conference_name"))!;
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Joined.Contains(agentLeg.Sid)), "the agent joins the caller's new conference");
        Assert.Equal("queued", (await fixture.CallAsync(second.CallSid)).Str("status"));
        Assert.Empty(Twilio.Violations);
    }

    [Fact]
    public async Task ACallerWhoHangsUpInTheMenuHasAbandonedAndAnotherNumberCanBeKeyed()
    {
        await CallbackCenterAsync("cb-menu");
        var gone = await fixture.CallInAsync("cb-menu", from: "+819011110021");
        await Twilio.PressAsync(gone.CallSid, "*");
        await AtGatherAsync(gone.CallSid, "折り返しのお電話をご希望の場合は1を");
        // Twilio tells nobody of a hang-up at a <Gather> (the number has no status callback here): Acd looks the caller
        // up while they are in the menu, every half minute.
        Twilio.HangUp(gone.CallSid);
        fixture.App.Time.Advance(TimeSpan.FromSeconds(30));
        var abandoned = await fixture.CallEventuallyAsync(gone.CallSid, c => c.Str("status") == "abandoned", "a hang-up in the menu is an abandon");
        Assert.Null(abandoned["callback"]);

        // Another caller keys a number of their own (a 0 and the area code, ended with #, which Twilio leaves out).
        var caller = await fixture.CallInAsync("cb-menu", from: "+819011110022");
        await Twilio.PressAsync(caller.CallSid, "*");
        await AtGatherAsync(caller.CallSid, "折り返しのお電話をご希望の場合は1を");
        await Twilio.PressAsync(caller.CallSid, "1");
        await AtGatherAsync(caller.CallSid, "0 9 0 1 1 1 1 0 0 2 2 にお掛けします");
        await Twilio.PressAsync(caller.CallSid, "2");
        await AtGatherAsync(caller.CallSid, "最後にシャープを押してください");
        await Twilio.PressAsync(caller.CallSid, "12");
        await AtGatherAsync(caller.CallSid, "その番号にはお掛けできません");
        await Twilio.PressAsync(caller.CallSid, "0312345678");
        await AtGatherAsync(caller.CallSid, "0 3 1 2 3 4 5 6 7 8 にお掛けします");
        await Twilio.PressAsync(caller.CallSid, "1");
        var booked = await fixture.CallEventuallyAsync(caller.CallSid, c => c["callback"] is not null, "booked");
        Assert.Equal("+81312345678", booked["callback"]!.Str("number"));
        Assert.Equal("queued", booked.Str("status"));
    }

    [Fact]
    public async Task ACustomerWhoDoesNotAnswerIsCalledAgainLaterAndTheCallbackFailsAfterItsAttempts()
    {
        await CallbackCenterAsync("cb-retry", new { callback_attempts = 2, callback_retry_seconds = 60 }, "cb-retry-agent");
        await using var events = await EventStream.OpenAsync(fixture.Http, "/api/supervisor/events");
        const string number = "+819011110031";
        var created = (await fixture.Http.PostJsonAsync("/api/callbacks", new { to = number, workflow = "cb-retry" })).AssertOk(HttpStatusCode.Created);
        var id = created.Str("id");
        Assert.Equal(("queued", "callback", "api"), (created.Str("status"), created.Str("direction"), created["callback"]!.Str("source")));

        await AvailableAsync("cb-retry", "cb-retry-agent");
        var agentLeg = await fixture.RungAsync("client:cb-retry-agent");
        Twilio.Answer(agentLeg.Sid);
        var customer = await fixture.RungAsync(number);
        Twilio.EndRinging(customer.Sid, "busy");

        // Busy: the agent is let go at once (no wrap-up), the callback waits its retry time.
        var scheduled = await fixture.CallEventuallyAsync(id, c => c.Str("status") == "scheduled", "the next attempt is scheduled");
        Assert.Equal((1, "busy"), (scheduled["callback"]!["attempts"]!.GetValue<int>(), scheduled["callback"]!.Str("last_failure")));
        Assert.Equal(fixture.App.Time.GetUtcNow().AddSeconds(60), scheduled["callback"]!["due_at"]!.GetValue<DateTimeOffset>(), TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(async () => (await fixture.AgentViewAsync("cb-retry-agent")).Str("activity") == "Available" && Twilio.Leg(agentLeg.Sid)!.IsFinal, "the agent is free again");
        await events.WaitForAsync("callback.attempt-failed", e => e.Data!.Str("call_id") == id);

        // Not before its time; then the agent is rung again and the customer dialled once more.
        fixture.App.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("scheduled", (await fixture.CallAsync(id)).Str("status"));
        fixture.App.Time.Advance(TimeSpan.FromSeconds(1));
        var again = await Twilio.RungAsync("client:cb-retry-agent", agentLeg.Sid);
        Twilio.Answer(again.Sid);
        var second = await Twilio.RungAsync(number, customer.Sid);
        Assert.Equal(2, Created(number).Count());
        Twilio.EndRinging(second.Sid, "no-answer");

        var failed = await fixture.CallEventuallyAsync(id, c => c.Str("status") == "failed", "two attempts used up: it fails");
        Assert.Equal("callback-failed", failed.Str("end_reason"));
        await events.WaitForAsync("callback.failed", e => e.Data!.Str("call_id") == id);
        await Eventually.HoldsAsync(async () => (await fixture.AgentViewAsync("cb-retry-agent")).Str("activity") == "Available", "the agent is free");
        Assert.Equal(2, Created(number).Count());
        JsonNode stats = null!;
        await Eventually.HoldsAsync(async () => (stats = (await fixture.Http.GetJsonAsync("/api/queues/cb-retry/statistics")).AssertOk()["cumulative"]!)["callbacks_failed"]!.GetValue<int>() == 1, "the statistics count the failure");
        Assert.Equal((1, 2, 0), (stats["callbacks_requested"]!.GetValue<int>(), stats["callbacks_attempted"]!.GetValue<int>(), stats["callbacks_connected"]!.GetValue<int>()));
    }

    [Fact]
    public async Task AScheduledCallbackEntersItsQueueAtItsTimeAndCanBeCanceled()
    {
        await CallbackCenterAsync("cb-at", agents: "cb-at-agent");
        await AvailableAsync("cb-at", "cb-at-agent");
        var at = fixture.App.Time.GetUtcNow().AddHours(1);
        var created = (await fixture.Http.PostJsonAsync("/api/callbacks", new { to = "+819011110041", workflow = "cb-at", at, priority = 5 })).AssertOk(HttpStatusCode.Created);
        var id = created.Str("id");
        Assert.Equal("scheduled", created.Str("status"));
        Assert.Equal(at, created["callback"]!["due_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(id, (await fixture.Http.GetJsonAsync($"/api/calls/{id}")).AssertOk().Str("id"));
        Assert.DoesNotContain(Twilio.Requests, r => r["To"] == "client:cb-at-agent");

        fixture.App.Time.Advance(TimeSpan.FromHours(1));
        var leg = await fixture.RungAsync("client:cb-at-agent");
        var offered = await fixture.CallEventuallyAsync(id, c => c.Str("status") == "offered", "at its time it is offered");
        Assert.Equal(5, offered["priority"]!.GetValue<int>());

        // Canceled while its agent rings: the agent's leg is hung up and nobody dials the customer.
        var canceled = (await fixture.Http.DeleteJsonAsync($"/api/callbacks/{id}")).AssertOk();
        Assert.Equal(("canceled", "callback-canceled"), (canceled.Str("status"), canceled.Str("end_reason")));
        // Its leg may be hung up before its create's answer came back, with its CallSid known from its status callback.
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(leg.Sid)!.IsFinal), "the agent's leg ends");
        (await fixture.Http.DeleteJsonAsync($"/api/callbacks/{id}")).AssertOk();
        Assert.DoesNotContain(Twilio.Requests, r => r["To"] == "+819011110041");
        await Eventually.HoldsAsync(async () => (await fixture.AgentViewAsync("cb-at-agent")).Str("activity") == "Available", "the agent is free");

        // One that never was is a 404; one that ended otherwise a 409.
        (await fixture.Http.DeleteJsonAsync("/api/callbacks/nobody")).AssertProblem(HttpStatusCode.NotFound, null!);
        var caller = await fixture.CallInAsync("cb-at");
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "offered", "offered");
        Twilio.HangUp(caller.CallSid);
        await fixture.CallEventuallyAsync(caller.CallSid, c => c.Str("status") == "abandoned", "abandoned");
        (await fixture.Http.DeleteJsonAsync($"/api/callbacks/{caller.CallSid}")).AssertProblem(HttpStatusCode.NotFound, null!);
    }

    [Fact]
    public async Task BadCallbacksAndQueueSettingsAreRefusedNamingTheField()
    {
        await CallbackCenterAsync("cb-bad");
        (await fixture.Http.PostJsonAsync("/api/callbacks", new { to = "090-1234-5678", workflow = "cb-bad" })).AssertProblem(HttpStatusCode.BadRequest, "to");
        (await fixture.Http.PostJsonAsync("/api/callbacks", new { workflow = "cb-bad" })).AssertProblem(HttpStatusCode.BadRequest, "to");
        (await fixture.Http.PostJsonAsync("/api/callbacks", new { to = "+819011110051", workflow = "cb-bad", caller_id = "me" })).AssertProblem(HttpStatusCode.BadRequest, "caller_id");
        (await fixture.Http.PostJsonAsync("/api/callbacks", new { to = "+819011110051", workflow = "cb-bad", at = fixture.App.Time.GetUtcNow().AddDays(31) })).AssertProblem(HttpStatusCode.BadRequest, "at");
        (await fixture.Http.PostJsonAsync("/api/callbacks", new { to = "+819011110051", workflow = "cb-bad", priority = -1 })).AssertProblem(HttpStatusCode.BadRequest, "priority");
        (await fixture.Http.PostJsonAsync("/api/callbacks", new { to = "+819011110051", workflow = "no-such-workflow" })).AssertProblem(HttpStatusCode.NotFound, "workflow");
        (await fixture.Http.PostJsonAsync("/api/callbacks", new { to = "+819011110051", workflow = "cb-bad", attributes = "[]" })).AssertProblem(HttpStatusCode.BadRequest, "attributes");
        var made = (await fixture.Http.PostJsonAsync("/api/callbacks", new { id = "cb-bad-1", to = "+819011110051", workflow = "cb-bad" })).AssertOk(HttpStatusCode.Created);
        Assert.Equal("cb-bad-1", made.Str("id"));
        (await fixture.Http.PostJsonAsync("/api/callbacks", new { id = "cb-bad-1", to = "+819011110051", workflow = "cb-bad" })).AssertProblem(HttpStatusCode.Conflict, "id");

        foreach (var (field, value) in new (string, int)[] { ("callback_attempts", 0), ("callback_attempts", 11), ("callback_retry_seconds", 29), ("callback_after_seconds", -1), ("callback_when_wait_exceeds_seconds", 86401) })
        {
            var queue = new JsonObject { ["target_workers"] = "1 == 1", [field] = value };
            (await fixture.Http.PutJsonAsync("/api/queues/cb-bad", queue)).AssertProblem(HttpStatusCode.BadRequest, field);
        }
        var kept = (await fixture.Http.GetJsonAsync("/api/queues/cb-bad")).AssertOk();
        Assert.Equal(0, kept["callback_after_seconds"]!.GetValue<int>());
        Assert.Equal((3, 300), (kept["callback_attempts"]!.GetValue<int>(), kept["callback_retry_seconds"]!.GetValue<int>()));

        // A queue without callbacks: no * for its callers.
        (await fixture.Http.PutJsonAsync("/api/queues/cb-bad", new { target_workers = "team == 'cb-bad'" })).AssertOk();
        var caller = await fixture.CallInAsync("cb-bad");
        Assert.Null((string?)caller.Twiml.Descendants("Dial").Single().Attribute("hangupOnStar"));
        var wait = await Twilio.FetchWaitAsync(caller.ConferenceName!);
        Assert.DoesNotContain(wait.Descendants("Say"), s => s.Value.Contains("アスタリスク", StringComparison.Ordinal));
    }
}

/// <summary>Numbers keyed in the callback menu, and how the menu reads them back.</summary>
public sealed class CallbackNumberTests
{
    [Theory]
    [InlineData("09012345678", "+819012345678")]
    [InlineData("0312345678", "+81312345678")]
    [InlineData("010442071234567", "+442071234567")]
    [InlineData("00442071234567", "+442071234567")]
    [InlineData("9012345678", null)]
    [InlineData("12", null)]
    [InlineData("0012", null)]
    [InlineData("090123456789", null)]
    [InlineData("", null)]
    [InlineData("090*1234", null)]
    public void KeyedDigitsBecomeE164OrNothing(string digits, string? number) =>
        Assert.Equal(number, global::Acd.Api.Twilio.CallbackNumbers.FromKeyed(digits, "81"));

    [Fact]
    public void AJapaneseNumberIsReadBackInItsNationalFormDigitByDigit()
    {
        Assert.Equal("0 9 0 1 2 3 4 5 6 7 8", global::Acd.Api.Twilio.CallbackNumbers.Spoken("+819012345678"));
        Assert.Equal("4 4 2 0", global::Acd.Api.Twilio.CallbackNumbers.Spoken("+4420"));
    }
}
