using System.Globalization;
using System.Text.Json.Nodes;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Statistics;

/// <summary>
/// A scripted stretch of a day on a fake clock, through Twilio's webhooks and the agents' API, and the figures Acd
/// reports compared with the same figures worked out by hand from the script.
/// </summary>
public sealed class ScriptedDayTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    private void Advance(double seconds) => fixture.App.Time.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>
    /// The call is in wrap-up and so is its agent, whose wrap-up time is the clock's to run out: the call enters it first
    /// and then tells the agent, so advancing the clock in between would start the agent's wrap-up after the advance.
    /// </summary>
    private async Task WrappingUpAsync(string callId, string agent)
    {
        await fixture.Http.CallStatusAsync(callId, "wrap_up");
        await Eventually.HoldsAsync(async () => (await fixture.AgentViewAsync(agent)).Str("activity") == "WrapUp", $"{agent} is wrapping up");
    }

    [Fact]
    public async Task TheFiguresAreExactlyWhatTheScriptAddsUpTo()
    {
        var http = fixture.Http;
        await fixture.CenterAsync("day", reservationTimeout: 30, wrapUpSeconds: 30);
        await fixture.AgentAsync("day", "ann", activity: "Offline");
        await fixture.AgentAsync("day", "bob", activity: "Offline");
        var ann = fixture.App.ClientAs(Roles.Agent, "ann");
        var bob = fixture.App.ClientAs(Roles.Agent, "bob");
        Advance(60);
        var t0 = fixture.App.Time.GetUtcNow();

        // c1 (t0): rings ann 8 s, talk 60 s with 15 s on hold, ann hangs up, wraps up 10 s and ends wrap-up herself.
        (await ann.PutJsonAsync("/api/agents/ann/activity", new { activity = "Available" })).AssertOk();
        var c1 = await fixture.CallInAsync("day");
        var leg1 = await fixture.RingingAsync(c1.CallSid, "client:ann");
        Advance(8);
        Twilio.Answer(leg1.Sid);
        await fixture.Http.CallStatusAsync(c1.CallSid, "connected", c => c["conference_sid"] is not null);
        Advance(20);
        (await ann.PostJsonAsync($"/api/calls/{c1.CallSid}/hold")).AssertOk();
        Advance(15);
        (await ann.PostJsonAsync($"/api/calls/{c1.CallSid}/resume")).AssertOk();
        Advance(25);
        (await ann.PostJsonAsync($"/api/calls/{c1.CallSid}/hangup")).AssertOk();
        await fixture.Http.CallStatusAsync(c1.CallSid, "wrap_up");
        Advance(10);
        (await ann.PostJsonAsync($"/api/calls/{c1.CallSid}/complete")).AssertOk();
        await fixture.Http.CallStatusAsync(c1.CallSid, "completed");

        // c2 (t0+80): rings ann 25 s (misses the 20 s service level), talk 40 s, the caller hangs up, wrap-up runs its 30 s.
        Advance(2);
        var c2 = await fixture.CallInAsync("day");
        var leg2 = await fixture.RingingAsync(c2.CallSid, "client:ann", leg1.Sid);
        Advance(25);
        Twilio.Answer(leg2.Sid);
        await fixture.Http.CallStatusAsync(c2.CallSid, "connected");
        Advance(40);
        Twilio.HangUp(c2.CallSid);
        await WrappingUpAsync(c2.CallSid, "ann");
        Advance(30);
        await fixture.Http.CallStatusAsync(c2.CallSid, "completed");

        // t0+180: ann takes a break. c3 hangs up after 3 s (a short abandon), c4 (t0+190) after 50 s.
        Advance(5);
        (await ann.PutJsonAsync("/api/agents/ann/activity", new { activity = "Break" })).AssertOk();
        var c3 = await fixture.CallInAsync("day");
        Advance(3);
        Twilio.HangUp(c3.CallSid);
        await fixture.Http.CallStatusAsync(c3.CallSid, "abandoned");
        Advance(7);
        var c4 = await fixture.CallInAsync("day");
        Advance(50);
        Twilio.HangUp(c4.CallSid);
        await fixture.Http.CallStatusAsync(c4.CallSid, "abandoned");

        // t0+250: ann is back; c5 rings her 30 s unanswered (missed: she is moved to Break), then bob comes in at
        // t0+290 and answers after 2 s; talk 20 s, bob hangs up, wrap-up runs its 30 s.
        Advance(10);
        (await ann.PutJsonAsync("/api/agents/ann/activity", new { activity = "Available" })).AssertOk();
        var c5 = await fixture.CallInAsync("day");
        await fixture.RingingAsync(c5.CallSid, "client:ann", leg2.Sid);
        Advance(30);
        await fixture.Http.CallStatusAsync(c5.CallSid, "queued");
        Advance(10);
        (await bob.PutJsonAsync("/api/agents/bob/activity", new { activity = "Available" })).AssertOk();
        var leg5 = await fixture.RingingAsync(c5.CallSid, "client:bob");
        Advance(2);
        Twilio.Answer(leg5.Sid);
        await fixture.Http.CallStatusAsync(c5.CallSid, "connected");
        Advance(20);
        Twilio.HangUp(leg5.Sid);
        await WrappingUpAsync(c5.CallSid, "bob");
        Advance(30);
        await fixture.Http.CallStatusAsync(c5.CallSid, "completed");
        Advance(58);
        Assert.Equal(t0.AddSeconds(400), fixture.App.Time.GetUtcNow());

        var window = $"from={Uri.EscapeDataString(t0.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(t0.AddSeconds(400).ToString("O", CultureInfo.InvariantCulture))}";
        // A call's events reach the log just after its state is written, so the last completion may trail its status by
        // a moment: the figures are read once it is in.
        JsonNode queue = null!;
        await Eventually.HoldsAsync(async () =>
        {
            queue = (await http.GetJsonAsync($"/api/queues/day/statistics?{window}")).AssertOk()["cumulative"]!;
            return queue["tasks_completed"]!.GetValue<int>() == 3;
        }, "the third completion is in the statistics");
        // By hand: answered c1 (8 s), c2 (25 s), c5 (42 s); abandoned c3 (3 s, short) and c4 (50 s).
        Assert.Equal(5, queue["tasks_entered"]!.GetValue<int>());
        Assert.Equal(3, queue["tasks_answered"]!.GetValue<int>());
        Assert.Equal(2, queue["tasks_abandoned"]!.GetValue<int>());
        Assert.Equal(1, queue["tasks_abandoned_short"]!.GetValue<int>());
        Assert.Equal(1, queue["answered_within_service_level"]!.GetValue<int>());
        Assert.Equal(25.0, queue["service_level"]!.GetValue<double>());        // 1 ÷ (3 + 2 − 1)
        Assert.Equal(25.0, queue["average_speed_of_answer"]!.GetValue<double>()); // (8 + 25 + 42) ÷ 3
        Assert.Equal(25.6, queue["average_wait"]!.GetValue<double>());          // (8 + 25 + 42 + 3 + 50) ÷ 5
        Assert.Equal(50.0, queue["max_wait"]!.GetValue<double>());
        Assert.Equal(3, queue["tasks_completed"]!.GetValue<int>());
        Assert.Equal(63.333, queue["average_handle_time"]!.GetValue<double>()); // (60+10 + 40+30 + 20+30) ÷ 3
        Assert.Equal(40.0, queue["average_talk_time"]!.GetValue<double>());
        Assert.Equal(5.0, queue["average_hold_time"]!.GetValue<double>());
        Assert.Equal(23.333, queue["average_wrap_up_time"]!.GetValue<double>());
        Assert.Equal(4, queue["reservations_created"]!.GetValue<int>());
        Assert.Equal(1, queue["reservations_timed_out"]!.GetValue<int>());

        // A different service-level threshold changes only what it should: 25 s takes in c2 too.
        var loose = (await http.GetJsonAsync($"/api/queues/day/statistics?{window}&service_level_threshold=25&abandon_within=0")).AssertOk()["cumulative"]!;
        Assert.Equal(40.0, loose["service_level"]!.GetValue<double>());        // 2 ÷ (3 + 2 − 0)

        var annStats = (await http.GetJsonAsync($"/api/agents/ann/statistics?{window}")).AssertOk();
        Assert.Equal(2, annStats["calls_handled"]!.GetValue<int>());
        Assert.Equal(100.0, annStats["talk_seconds"]!.GetValue<double>());
        Assert.Equal(15.0, annStats["hold_seconds"]!.GetValue<double>());
        Assert.Equal(40.0, annStats["wrap_up_seconds"]!.GetValue<double>());
        Assert.Equal(1, annStats["missed_offers"]!.GetValue<int>());
        // Available 68 + 67 + 5 + 30 s, wrap-up 10 + 30 s: staffed 210 s, of which talk + wrap-up 140 s.
        Assert.Equal(210.0, annStats["staffed_seconds"]!.GetValue<double>());
        Assert.Equal(0.667, annStats["occupancy"]!.GetValue<double>());
        Assert.Equal(170.0, annStats["seconds_by_activity"]!["Available"]!.GetValue<double>());
        Assert.Equal(190.0, annStats["seconds_by_activity"]!["Break"]!.GetValue<double>());

        var bobStats = (await bob.GetJsonAsync($"/api/agents/bob/statistics?{window}")).AssertOk();
        Assert.Equal(1, bobStats["calls_handled"]!.GetValue<int>());
        Assert.Equal(110.0, bobStats["staffed_seconds"]!.GetValue<double>());  // Available 22 + 58, wrap-up 30
        Assert.Equal(0.455, bobStats["occupancy"]!.GetValue<double>());        // (20 + 30) ÷ 110
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await bob.GetJsonAsync($"/api/agents/ann/statistics?{window}")).Status);

        // Everything at once (the dashboard's read) agrees.
        var all = (await http.GetJsonAsync($"/api/statistics?{window}")).AssertOk();
        var dayQueue = all["queues"]!.AsArray().Single(q => q!.Str("queue_id") == "day")!;
        Assert.Equal(25.0, dayQueue["cumulative"]!["service_level"]!.GetValue<double>());
        Assert.Equal(0.667, all["agents"]!.AsArray().Single(a => a!.Str("agent_id") == "ann")!["occupancy"]!.GetValue<double>());

        // The event log tells c1's story in order.
        var story = (await http.GetJsonAsync($"/api/events?callId={c1.CallSid}&limit=1000")).AssertOk()["events"]!.AsArray().Select(e => e!.Str("type")).ToList();
        AssertInOrder(story, "task.created", "task-queue.entered", "reservation.created", "reservation.accepted", "call.hold", "call.unhold", "task.wrapup", "task.completed");
    }

    [Fact]
    public async Task TodaysRunningFiguresAreTheLogsAndAWindowIsAtMostAMonth()
    {
        var http = fixture.Http;
        await fixture.CenterAsync("ledger", wrapUpSeconds: 0);
        await fixture.AgentAsync("ledger", "lee");
        string? previous = null;
        for (var i = 0; i < 3; i++)
        {
            // Read between calls, as a dashboard does, so today's figures are folded in a bit at a time.
            (await http.GetJsonAsync("/api/statistics")).AssertOk();
            var call = await fixture.CallInAsync("ledger");
            var leg = await fixture.RingingAsync(call.CallSid, "client:lee", previous);
            previous = leg.Sid;
            Advance(4 + i);
            Twilio.Answer(leg.Sid);
            await fixture.Http.CallStatusAsync(call.CallSid, "connected");
            Advance(30);
            Twilio.HangUp(call.CallSid);
            await fixture.Http.CallStatusAsync(call.CallSid, "completed");
        }

        // Today (the running figures a dashboard reads) and the same window asked for explicitly (read from the log).
        var today = (await http.GetJsonAsync("/api/statistics")).AssertOk();
        var window = $"from={Uri.EscapeDataString(today.Str("from"))}&to={Uri.EscapeDataString(today.Str("to"))}";
        var logged = (await http.GetJsonAsync($"/api/statistics?{window}")).AssertOk();
        JsonNode? Ledger(JsonNode all) => all["queues"]!.AsArray().Single(q => q!.Str("queue_id") == "ledger")!["cumulative"];
        Assert.Equal(3, Ledger(today)!["tasks_answered"]!.GetValue<int>());
        Assert.Equal(Ledger(logged)!.ToJsonString(), Ledger(today)!.ToJsonString());
        JsonNode? Lee(JsonNode all) => all["agents"]!.AsArray().Single(a => a!.Str("agent_id") == "lee");
        Assert.Equal(Lee(logged)!.ToJsonString(), Lee(today)!.ToJsonString());
        Assert.Equal(Ledger(logged)!.ToJsonString(), (await http.GetJsonAsync("/api/queues/ledger/statistics")).AssertOk()["cumulative"]!.ToJsonString());

        // A window reads the log once per request: more than a month is refused.
        (await http.GetJsonAsync("/api/statistics?from=1970-01-01T00:00:00Z")).AssertProblem(System.Net.HttpStatusCode.BadRequest, "from");
        (await http.GetJsonAsync("/api/statistics?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:01Z")).AssertProblem(System.Net.HttpStatusCode.BadRequest, "from");
        (await http.GetJsonAsync("/api/statistics?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z")).AssertOk();
    }

    [Fact]
    public async Task TheEventLogPagesAndFiltersAndRefusesBadQueries()
    {
        await fixture.CenterAsync("log", agents: "log-a");
        var caller = await fixture.CallInAsync("log");
        await fixture.RungAsync("client:log-a");
        var http = fixture.Http;

        var first = (await http.GetJsonAsync($"/api/events?callId={caller.CallSid}&type=task.,reservation.&limit=1")).AssertOk();
        Assert.Equal("task.created", first["events"]![0]!.Str("type"));
        var seen = new List<string> { "task.created" };
        var next = first.Str("next");
        while (next is not null)
        {
            var page = (await http.GetJsonAsync(next)).AssertOk();
            seen.AddRange(page["events"]!.AsArray().Select(e => e!.Str("type")));
            next = page["next"]?.GetValue<string>();
        }
        Assert.Equal(["task.created", "reservation.created"], seen);

        (await http.GetJsonAsync("/api/events?from=yesterday")).AssertProblem(System.Net.HttpStatusCode.BadRequest, "from");
        (await http.GetJsonAsync("/api/events?from=2026-11-25T10:00:00Z&to=2026-11-25T09:00:00Z")).AssertProblem(System.Net.HttpStatusCode.BadRequest, "to");
        (await http.GetJsonAsync("/api/events?limit=5000")).AssertProblem(System.Net.HttpStatusCode.BadRequest, "limit");
        (await http.GetJsonAsync("/api/queues/log/statistics?service_level_threshold=-1")).AssertProblem(System.Net.HttpStatusCode.BadRequest, "service_level_threshold");
        (await http.GetJsonAsync("/api/queues/nowhere/statistics")).AssertProblem(System.Net.HttpStatusCode.NotFound, null!);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await fixture.App.ClientAs(Roles.Agent, "log-a").GetJsonAsync("/api/events")).Status);
    }

    private static void AssertInOrder(List<string> actual, params string[] expected)
    {
        var at = 0;
        foreach (var type in expected)
        {
            var found = actual.IndexOf(type, at);
            Assert.True(found >= 0, $"'{type}' missing after position {at} in: {string.Join(", ", actual)}");
            at = found + 1;
        }
    }
}
