using System.Text.Json.Nodes;
using Acd.Api.Tests.Infrastructure;
using Acd.Twilio.Fake;

namespace Acd.Api.Tests.Durability;

/// <summary>Two Acd processes sharing PostgreSQL clustering behind a balancer; one is killed.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTests
{
    private const int Calls = 8;
    private const int StepTimeoutSeconds = 15;

    [Fact]
    public async Task WhenANodeDiesItsCallsComeBackOnTheOtherAndAreRoutedWithoutBeingAsked()
    {
        await using var db = await PostgresDatabase.CreateAsync();
        await using var cluster = await AcdCluster.StartAsync(db.ConnectionString);
        var twilio = cluster.Twilio;
        var survivor = await cluster.StartNodeAsync();
        // The router is activated while the survivor is alone, so it lives there: what comes back after the kill is
        // then the calls, queues and agents the dead node hosted, brought back by the recovery sweep. (A router lost
        // with its node is rebuilt by the keeper: RestartTests covers that path.)
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await survivor.Http.GetJsonAsync("/api/queues/none/stats")).Status);
        var doomed = await cluster.StartNodeAsync();
        var http = survivor.Http;

        // Callers wait in "hold-line" (nobody serves it) until the workflow's timeout moves them on to "desk".
        (await http.PutJsonAsync("/api/queues/hold-line", new { target_workers = "team == 'nobody'" })).AssertOk();
        (await http.PutJsonAsync("/api/queues/desk", new { target_workers = "team == 'desk'", wrap_up_seconds = 5 })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/desk", new
        {
            task_reservation_timeout = 20,
            configuration = new
            {
                task_routing = new
                {
                    filters = new[] { new { filter_friendly_name = "all", expression = "1 == 1", targets = new object[] { new { queue = "hold-line", timeout = StepTimeoutSeconds }, new { queue = "desk" } } } },
                    default_filter = new { queue = "desk" },
                },
            },
        })).AssertOk();
        (await http.PutJsonAsync("/api/queues/talk", new { target_workers = "team == 'talk'", wrap_up_seconds = 5 })).AssertOk();
        (await http.PutJsonAsync("/api/workflows/talk", new { configuration = new { task_routing = new { default_filter = new { queue = "talk" } } } })).AssertOk();
        (await http.PutJsonAsync("/api/agents/t0", new { activity = "Available", attributes = new { team = "talk", contact_uri = "client:t0" } })).AssertOk();
        twilio.OnDial("client:t0", LegBehavior.Answer);
        for (var i = 1; i <= Calls; i++)
        {
            (await http.PutJsonAsync($"/api/agents/d{i}", new { activity = "Available", attributes = new { team = "desk", contact_uri = $"client:d{i}" } })).AssertOk();
            twilio.OnDial($"client:d{i}", LegBehavior.Answer);
        }

        // A call in conversation, and callers waiting; the balancer hands the webhooks to both nodes in turn.
        var talking = (await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=talk", "+819011110000", TwilioFixture.Number)).CallSid;
        await http.CallStatusAsync(talking, "connected", c => c["conference_sid"] is not null);
        var waiting = new List<string>();
        for (var i = 1; i <= Calls; i++)
        {
            var session = await twilio.CallAsync($"{TwilioFixture.PublicBaseUrl}/twilio/voice/incoming?workflow=desk", $"+81902222000{i}", TwilioFixture.Number);
            Assert.Equal(200, session.Status);
            waiting.Add(session.CallSid);
        }
        var handled = twilio.Callbacks.Select(c => c.Url).ToList();
        var stats = (await http.GetJsonAsync("/api/queues/hold-line/stats")).AssertOk();
        Assert.Equal(Calls, stats["calls_waiting"]!.GetValue<int>());

        // Twilio's calls-per-second limit is the account's: each of the two nodes paces at half of it.
        await SharePaceAsync(survivor.Http, 500, "the survivor paces at half the account's calls per second");
        await SharePaceAsync(doomed.Http, 500, "the other node paces at half the account's calls per second");

        var lastDeadline = (await Task.WhenAll(waiting.Select(async id => (await http.GetJsonAsync($"/api/calls/{id}")).AssertOk().Str("created_at"))))
            .Select(t => DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(StepTimeoutSeconds)).Max();

        doomed.Kill();
        var killedAt = DateTimeOffset.UtcNow;

        // Nobody asks Acd anything (the test watches Twilio only, as reading a call would reactivate it): the
        // survivor learns the node is dead, reactivates what it hosted, and every stored step deadline runs, so
        // each caller moves on to "desk" and a desk agent's phone rings and is answered.
        var limit = (lastDeadline > killedAt ? lastDeadline : killedAt) + TimeSpan.FromSeconds(30);
        await Eventually.HoldsAsync(
            () => Task.FromResult(Enumerable.Range(1, Calls).All(i => twilio.LegTo($"client:d{i}") is { Status: "in-progress" })),
            "every waiting caller is answered by a desk agent",
            (int)Math.Max(1000, (limit - DateTimeOffset.UtcNow).TotalMilliseconds));
        Assert.Matches("Call CA[0-9a-f]+ reloaded in", survivor.Process.Output);
        foreach (var id in waiting)
        {
            await http.CallStatusAsync(id, "connected", c => c.Str("queue_id") == "desk");
        }

        await SharePaceAsync(http, 1000, "the survivor takes the whole account's pace back");

        // The conversation goes on: its agent holds and hangs up through the surviving node.
        using var agent = await survivor.ClientAsAsync("agent", "t0");
        (await agent.PostJsonAsync($"/api/calls/{talking}/hold")).AssertOk();
        var conference = twilio.Conferences.Single(c => c.Participants.ContainsKey(talking));
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Participants[talking].Hold), "the caller is held");
        (await agent.PostJsonAsync($"/api/calls/{talking}/hangup")).AssertOk();
        await Eventually.HoldsAsync(() => Task.FromResult(conference.Status == "completed"), "the conference is ended");
        Assert.NotEmpty(handled);
    }

    private static Task SharePaceAsync(HttpClient node, double callsPerSecond, string because) =>
        Eventually.HoldsAsync(async () =>
            (await node.GetJsonAsync("/api/queues/desk/stats")).Body?["telephony_backlog"]?["calls_per_second"]?.GetValue<double>() == callsPerSecond,
            because, timeoutMs: 20000);
}
