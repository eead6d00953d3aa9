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
