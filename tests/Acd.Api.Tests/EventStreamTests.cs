using System.Net;
using Acd.Api.Security;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests;

/// <summary>Server-sent events: a client that reconnects resumes where it left off, within the window.</summary>
public sealed class EventStreamTests : IClassFixture<AcdAppFactory>
{
    private readonly AcdAppFactory _app;
    private readonly HttpClient _admin;

    public EventStreamTests(AcdAppFactory app)
    {
        _app = app;
        _admin = app.CreateClient();
    }

    [Fact]
    public async Task AReconnectWithLastEventIdGetsWhatHappenedInBetween()
    {
        (await _admin.PutJsonAsync("/api/agents/sse-a", new { activity = "Offline", attributes = new { } })).AssertOk();
        var supervisor = _app.ClientAs(Roles.Supervisor, "boss");
        string lastSeen;
        await using (var first = await EventStream.OpenAsync(supervisor, "/api/supervisor/events"))
        {
            (await _admin.PutJsonAsync("/api/agents/sse-a/activity", new { activity = "Available" })).AssertOk();
            var seen = await first.WaitForAsync("worker.activity.update", e => e.Data!["data"]!["agent"]!.Str("id") == "sse-a");
            lastSeen = seen.Id!;
        }

        // While disconnected, the agent goes on break and comes back.
        (await _admin.PutJsonAsync("/api/agents/sse-a/activity", new { activity = "Break" })).AssertOk();
        (await _admin.PutJsonAsync("/api/agents/sse-a/activity", new { activity = "Available" })).AssertOk();

        await using var second = await EventStream.OpenAsync(supervisor, "/api/supervisor/events", lastEventId: lastSeen);
        await second.WaitForAsync("worker.activity.update", e => e.Data!["data"]!["agent"]!.Str("activity") == "Available" && long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(lastSeen, System.Globalization.CultureInfo.InvariantCulture) + 1);
        var missed = second.Events.Where(e => e.Type == "worker.activity.update" && e.Data!["data"]!["agent"]!.Str("id") == "sse-a").ToList();
        Assert.Equal(["Break", "Available"], missed.Select(e => e.Data!["data"]!["agent"]!.Str("activity")));
        Assert.True(missed.Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)).SequenceEqual(missed.Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)).Order()));
        Assert.DoesNotContain(second.Events, e => e.Type == "resync");
    }

    [Fact]
    public async Task AClientTooFarBehindIsToldToReload()
    {
        var supervisor = _app.ClientAs(Roles.Supervisor, "boss");
        await using var stream = await EventStream.OpenAsync(supervisor, "/api/supervisor/events", lastEventId: "999999999");
        await stream.WaitForAsync("resync");
    }

    [Fact]
    public async Task AnAgentTooFarBehindIsPointedAtTheEventLogAndReadsWhatItMissedThere()
    {
        (await _admin.PutJsonAsync("/api/agents/sse-far", new { activity = "Offline", attributes = new { } })).AssertOk();
        // More than an agent's stream keeps (a few KB): forty activity changes, a second apart.
        for (var i = 0; i < 40; i++)
        {
            _app.Time.Advance(TimeSpan.FromSeconds(1));
            (await _admin.PutJsonAsync("/api/agents/sse-far/activity", new { activity = i % 2 == 0 ? "Available" : "Break" })).AssertOk();
        }
        var me = _app.ClientAs(Roles.Agent, "sse-far");
        await Eventually.HoldsAsync(async () =>
        {
            await using var probe = await EventStream.OpenAsync(me, "/api/agents/sse-far/events");
            return long.Parse((await probe.WaitForAsync("ready")).Id!, System.Globalization.CultureInfo.InvariantCulture) >= 40;
        }, "the stream has all forty changes");

        await using var stream = await EventStream.OpenAsync(me, "/api/agents/sse-far/events", lastEventId: "1");
        var resync = (await stream.WaitForAsync("resync")).Data!;
        var keptFrom = DateTimeOffset.Parse(resync.Str("kept_from"), System.Globalization.CultureInfo.InvariantCulture);
        static DateTimeOffset At(System.Text.Json.Nodes.JsonNode? e) => DateTimeOffset.Parse(e!.Str("time"), System.Globalization.CultureInfo.InvariantCulture);

        // What the stream no longer keeps is in the durable log, which the agent may read for themselves; the stream
        // itself replays the rest.
        var log = resync.Str("log");
        Assert.StartsWith("/api/events?agentId=sse-far&", log);
        var missed = (await me.GetJsonAsync($"{log}&type=worker.activity.update")).AssertOk()["events"]!.AsArray();
        var all = (await me.GetJsonAsync("/api/events?agentId=sse-far&type=worker.activity.update&limit=1000")).AssertOk()["events"]!.AsArray();
        Assert.True(all.Count >= 40, $"{all.Count} activity changes logged");
        Assert.NotEmpty(missed);
        Assert.Equal(all.Where(e => At(e) < keptFrom).Select(e => e!.Str("time")), missed.Select(e => e!.Str("time")));
        Assert.All(missed, e => Assert.Equal("sse-far", e!.Str("agent_id")));
        var keptCount = all.Count(e => At(e) >= keptFrom);
        await Eventually.HoldsAsync(() => Task.FromResult(stream.Events.Count(e => e.Type == "worker.activity.update") == keptCount),
            "the stream replays what it keeps");
        Assert.Equal(HttpStatusCode.Forbidden, (await me.GetJsonAsync("/api/events?agentId=sse-me")).Status);
    }

    [Fact]
    public async Task AnAgentsStreamCarriesTheirOwnEventsOnly()
    {
        (await _admin.PutJsonAsync("/api/agents/sse-me", new { activity = "Offline", attributes = new { } })).AssertOk();
        (await _admin.PutJsonAsync("/api/agents/sse-you", new { activity = "Offline", attributes = new { } })).AssertOk();
        var me = _app.ClientAs(Roles.Agent, "sse-me");
        await using var stream = await EventStream.OpenAsync(me, "/api/agents/sse-me/events");
        Assert.Equal((int)HttpStatusCode.OK, stream.Status);
        (await _admin.PutJsonAsync("/api/agents/sse-you/activity", new { activity = "Available" })).AssertOk();
        (await _admin.PutJsonAsync("/api/agents/sse-me/activity", new { activity = "Available" })).AssertOk();
        await stream.WaitForAsync("worker.activity.update");
        Assert.All(stream.Events.Where(e => e.Type == "worker.activity.update"), e => Assert.Equal("sse-me", e.Data!.Str("agent_id")));
    }
}
