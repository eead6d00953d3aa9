using System.Net;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;
using Npgsql;

namespace Acd.Api.Tests.Durability;

/// <summary>PostgreSQL goes away while calls arrive (a failover, a partition) and comes back.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StorageOutageTests
{
    [Fact]
    public async Task DuringAnOutageChangesAreRefusedClearlyAndAfterItNothingIsLostOrCorrupted()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var proxy = new TcpProxy(server.Host!, server.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 5, CommandTimeout = 5 }.ConnectionString;
        await using var cluster = await AcdCluster.StartAsync(throughProxy);
        var twilio = cluster.Twilio;
        var node = await cluster.StartNodeAsync();
        var http = node.Http;
        (await http.PutJsonAsync("/api/queues/desk", new { target_workers = "team == 'desk'" })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/desk", new { configuration = new { task_routing = new { default_filter = new { queue = "desk" } } } })).AssertOk();
        (await http.PutJsonAsync("/api/agents/ann", new { activity = "Offline", attributes = new { team = "desk", contact_uri = "client:ann" } })).AssertOk();
        twilio.OnDial("client:ann", LegBehavior.Answer);
        var before = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=desk", "+819000000001", TwilioFixture.Number);
        Assert.Equal(200, before.Status);

        proxy.Cut();

        // A caller arriving now gets an error status (Twilio then plays the number's fallback), not a call Acd
        // half-knows; an agent's change is refused with a ProblemDetails that says why and to retry.
        var during = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=desk", "+819000000002", TwilioFixture.Number);
        Assert.Equal(503, during.Status);
        var refused = await http.PutJsonAsync("/api/agents/ann/activity", new { activity = "Available" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal(503, refused.Body!["status"]!.GetValue<int>());
        Assert.Contains("try again", refused.Body!.Str("detail"), StringComparison.OrdinalIgnoreCase);
        Assert.False(node.Process.HasExited);
        // The balancer's readiness probe says so: this node should not get traffic now. Liveness stays up.
        var notReady = await http.GetJsonAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Contains(notReady.Body!["checks"]!.AsArray(), c => c!.Str("name") == "storage" && c!.Str("status") == "Unhealthy");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);

        proxy.Restore();

        // Recovery: new callers are taken again, and the state is what storage holds, with nothing half-written:
        // the refused activity change did not happen, the caller from before still waits first, the refused
        // caller does not exist.
        CallerSession after = null!;
        await Eventually.HoldsAsync(async () => (after = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=desk", "+819000000003", TwilioFixture.Number)).Status == 200,
            "Acd takes calls again once storage is back", 30000);
        Assert.Equal("Offline", (await http.GetJsonAsync("/api/agents/ann")).AssertOk().Str("activity"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetJsonAsync("/health/ready")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetJsonAsync($"/api/calls/{during.CallSid}")).Status);
        var stats = (await http.GetJsonAsync("/api/queues/desk/stats")).AssertOk();
        Assert.Equal([before.CallSid, after.CallSid], stats["waiting_call_ids"]!.AsArray().Select(n => n!.GetValue<string>()));

        (await http.PutJsonAsync("/api/agents/ann/activity", new { activity = "Available" })).AssertOk();
        await Eventually.HoldsAsync(async () => (await http.GetJsonAsync($"/api/calls/{before.CallSid}")).AssertOk().Str("status") == "connected",
            "the first caller is answered first");
    }
}
