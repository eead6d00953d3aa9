using System.Text.Json.Nodes;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Durability;

/// <summary>kill -9 of the only node, then a start on the same database: nothing a caller or an agent had is lost.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RestartTests
{
    [Fact]
    public async Task AKilledNodeComesBackWithEveryCallWhereItWas()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        await using var cluster = await AcdCluster.StartAsync(db.ConnectionString);
        var twilio = cluster.Twilio;
        var node = await cluster.StartNodeAsync();
        var http = node.Http;
        (await http.PutJsonAsync("/api/queues/desk", new { target_workers = "team == 'desk'", wrap_up_seconds = 5 })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/desk", new { task_reservation_timeout = 20, configuration = new { task_routing = new { default_filter = new { queue = "desk" } } } })).AssertOk();
        foreach (var agent in new[] { "a1", "a2", "a3", "a4" })
        {
            (await http.PutJsonAsync($"/api/agents/{agent}", new { activity = "Offline", attributes = new { team = "desk", contact_uri = $"client:{agent}" } })).AssertOk();
        }
        twilio.OnDial("client:a1", LegBehavior.Answer);

        // Connected: a1 answers c1 at once.
        (await http.PutJsonAsync("/api/agents/a1/activity", new { activity = "Available" })).AssertOk();
        var c1 = await CallInAsync(twilio, "+819000000001");
        await http.CallStatusAsync(c1, "connected", c => c["conference_sid"] is not null);
        // Ringing: c2 rings a2, c5 rings a3; neither answers before the crash.
        (await http.PutJsonAsync("/api/agents/a2/activity", new { activity = "Available" })).AssertOk();
        var c2 = await CallInAsync(twilio, "+819000000002");
        var a2Leg = (await twilio.RungAsync("client:a2")).Sid;
        (await http.PutJsonAsync("/api/agents/a3/activity", new { activity = "Available" })).AssertOk();
        var c5 = await CallInAsync(twilio, "+819000000005");
        var a3Leg = (await twilio.RungAsync("client:a3")).Sid;
        await http.CallStatusAsync(c5, "offered", c => c["legs"]!.AsArray().Any(l => l!.Str("call_sid") == a3Leg));
        await http.CallStatusAsync(c2, "offered", c => c["legs"]!.AsArray().Any(l => l!.Str("call_sid") == a2Leg));
        // Rung, but the crash takes the answer to the request with it: Twilio makes a4's leg for c6, and Acd never
        // learns its CallSid (the response is held back, the callbacks about it go nowhere).
        (await http.PutJsonAsync("/api/agents/a4/activity", new { activity = "Available" })).AssertOk();
        twilio.HoldCallbacks = true;
        twilio.StallParticipantResponses = true;
        var c6 = await CallInAsync(twilio, "+819000000006");
        var a4Leg = (await twilio.RungAsync("client:a4")).Sid;
        await http.CallStatusAsync(c6, "offered", c => c["legs"]!.AsArray().Any(l => l!.Str("agent_id") == "a4" && l!["call_sid"] is null));
        // Waiting: nobody is free for c3 and c4.
        var c3 = await CallInAsync(twilio, "+819000000003");
        var c4 = await CallInAsync(twilio, "+819000000004");
        var before = (await http.GetJsonAsync("/api/queues/desk/stats")).AssertOk();
        Assert.Equal([c3, c4], Ids(before["waiting_call_ids"]));
        var created = new Dictionary<string, string>();
        foreach (var id in new[] { c3, c4, c5 })
        {
            created[id] = (await http.GetJsonAsync($"/api/calls/{id}")).AssertOk().Str("created_at");
        }

        node.Kill();
        await twilio.ReleaseHeldAsync();
        twilio.ReleaseStalled();
        // While Acd is down, a2 and a4 answer: Twilio's callbacks about it fail and are not sent again.
        twilio.Answer(a2Leg);
        twilio.Answer(a4Leg);
        await twilio.IdleAsync();
        Assert.Contains(twilio.Callbacks, c => c["CallSid"] == a2Leg && c.Status == 0);

        var restarted = await cluster.StartNodeAsync(node.Ports);
        http = restarted.Http;

        // The live call list was memory only, and empty after a crash: it is rebuilt from the calls not yet settled.
        var everyCall = new[] { c1, c2, c3, c4, c5, c6 };
        await Eventually.HoldsAsync(async () =>
            (await http.GetJsonAsync("/api/calls?active=true")).Body?.AsArray().Select(c => c!.Str("id")).ToHashSet() is { } live && everyCall.All(live.Contains),
            "every call of before the crash is in the live call list", timeoutMs: 20000);

        // The answer given while Acd was down is found by asking Twilio: c2 is connected to a2.
        await http.CallStatusAsync(c2, "connected", c => c.Str("agent_id") == "a2", timeoutMs: 20000);
        // c6's leg, which Acd had no CallSid for, is found in its conference by label: c6 is connected to a4.
        await http.CallStatusAsync(c6, "connected", c => c.Str("agent_id") == "a4" && c["legs"]!.AsArray().Any(l => l!.Str("call_sid") == a4Leg), timeoutMs: 20000);
        Assert.Contains(twilio.Requests, r => r.Method == "GET" && r.Path.Contains("/Participants/agent-a4-", StringComparison.Ordinal));
        // The unanswered offer to a3 still runs from its stored deadline: it times out, a3's phone stops ringing
        // and c5 goes back to the head of the queue with its original age.
        await http.CallStatusAsync(c5, "queued", timeoutMs: 30000);
        // (Hung up by Acd, or rung out at Twilio: the leg was asked for with the same ring time.)
        await Eventually.HoldsAsync(() => Task.FromResult(twilio.Leg(a3Leg)!.Status is "canceled" or "no-answer"), "a3's ringing phone is stopped");
        // The call reads "queued" as soon as it decides so (its reads interleave); its place in the queue follows.
        JsonNode after = null!;
        await Eventually.HoldsAsync(async () => Ids((after = (await http.GetJsonAsync("/api/queues/desk/stats")).AssertOk())["waiting_call_ids"]).Count == 3, "c5 waits again");
        Assert.Equal([c5, c3, c4], Ids(after["waiting_call_ids"]));
        foreach (var (id, at) in created)
        {
            Assert.Equal(at, (await http.GetJsonAsync($"/api/calls/{id}")).AssertOk().Str("created_at"));
        }
        var oldest = DateTimeOffset.Parse(created[c5], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(after["longest_task_waiting_age"]!.GetValue<double>() >= (DateTimeOffset.UtcNow - oldest).TotalSeconds - 2, "waiting ages continue from before the crash");

        // The event log (acd_event) kept what happened before the crash, and goes on after it.
        var story = (await http.GetJsonAsync($"/api/events?callId={c1}&limit=1000")).AssertOk()["events"]!.AsArray().Select(e => e!.Str("type")).ToList();
        Assert.Contains("task.created", story);
        Assert.Contains("reservation.accepted", story);
        var c2Story = (await http.GetJsonAsync($"/api/events?callId={c2}&type=reservation.accepted")).AssertOk()["events"]!.AsArray();
        Assert.Equal("a2", Assert.Single(c2Story)!.Str("agent_id"));

        // The call connected before the crash is still under its agent's control: hold, then hang up.
        using var a1 = await restarted.ClientAsAsync("agent", "a1");
        (await a1.PostJsonAsync($"/api/calls/{c1}/hold")).AssertOk();
        var conference = twilio.Conferences.Single(c => c.Participants.ContainsKey(c1));
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Participants[c1].Hold), "the caller of c1 is on hold in the conference");
        (await a1.PostJsonAsync($"/api/calls/{c1}/hangup")).AssertOk();
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Status == "completed"), "c1's conference is ended");
        await http.CallStatusAsync(c1, "wrap_up");
    }

    private static async Task<string> CallInAsync(FakeTwilio twilio, string from)
    {
        var session = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=desk", from, TwilioFixture.Number);
        Assert.Equal(200, session.Status);
        return session.CallSid;
    }

    private static List<string> Ids(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];
}
