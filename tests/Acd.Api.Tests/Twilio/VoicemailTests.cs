using System.Net;
using System.Text.Json.Nodes;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Twilio;

/// <summary>
/// Voicemail through the fake Twilio: a caller turned away (closed, full) or choosing 3 in the menu records a message
/// (&lt;Record&gt;); the recording becomes a call of its own in the queue, whose agent is rung first, hears who left it and
/// the recording, and presses 1 to call the customer back or 2 to mark it handled.
/// </summary>
public sealed class VoicemailTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    private async Task VoicemailCenterAsync(string name, object settings, params string[] agents) => await VoicemailCenterAsync(name, settings, 20, agents);

    private async Task VoicemailCenterAsync(string name, object settings, int ringSeconds, params string[] agents)
    {
        var queue = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(settings))!.AsObject();
        queue["target_workers"] = $"team == '{name}'";
        queue["wrap_up_seconds"] = 15;
        queue["friendly_name"] = "サポート";
        (await fixture.Http.PutJsonAsync($"/api/queues/{name}", queue)).AssertOk();
        (await fixture.Http.PutJsonAsync($"/api/workflows/{name}", new { task_reservation_timeout = ringSeconds, configuration = new { task_routing = new { default_filter = new { queue = name } } } })).AssertOk();
        foreach (var agent in agents)
        {
            await fixture.AgentAsync(name, agent, activity: "Offline");
        }
    }

    private async Task AtGatherAsync(string callSid, string heard) =>
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(callSid) is { Gathering: not null } leg && leg.Said.Any(s => s.Contains(heard, StringComparison.Ordinal))), $"{callSid} hears '{heard}' and is asked for a key");

    private async Task<JsonNode> StatsAsync(string queue, Func<JsonNode, bool> condition, string because)
    {
        JsonNode stats = null!;
        await Eventually.HoldsAsync(async () => condition(stats = (await fixture.Http.GetJsonAsync($"/api/queues/{queue}/statistics")).AssertOk()["cumulative"]!), because);
        return stats;
    }

    [Fact]
    public async Task ACallerTurnedAwayByAClosedQueueLeavesAVoicemailThatAnAgentHearsAndCallsBack()
    {
        await VoicemailCenterAsync("vm", new { closed = true, closed_message = "本日の受付は終了しました。", voicemail_when = new[] { "closed" }, voicemail_max_length = 60 }, "vm-agent");
        await using var events = await EventStream.OpenAsync(fixture.Http, "/api/supervisor/events");

        // Turned away: told why, then asked to leave a message, recorded by Twilio (up to a minute, ended by #).
        var caller = await fixture.CallInAsync("vm", from: "+819033330001");
        var record = caller.Twiml.Descendants("Record").Single();
        Assert.Equal(("60", "#", "true"), ((string?)record.Attribute("maxLength"), (string?)record.Attribute("finishOnKey"), (string?)record.Attribute("playBeep")));
        Assert.Equal($"{TwilioFixture.PublicBaseUrl}/twilio/voice/voicemail?callId={caller.CallSid}", (string?)record.Attribute("action"));
        Assert.Equal($"{TwilioFixture.PublicBaseUrl}/twilio/voice/recording?callId={caller.CallSid}", (string?)record.Attribute("recordingStatusCallback"));
        Assert.Contains(caller.Said, s => s.Contains("本日の受付は終了しました", StringComparison.Ordinal));
        Assert.Contains(caller.Said, s => s.Contains("発信音のあとに", StringComparison.Ordinal));
        Assert.True(Twilio.IsRecording(caller.CallSid));
        var turnedAway = await fixture.CallAsync(caller.CallSid);
        Assert.Equal(("canceled", "queue-closed", "vm"), (turnedAway.Str("status"), turnedAway.Str("end_reason"), turnedAway["voicemail"]!.Str("queue_id")));

        // The caller speaks for 20 seconds and presses #: thanked, and the call ends.
        var recording = await Twilio.SpeakAsync(caller.CallSid, 20);
        Assert.NotNull(recording);
        Assert.Equal("completed", Twilio.Leg(caller.CallSid)!.Status);
        Assert.Contains(Twilio.Leg(caller.CallSid)!.Said, s => s.Contains("メッセージをお預かりしました", StringComparison.Ordinal));

        // The recording is a call of its own, named by its RecordingSid, waiting in the queue with the caller's number.
        var voicemail = await fixture.CallEventuallyAsync(recording.Sid, c => c.Str("status") == "queued", "the voicemail waits in its queue");
        Assert.Equal(("voicemail", "vm", "+819033330001", "voicemail"), (voicemail.Str("direction"), voicemail.Str("queue_id"), voicemail["callback"]!.Str("number"), voicemail["callback"]!.Str("source")));
        Assert.Equal((recording.Url, 20, caller.CallSid), (voicemail["voicemail"]!.Str("recording_url"), voicemail["voicemail"]!["duration_seconds"]!.GetValue<int>(), voicemail["voicemail"]!.Str("from_call_id")));
        await fixture.CallEventuallyAsync(caller.CallSid, c => c["voicemail"]!.Str("voicemail_call_id") == recording.Sid, "the caller's call names its voicemail");
        var left = await events.WaitForAsync("voicemail.left", e => e.Data!.Str("call_id") == recording.Sid);
        Assert.Equal(recording.Sid, left.Data!["data"]!["details"]!.Str("recording_sid"));

        // The queue opens and an agent is free: their leg is rung first, a call of its own into Acd's TwiML.
        (await fixture.Http.PutJsonAsync("/api/queues/vm", new { target_workers = "team == 'vm'", friendly_name = "サポート", wrap_up_seconds = 15, voicemail_when = new[] { "closed" }, voicemail_max_length = 60 })).AssertOk();
        await fixture.AgentAsync("vm", "vm-agent", "Available");
        var agentLeg = await fixture.RungAsync("client:vm-agent");
        Assert.DoesNotContain(Twilio.Requests, r => r["To"] == "+819033330001");
        Twilio.Answer(agentLeg.Sid);
        await AtGatherAsync(agentLeg.Sid, "お客様に折り返しお電話する場合は1を");
        Assert.Contains(Twilio.Leg(agentLeg.Sid)!.Said, s => s.Contains("サポートの留守番電話のメッセージです。お客様の番号は 0 9 0 3 3 3 3 0 0 0 1 です", StringComparison.Ordinal));
        Assert.Equal([recording.Url], Twilio.Leg(agentLeg.Sid)!.Played);

        // 1: the customer is dialled into the agent's conference, as a callback.
        await Twilio.PressAsync(agentLeg.Sid, "1");
        var customer = await fixture.RungAsync("+819033330001");
        var conference = Twilio.Conferences.Single(c => c.Joined.Contains(agentLeg.Sid));
        Twilio.Answer(customer.Sid);
        var connected = await fixture.CallEventuallyAsync(recording.Sid, c => c.Str("status") == "connected" && c["callback"]!["connected_at"] is not null, "the agent talks to the customer who left the message");
        Assert.Equal(("vm-agent", "called-back"), (connected.Str("agent_id"), connected["voicemail"]!.Str("handled_how")));
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Joined.Count == 2), "agent and customer in one conference");
        await events.WaitForAsync("voicemail.handled", e => e.Data!.Str("call_id") == recording.Sid);

        Twilio.HangUp(customer.Sid);
        await fixture.CallEventuallyAsync(recording.Sid, c => c.Str("status") is "wrap_up" or "completed", "it ends like any call");
        var stats = await StatsAsync("vm", s => s["voicemails_handled"]!.GetValue<int>() == 1, "the statistics count the voicemail");
        Assert.Equal((1, 0), (stats["voicemails_left"]!.GetValue<int>(), stats["tasks_abandoned"]!.GetValue<int>()));
        Assert.Empty(Twilio.Violations);
    }

    [Fact]
    public async Task AWaitingCallerPressesStarThenThreeAndTheAgentMarksTheMessageHandled()
    {
        await VoicemailCenterAsync("vm-menu", new { voicemail_when = new[] { "menu" } }, 5, "vm-menu-agent");
        var caller = await fixture.CallInAsync("vm-menu", from: "+819033330011");
        // No callbacks here, but a voicemail in the menu: the caller may step out with *.
        Assert.Equal("true", (string?)caller.Twiml.Descendants("Dial").Single().Attribute("hangupOnStar"));
        var wait = await Twilio.FetchWaitAsync(caller.ConferenceName!);
        Assert.Contains(wait.Descendants("Say"), s => s.Value.Contains("メッセージを残してお電話を切る場合は", StringComparison.Ordinal));

        await Twilio.PressAsync(caller.CallSid, "*");
        await AtGatherAsync(caller.CallSid, "メッセージを残す場合は3を");
        Assert.DoesNotContain(Twilio.Leg(caller.CallSid)!.Said, s => s.Contains("折り返し", StringComparison.Ordinal));
        await Twilio.PressAsync(caller.CallSid, "3");
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.IsRecording(caller.CallSid)), "the caller is recording");
        var ended = await fixture.CallAsync(caller.CallSid);
        Assert.Equal(("canceled", "voicemail"), (ended.Str("status"), ended.Str("end_reason")));

        // They hang up when done: Twilio asks the action anyway, and calls the recording callback; one voicemail either way.
        var recording = await Twilio.SpeakAsync(caller.CallSid, 12, hangUp: true);
        var voicemail = await fixture.CallEventuallyAsync(recording!.Sid, c => c.Str("status") == "queued", "the voicemail waits in its queue");
        Assert.Equal(12, voicemail["voicemail"]!["duration_seconds"]!.GetValue<int>());
        var again = await Twilio.PostAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/recording?callId={caller.CallSid}", RecordingForm(recording, "completed", caller.CallSid));
        Assert.Equal(200, again.Status);

        await fixture.AgentAsync("vm-menu", "vm-menu-agent", "Available");
        var agentLeg = await fixture.RungAsync("client:vm-menu-agent");
        Twilio.Answer(agentLeg.Sid);
        await AtGatherAsync(agentLeg.Sid, "対応済みにする場合は2を");
        // Listening takes longer than the offer rings (5 s): the agent is not taken for one who missed it.
        fixture.App.Time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal("offered", (await fixture.CallAsync(recording.Sid)).Str("status"));
        Assert.Equal("in-progress", Twilio.Leg(agentLeg.Sid)!.Status);
        await Twilio.PressAsync(agentLeg.Sid, "2");
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(agentLeg.Sid)!.Status == "completed"), "the agent is told and hung up");
        Assert.Contains(Twilio.Leg(agentLeg.Sid)!.Said, s => s.Contains("対応済みにしました", StringComparison.Ordinal));
        var handled = await fixture.CallEventuallyAsync(recording.Sid, c => c.Str("status") is "wrap_up" or "completed", "the voicemail is handled, wrapped up like any call");
        Assert.Equal(("voicemail-handled", "listened", "vm-menu-agent"), (handled.Str("end_reason"), handled["voicemail"]!.Str("handled_how"), handled.Str("agent_id")));
        Assert.DoesNotContain(Twilio.Requests, r => r["To"] == "+819033330011");

        var stats = await StatsAsync("vm-menu", s => s["voicemails_handled"]!.GetValue<int>() == 1, "the statistics count it");
        Assert.Equal((1, 0), (stats["voicemails_left"]!.GetValue<int>(), stats["tasks_abandoned"]!.GetValue<int>()));
        Assert.Empty(Twilio.Violations);
    }

    [Fact]
    public async Task AWaitingCallerGivenUpOnHearsWhyAndLeavesAVoicemailForTheQueueThatTurnedThemAway()
    {
        // The caller waits in "vm-wait" for a minute at most; then the workflow tries "vm-after", which is closed and takes
        // messages when closed. Nobody is at work.
        (await fixture.Http.PutJsonAsync("/api/queues/vm-wait", new { friendly_name = "サポート", target_workers = "team == 'vm-wait'", max_wait_seconds = 60 })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/queues/vm-after", new { friendly_name = "夜間", target_workers = "team == 'vm-wait'", closed = true, closed_message = "夜間窓口は受付を終了しました。", voicemail_when = new[] { "closed" }, voicemail_max_length = 45 })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/workflows/vm-wait", new { configuration = new { task_routing = new { filters = new[] { new { expression = "1 == 1", targets = new[] { new { queue = "vm-wait" }, new { queue = "vm-after" } } } } } } })).AssertOk();
        var caller = await fixture.CallInAsync("vm-wait", from: "+819033330031");
        Assert.NotNull(caller.ConferenceName);
        // Every caller's <Dial> asks Acd what follows once their conference is over; only * needs the callback menu.
        var dial = caller.Twiml.Descendants("Dial").Single();
        Assert.Equal(($"{TwilioFixture.PublicBaseUrl}/twilio/voice/wait-exit?callId={caller.CallSid}", null), ((string?)dial.Attribute("action"), (string?)dial.Attribute("hangupOnStar")));

        // The minute passes: "vm-after" refuses them (closed), so the call gives up and ends the conference; the caller hears
        // why, then the tone, and records up to 45 s.
        fixture.App.Time.Advance(TimeSpan.FromSeconds(61));
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.IsRecording(caller.CallSid)), "the caller given up on is recording");
        var leg = Twilio.Leg(caller.CallSid)!;
        Assert.Contains(leg.Said, s => s.Contains("夜間窓口は受付を終了しました", StringComparison.Ordinal));
        Assert.Contains(leg.Said, s => s.Contains("発信音のあとに", StringComparison.Ordinal));
        Assert.Equal("45", (string?)leg.Recording!.Value.Verb.Attribute("maxLength"));
        var ended = await fixture.CallAsync(caller.CallSid);
        Assert.Equal(("canceled", "queue-closed", "vm-after"), (ended.Str("status"), ended.Str("end_reason"), ended["voicemail"]!.Str("queue_id")));
        Assert.Equal("completed", Twilio.ConferenceNamed(caller.ConferenceName!)!.Status);

        // Longer than the teardown's first check (15 s): nothing hangs up on a caller who is still speaking.
        fixture.App.Time.Advance(TimeSpan.FromSeconds(20));
        await Twilio.IdleAsync();
        Assert.True(Twilio.IsRecording(caller.CallSid), "the caller is still recording");
        var recording = await Twilio.SpeakAsync(caller.CallSid, 30);
        Assert.Contains(Twilio.Leg(caller.CallSid)!.Said, s => s.Contains("メッセージをお預かりしました", StringComparison.Ordinal));
        var voicemail = await fixture.CallEventuallyAsync(recording!.Sid, c => c.Str("status") == "queued", "the voicemail waits in the queue that turned the caller away");
        Assert.Equal(("vm-after", "+819033330031", caller.CallSid), (voicemail.Str("queue_id"), voicemail["callback"]!.Str("number"), voicemail["voicemail"]!.Str("from_call_id")));
        Assert.Empty(Twilio.Violations);
    }

    [Fact]
    public async Task AWaitingCallerGivenUpOnWhereNoMessagesAreTakenHearsWhyBeforeTheCallEnds()
    {
        (await fixture.Http.PutJsonAsync("/api/queues/vm-none", new { friendly_name = "サポート", target_workers = "team == 'vm-none'", max_wait_seconds = 30, overflow_message = "ただいま大変混み合っております。後ほどおかけ直しください。" })).AssertOk();
        (await fixture.Http.PutJsonAsync("/api/workflows/vm-none", new { configuration = new { task_routing = new { default_filter = new { queue = "vm-none" } } } })).AssertOk();
        var caller = await fixture.CallInAsync("vm-none", from: "+819033330041");
        Assert.NotNull(caller.ConferenceName);

        fixture.App.Time.Advance(TimeSpan.FromSeconds(31));
        await Eventually.HoldsAsync(() => Task.FromResult(Twilio.Leg(caller.CallSid)!.Status == "completed"), "the caller's call ends");
        Assert.Contains(Twilio.Leg(caller.CallSid)!.Said, s => s.Contains("ただいま大変混み合っております", StringComparison.Ordinal));
        Assert.False(Twilio.IsRecording(caller.CallSid));
        var ended = await fixture.CallAsync(caller.CallSid);
        Assert.Equal(("canceled", "max-wait"), (ended.Str("status"), ended.Str("end_reason")));
        Assert.Equal("completed", Twilio.ConferenceNamed(caller.ConferenceName!)!.Status);
        Assert.Empty(Twilio.Violations);
    }

    [Fact]
    public async Task SilenceLeavesNoVoicemailAndBadInputChangesNothing()
    {
        await VoicemailCenterAsync("vm-full", new { max_length = 1, voicemail_when = new[] { "full" } });
        var first = await fixture.CallInAsync("vm-full", from: "+819033330021");
        Assert.NotNull(first.ConferenceName);
        var second = await fixture.CallInAsync("vm-full", from: "+819033330022");
        Assert.Single(second.Twiml.Descendants("Record"));

        // Nothing said: Twilio asks no action, and the words after the <Record> end the call.
        Assert.Null(await Twilio.SpeakAsync(second.CallSid, 0));
        Assert.Equal("completed", Twilio.Leg(second.CallSid)!.Status);
        Assert.Contains(Twilio.Leg(second.CallSid)!.Said, s => s.Contains("メッセージは録音されませんでした", StringComparison.Ordinal));
        var turnedAway = await fixture.CallAsync(second.CallSid);
        Assert.Null(turnedAway["voicemail"]!["voicemail_call_id"]);

        // Recording callbacks Acd cannot use: refused, naming the field; for a call offered no voicemail, 404.
        var url = $"{TwilioFixture.PublicBaseUrl}/twilio/voice/recording?callId={second.CallSid}";
        var fake = new FakeRecording("RE" + new string('a', 32), $"https://api.twilio.com/2010-04-01/Accounts/{Twilio.AccountSid}/Recordings/RE{new string('a', 32)}", 5, second.CallSid);
        var noSid = RecordingForm(fake, "completed", second.CallSid).Where(p => p.Key != "RecordingSid").ToList();
        var (status, body) = await Twilio.PostAsync(url, noSid);
        Assert.Equal((400, true), (status, body.Contains("RecordingSid", StringComparison.Ordinal)));
        (status, body) = await Twilio.PostAsync(url, RecordingForm(fake, "done", second.CallSid));
        Assert.Equal((400, true), (status, body.Contains("RecordingStatus", StringComparison.Ordinal)));
        (status, _) = await Twilio.PostAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/recording?callId={first.CallSid}", RecordingForm(fake, "completed", first.CallSid));
        Assert.Equal(404, status);
        (status, _) = await Twilio.PostAsync(url, RecordingForm(fake, "completed", first.CallSid));
        Assert.Equal(400, status); // another call's recording
        (status, _) = await Twilio.PostAsync(url, RecordingForm(fake, "completed", second.CallSid), signature: "bad");
        Assert.Equal(403, status);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Http.GetJsonAsync($"/api/calls/{fake.Sid}")).Status);

        // Queue settings out of bounds: 400 naming the field.
        (await fixture.Http.PutJsonAsync("/api/queues/vm-bad", new { voicemail_when = new[] { "always" } })).AssertProblem(HttpStatusCode.BadRequest, "voicemail_when");
        (await fixture.Http.PutJsonAsync("/api/queues/vm-bad", new { voicemail_when = new[] { "full" }, voicemail_max_length = 3 })).AssertProblem(HttpStatusCode.BadRequest, "voicemail_max_length");
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Http.GetJsonAsync("/api/queues/vm-bad")).Status);
    }

    private List<KeyValuePair<string, string>> RecordingForm(FakeRecording recording, string status, string callSid) =>
    [
        new("AccountSid", Twilio.AccountSid), new("CallSid", callSid), new("RecordingSid", recording.Sid), new("RecordingUrl", recording.Url),
        new("RecordingStatus", status), new("RecordingDuration", recording.DurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RecordingChannels", "1"), new("RecordingSource", "RecordVerb"),
    ];
}
