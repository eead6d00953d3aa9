using System.Globalization;
using System.Text.Json.Nodes;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Statistics;

/// <summary>
/// Calls handed from one agent to another, on a fake clock: each agent's figures are their own part of the call
/// (talk, hold, wrap-up), the queue's are the customer's whole conversation, and a transfer is not a second answer.
/// </summary>
public sealed class TransferStatisticsTests(TwilioFixture fixture) : IClassFixture<TwilioFixture>
{
    private FakeTwilio Twilio => fixture.Twilio;

    private void Advance(double seconds) => fixture.App.Time.Advance(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task EachAgentIsCreditedWithTheirOwnPartOfATransferredCall()
    {
        var http = fixture.Http;
        await fixture.CenterAsync("xfer", reservationTimeout: 30, wrapUpSeconds: 20);
        await fixture.AgentAsync("xfer", "cara", activity: "Offline");
        await fixture.AgentAsync("xfer", "dan", activity: "Offline");
        var cara = fixture.App.ClientAs(Roles.Agent, "cara");
        var dan = fixture.App.ClientAs(Roles.Agent, "dan");
        Advance(60);
        var t0 = fixture.App.Time.GetUtcNow();

        // c1, cold to an agent: cara answers after 5 s, talks 50 s (10 s of them on hold) and hands the caller to dan,
        // whose phone rings 4 s (the caller holding); dan talks 30 s, hangs up and wraps up 12 s. Cara's wrap-up runs
        // its 20 s.
        (await cara.PutJsonAsync("/api/agents/cara/activity", new { activity = "Available" })).AssertOk();
        var c1 = await fixture.CallInAsync("xfer");
        var caraLeg1 = await fixture.RingingAsync(c1.CallSid, "client:cara");
        Advance(5);
        Twilio.Answer(caraLeg1.Sid);
        await fixture.Http.CallStatusAsync(c1.CallSid, "connected", c => c["conference_sid"] is not null);
        Advance(20);
        (await cara.PostJsonAsync($"/api/calls/{c1.CallSid}/hold")).AssertOk();
        Advance(10);
        (await cara.PostJsonAsync($"/api/calls/{c1.CallSid}/resume")).AssertOk();
        Advance(20);
        (await dan.PutJsonAsync("/api/agents/dan/activity", new { activity = "Available" })).AssertOk();
        (await cara.PostJsonAsync($"/api/calls/{c1.CallSid}/transfer", new { mode = "cold", to_agent = "dan" })).AssertOk();
        var danLeg1 = await fixture.RingingAsync(c1.CallSid, "client:dan");
        Advance(4);
        Twilio.Answer(danLeg1.Sid);
        await fixture.Http.CallStatusAsync(c1.CallSid, "connected", c => c.Str("agent_id") == "dan" && c["on_hold"]!.GetValue<bool>() == false);
        Advance(16); // the clock stops where cara's wrap-up ends, so it ends on time
        await AgentEventuallyAsync("cara", a => a.Str("activity") == "Available", "cara's wrap-up of c1 ended");
        Advance(14);
        (await dan.PostJsonAsync($"/api/calls/{c1.CallSid}/hangup")).AssertOk();
        await fixture.Http.CallStatusAsync(c1.CallSid, "wrap_up");
        Advance(12);
        (await dan.PostJsonAsync($"/api/calls/{c1.CallSid}/complete")).AssertOk();
        await fixture.Http.CallStatusAsync(c1.CallSid, "completed");

        // c2 (t0+101), warm: dan is away, so cara answers after 3 s, talks 30 s, then consults dan with the caller on
        // hold; dan answers after 6 s, they talk 10 s and cara leaves. Dan talks 20 s more, hangs up, wraps up 5 s.
        (await dan.PutJsonAsync("/api/agents/dan/activity", new { activity = "Offline" })).AssertOk();
        var c2 = await fixture.CallInAsync("xfer");
        var caraLeg2 = await fixture.RingingAsync(c2.CallSid, "client:cara", caraLeg1.Sid);
        Advance(3);
        Twilio.Answer(caraLeg2.Sid);
        await fixture.Http.CallStatusAsync(c2.CallSid, "connected", c => c["conference_sid"] is not null);
        Advance(30);
        (await dan.PutJsonAsync("/api/agents/dan/activity", new { activity = "Available" })).AssertOk();
        (await cara.PostJsonAsync($"/api/calls/{c2.CallSid}/transfer", new { mode = "warm", to_agent = "dan" })).AssertOk();
        var danLeg2 = await fixture.RingingAsync(c2.CallSid, "client:dan", danLeg1.Sid);
        Advance(6);
        Twilio.Answer(danLeg2.Sid);
        await fixture.Http.CallStatusAsync(c2.CallSid, "connected", c => c["legs"]!.AsArray().Any(l => l!.Str("role") == "consult" && l!.Str("status") == "in-progress"));
        Advance(10);
        (await cara.PostJsonAsync($"/api/calls/{c2.CallSid}/transfer/complete")).AssertOk();
        await fixture.Http.CallStatusAsync(c2.CallSid, "connected", c => c.Str("agent_id") == "dan" && c["on_hold"]!.GetValue<bool>() == false);
        Advance(20); // to where cara's wrap-up of c2 ends, too
        await AgentEventuallyAsync("cara", a => a.Str("activity") == "Available", "cara's wrap-up of c2 ended");
        (await dan.PostJsonAsync($"/api/calls/{c2.CallSid}/hangup")).AssertOk();
        await fixture.Http.CallStatusAsync(c2.CallSid, "wrap_up");
        Advance(5);
        (await dan.PostJsonAsync($"/api/calls/{c2.CallSid}/complete")).AssertOk();
        await fixture.Http.CallStatusAsync(c2.CallSid, "completed");

        var window = $"from={Uri.EscapeDataString(t0.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(t0.AddSeconds(1000).ToString("O", CultureInfo.InvariantCulture))}";

        // Cara: c1 talk 50 (hold 10), wrap-up 20; c2 talk 30 + 6 + 10 = 46 (hold 6 + 10 = 16), wrap-up 20.
        var caraStats = await AgentStatisticsAsync("cara", window, s => s["wrap_up_seconds"]!.GetValue<double>() == 40);
        Assert.Equal(2, caraStats["calls_handled"]!.GetValue<int>());
        Assert.Equal(96.0, caraStats["talk_seconds"]!.GetValue<double>());
        Assert.Equal(26.0, caraStats["hold_seconds"]!.GetValue<double>());
        Assert.Equal(40.0, caraStats["wrap_up_seconds"]!.GetValue<double>());

        // Dan: c1 talk 30 (no hold: the caller's 4 s came before he answered), wrap-up 12; c2 from his answer: talk
        // 10 + 20 = 30 (hold 10, the rest of the consultation), wrap-up 5.
        var danStats = await AgentStatisticsAsync("dan", window, s => s["calls_handled"]!.GetValue<int>() == 2);
        Assert.Equal(60.0, danStats["talk_seconds"]!.GetValue<double>());
        Assert.Equal(10.0, danStats["hold_seconds"]!.GetValue<double>());
        Assert.Equal(17.0, danStats["wrap_up_seconds"]!.GetValue<double>());

        // The queue: two calls answered (in 5 and 3 s; dan's pick-ups are not new answers), each customer's whole
        // conversation: c1 50 + 4 + 30 = 84 s (hold 14), c2 30 + 6 + 10 + 20 = 66 s (hold 16); the last wrap-ups 12, 5.
        var queue = (await http.GetJsonAsync($"/api/queues/xfer/statistics?{window}")).AssertOk()["cumulative"]!;
        Assert.Equal(2, queue["tasks_entered"]!.GetValue<int>());
        Assert.Equal(2, queue["tasks_answered"]!.GetValue<int>());
        Assert.Equal(4.0, queue["average_speed_of_answer"]!.GetValue<double>());
        Assert.Equal(2, queue["tasks_completed"]!.GetValue<int>());
        Assert.Equal(75.0, queue["average_talk_time"]!.GetValue<double>());
        Assert.Equal(15.0, queue["average_hold_time"]!.GetValue<double>());
        Assert.Equal(8.5, queue["average_wrap_up_time"]!.GetValue<double>());
        Assert.Equal(83.5, queue["average_handle_time"]!.GetValue<double>());

        // The log shows cara's part ending and, after her wrap-up, completing.
        var story = (await http.GetJsonAsync($"/api/events?callId={c1.CallSid}&limit=1000")).AssertOk()["events"]!.AsArray()
            .Where(e => e!["agent_id"]?.GetValue<string>() == "cara").Select(e => e!.Str("type")).ToList();
        Assert.Contains("reservation.wrapup", story);
        Assert.Contains("reservation.completed", story);
        Assert.True(story.IndexOf("reservation.wrapup") < story.IndexOf("reservation.completed"), string.Join(", ", story));
    }

    private async Task<JsonNode> AgentStatisticsAsync(string agent, string window, Func<JsonNode, bool> settled)
    {
        JsonNode? stats = null;
        await Eventually.HoldsAsync(async () => settled(stats = (await fixture.Http.GetJsonAsync($"/api/agents/{agent}/statistics?{window}")).AssertOk()),
            $"{agent}'s figures are in the log");
        return stats!;
    }

    private Task AgentEventuallyAsync(string agent, Func<JsonNode, bool> condition, string because) =>
        Eventually.HoldsAsync(async () => condition(await fixture.AgentViewAsync(agent)), because);
}
