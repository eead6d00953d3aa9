using System.Text.Json.Nodes;
using System.Net;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests;

/// <summary>The README's walkthrough and the admin API's rules, through HTTP against the real host.</summary>
public sealed class RoutingApiTests : IClassFixture<AcdAppFactory>
{
    private readonly AcdAppFactory _app;
    private readonly HttpClient _http;

    public RoutingApiTests(AcdAppFactory app)
    {
        _app = app;
        _http = app.CreateClient();
    }

    [Fact]
    public async Task TaskRoutersMaxReservedWorkersOffersOneCallToSeveralAgentsAndTheFirstToAcceptTakesIt()
    {
        (await _http.PutJsonAsync("/api/queues/multi", new { target_workers = "team == 'multi'", max_reserved_workers = 3 })).AssertOk();
        (await _http.PutJsonAsync("/api/workflows/multi", new { configuration = new { task_routing = new { default_filter = new { queue = "multi" } } } })).AssertOk();
        foreach (var agent in new[] { "multi-a", "multi-b", "multi-c", "multi-d" })
        {
            (await _http.PutJsonAsync($"/api/agents/{agent}", new { activity = "Available", attributes = new { team = "multi" } })).AssertOk();
        }
        Assert.Equal(3, (await _http.GetJsonAsync("/api/queues/multi")).AssertOk()["max_reserved_workers"]!.GetValue<int>());

        (await _http.PostJsonAsync("/api/calls", new { id = "multi-call", workflow = "multi" })).AssertOk(HttpStatusCode.Created);
        var offered = new List<string>();
        foreach (var agent in new[] { "multi-a", "multi-b", "multi-c", "multi-d" })
        {
            if ((await _http.GetJsonAsync($"/api/agents/{agent}")).AssertOk()["offers"]!.AsArray().Any(o => o!.GetValue<string>() == "multi-call"))
            {
                offered.Add(agent);
            }
        }
        Assert.Equal(3, offered.Count);
        // Each of them may read the call as theirs (not only the first), and decline it.
        var third = _app.ClientAs("agent", offered[2]);
        Assert.Contains(offered[2], (await third.GetJsonAsync("/api/calls/multi-call")).AssertOk()["ringing"]!.AsArray().Select(a => a!.GetValue<string>()));

        // The second of them accepts: theirs; the other two are let go, not charged a miss, and free for the next call.
        Assert.Equal("connected", (await _http.PostJsonAsync("/api/calls/multi-call/accept", new { agent_id = offered[1] })).AssertOk().Str("status"));
        (await _http.PostJsonAsync("/api/calls/multi-call/accept", new { agent_id = offered[0] })).AssertProblem(HttpStatusCode.Conflict, null!);
        foreach (var other in new[] { offered[0], offered[2] })
        {
            var view = (await _http.GetJsonAsync($"/api/agents/{other}")).AssertOk();
            Assert.Empty(view["offers"]!.AsArray());
            Assert.Equal(0, view["consecutive_missed_offers"]!.GetValue<int>());
            Assert.True(view["available"]!.GetValue<bool>());
        }
        Assert.Equal(offered[1], (await _http.GetJsonAsync("/api/calls/multi-call")).AssertOk().Str("agent_id"));
    }

    [Theory]
    [InlineData("""{"agent_selection":"ring_all","max_ring":0}""", "max_ring")]
    [InlineData("""{"agent_selection":"ring_progressively","ring_step_seconds":0}""", "ring_step_seconds")]
    [InlineData("""{"max_reserved_workers":51}""", "max_reserved_workers")]
    [InlineData("""{"agent_selection":"ring_all","max_reserved_workers":5}""", "max_reserved_workers")]
    [InlineData("""{"agent_selection":"ring_everyone"}""", "agent_selection")]
    public async Task ARingGroupOutOfBoundsIsRefusedNamingTheField(string body, string field)
    {
        (await _http.SendAsync(HttpMethod.Put, "/api/queues/bad-ring", body)).AssertProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetJsonAsync("/api/queues/bad-ring")).Status);
    }

    [Fact]
    public async Task ConfiguredCallIsOfferedToTheRightAgentAndRunsToCompletion()
    {
        (await _http.PutJsonAsync("/api/queues/walk-ja", new { friendly_name = "Support JA", target_workers = "languages HAS \"ja\" AND team == 'walk'", wrap_up_seconds = 10 })).AssertOk();
        (await _http.PutJsonAsync("/api/workflows/walk", new { configuration = new { task_routing = new { default_filter = new { queue = "walk-ja" } } } })).AssertOk();
        (await _http.PutJsonAsync("/api/agents/walk-en", new { activity = "Available", attributes = new { team = "walk", contact_uri = "client:walk-en", languages = new[] { "en" } } })).AssertOk();
        var agent = (await _http.PutJsonAsync("/api/agents/walk-alice", new { friendly_name = "Alice", activity = "Available", attributes = new { team = "walk", contact_uri = "client:walk-alice", languages = new[] { "ja" } } })).AssertOk();
        Assert.Equal(("client:walk-alice", "Available", true), (agent.Str("contact_uri"), agent.Str("activity"), agent["available"]!.GetValue<bool>()));

        var created = await _http.PostJsonAsync("/api/calls", new { id = "walk-call", workflow = "walk", attributes = new Dictionary<string, string> { ["From"] = "+81312345678" } });
        var call = created.AssertOk(HttpStatusCode.Created);
        Assert.Equal(("offered", "walk-alice", "walk-ja"), (call.Str("status"), call.Str("offered_to"), call.Str("queue_id")));

        var stats = (await _http.GetJsonAsync("/api/queues/walk-ja/stats")).AssertOk();
        Assert.Equal(0, stats["calls_waiting"]!.GetValue<int>());
        Assert.Equal(1, stats["total_eligible_workers"]!.GetValue<int>());
        Assert.Equal(0, stats["total_available_workers"]!.GetValue<int>());

        Assert.Equal("connected", (await _http.PostJsonAsync("/api/calls/walk-call/accept", new { agent_id = "walk-alice" })).AssertOk().Str("status"));
        Assert.Equal("wrap_up", (await _http.PostJsonAsync("/api/calls/walk-call/hangup")).AssertOk().Str("status"));
        Assert.Equal("WrapUp", (await _http.GetJsonAsync("/api/agents/walk-alice")).AssertOk().Str("activity"));
        Assert.Equal("completed", (await _http.PostJsonAsync("/api/calls/walk-call/complete")).AssertOk().Str("status"));
        var after = (await _http.GetJsonAsync("/api/agents/walk-alice")).AssertOk();
        Assert.Equal(("Available", 1), (after.Str("activity"), after["calls_today"]!.GetValue<int>()));

        var listed = (await _http.GetJsonAsync("/api/calls?status=completed")).AssertOk().AsArray();
        Assert.Contains(listed, c => c!.Str("id") == "walk-call");
    }

    [Fact]
    public async Task CallsWaitInOrderAndShowInTheLists()
    {
        (await _http.PutJsonAsync("/api/queues/order-q", new { target_workers = "team == 'order'" })).AssertOk();
        (await _http.PutJsonAsync("/api/workflows/order", new { configuration = new { task_routing = new { default_filter = new { queue = "order-q" } } } })).AssertOk();
        (await _http.PostJsonAsync("/api/calls", new { id = "order-low", workflow = "order", priority = 0 })).AssertOk(HttpStatusCode.Created);
        (await _http.PostJsonAsync("/api/calls", new { id = "order-high", workflow = "order", priority = 5 })).AssertOk(HttpStatusCode.Created);

        var stats = (await _http.GetJsonAsync("/api/queues/order-q/stats")).AssertOk();
        Assert.Equal(2, stats["calls_waiting"]!.GetValue<int>());
        Assert.Equal(["order-high", "order-low"], stats["waiting_call_ids"]!.AsArray().Select(n => n!.GetValue<string>()));

        // The dashboard's refresh leaves the lists out (its cost would grow with the callers waiting); asked for, they are there.
        JsonNode Realtime(JsonNode all) => all["queues"]!.AsArray().Single(q => q!.Str("queue_id") == "order-q")!["realtime"]!;
        var listed = Realtime((await _http.GetJsonAsync("/api/statistics")).AssertOk());
        Assert.Equal(["order-high", "order-low"], listed["waiting_call_ids"]!.AsArray().Select(n => n!.GetValue<string>()));
        var refreshed = Realtime((await _http.GetJsonAsync("/api/statistics?waiting_calls=false")).AssertOk());
        Assert.Null(refreshed["waiting_call_ids"]);
        Assert.Equal(2, refreshed["tasks_waiting"]!.GetValue<int>());
        (await _http.GetJsonAsync("/api/statistics?waiting_calls=maybe")).AssertProblem(HttpStatusCode.BadRequest, "waiting_calls");
        var queued = (await _http.GetJsonAsync("/api/calls?status=queued")).AssertOk().AsArray().Select(c => c!.Str("id")).ToList();
        Assert.Contains("order-low", queued);
        Assert.Contains("order-high", queued);
    }

    [Theory]
    [InlineData("/api/queues/bad!id", "id")]
    [InlineData("/api/agents/" + "x", "attributes.contact_uri")]
    public async Task BadIdsAndAttributesAreRejected(string url, string field)
    {
        object body = url.Contains("agents", StringComparison.Ordinal) ? new { attributes = new { contact_uri = "phone 123" } } : new { };
        (await _http.PutJsonAsync(url, body)).AssertProblem(HttpStatusCode.BadRequest, field);
        if (url.Contains("agents", StringComparison.Ordinal))
        {
            (await _http.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound, null!);
        }
    }

    [Fact]
    public async Task ABadTargetWorkersExpressionIsRejectedWithItsPositionAndChangesNothing()
    {
        (await _http.PutJsonAsync("/api/queues/expr-q", new { target_workers = "1==1" })).AssertOk();
        var problem = (await _http.PutJsonAsync("/api/queues/expr-q", new { target_workers = "skills HAS 'x' AND" })).AssertProblem(HttpStatusCode.BadRequest, "target_workers");
        Assert.Contains("position 18", problem.Str("detail"));
        Assert.Equal("1==1", (await _http.GetJsonAsync("/api/queues/expr-q")).AssertOk().Str("target_workers"));
    }

    [Theory]
    [InlineData("(", ")", 5000)]
    [InlineData("NOT ", "", 3000)]
    public async Task AnExpressionNestedThousandsDeepIsAClearErrorNotACrash(string open, string close, int levels)
    {
        // Some thousands of levels overflowed the parser's stack and killed the process (longer ones are refused for
        // their length first).
        var deep = string.Concat(Enumerable.Repeat(open, levels)) + "1==1" + string.Concat(Enumerable.Repeat(close, levels));
        (await _http.PutJsonAsync("/api/queues/deep-q", new { target_workers = "1==1" })).AssertOk();

        var problem = (await _http.PutJsonAsync("/api/queues/deep-q", new { target_workers = deep })).AssertProblem(HttpStatusCode.BadRequest, "target_workers");

        Assert.Contains("Nested more than 64 levels deep at position", problem.Str("detail"));
        Assert.Equal("1==1", (await _http.GetJsonAsync("/api/queues/deep-q")).AssertOk().Str("target_workers"));
        (await _http.PutJsonAsync("/api/queues/deep-q", new { target_workers = string.Concat(Enumerable.Repeat("(", 60)) + "1==1" + string.Concat(Enumerable.Repeat(")", 60)) })).AssertOk();
    }

    [Fact]
    public async Task WrongTypesNameTheField()
    {
        (await _http.PutJsonAsync("/api/queues/types-q", "{\"max_length\":\"many\"}")).AssertProblem(HttpStatusCode.BadRequest, "max_length");
        (await _http.PutJsonAsync("/api/queues/types-q", "{\"agent_selection\":\"loudest\"}")).AssertProblem(HttpStatusCode.BadRequest, "agent_selection");
        (await _http.PutJsonAsync("/api/queues/types-q", "{\"max_length\":-1}")).AssertProblem(HttpStatusCode.BadRequest, "max_length");
        (await _http.PutJsonAsync("/api/queues/types-q", "{\"task_order\":\"RANDOM\"}")).AssertProblem(HttpStatusCode.BadRequest, "task_order");
        (await _http.PutJsonAsync("/api/queues/types-q", "{\"agent_selection\":\"order_by\"}")).AssertProblem(HttpStatusCode.BadRequest, "order_by");
        (await _http.PutJsonAsync("/api/queues/types-q", "{not json")).AssertProblem(HttpStatusCode.BadRequest, "body");
        (await _http.PutJsonAsync("/api/agents/types-a", "{\"capacity\":0}")).AssertProblem(HttpStatusCode.BadRequest, "capacity");
        (await _http.PutJsonAsync("/api/agents/types-a", "{\"attributes\":[1,2]}")).AssertProblem(HttpStatusCode.BadRequest, "attributes");
        (await _http.PutJsonAsync("/api/agents/types-a", "{\"activity\":\"Dancing\"}")).AssertProblem(HttpStatusCode.BadRequest, "activity");
        (await _http.GetJsonAsync("/api/queues/types-q")).AssertProblem(HttpStatusCode.NotFound, null!);
        (await _http.GetJsonAsync("/api/agents/types-a")).AssertProblem(HttpStatusCode.NotFound, null!);
    }

    [Fact]
    public async Task AnUnknownFieldIsRefusedByNameAndChangesNothing()
    {
        (await _http.PutJsonAsync("/api/queues/strict-q", new { target_workers = "team == 'strict'" })).AssertOk();

        // camelCase or a typo used to be ignored, and the queue silently targeted everyone.
        var camel = (await _http.PutJsonAsync("/api/queues/strict-q", "{\"targetWorkers\":\"1==1\"}")).AssertProblem(HttpStatusCode.BadRequest, "targetWorkers");
        Assert.Contains("target_workers", camel.Str("detail"));
        (await _http.PostJsonAsync("/api/calls", "{\"id\":\"strict-call\",\"prioirty\":5}")).AssertProblem(HttpStatusCode.BadRequest, "prioirty");
        (await _http.PutJsonAsync("/api/agents/strict-a", "{\"activity\":\"Available\",\"capacty\":2}")).AssertProblem(HttpStatusCode.BadRequest, "capacty");

        Assert.Equal("team == 'strict'", (await _http.GetJsonAsync("/api/queues/strict-q")).AssertOk().Str("target_workers"));
        (await _http.GetJsonAsync("/api/calls/strict-call")).AssertProblem(HttpStatusCode.NotFound, null!);
        (await _http.GetJsonAsync("/api/agents/strict-a")).AssertProblem(HttpStatusCode.NotFound, null!);
    }

    [Fact]
    public async Task AResourceExportedFromTaskRouterLoadsWithItsReadOnlyFields()
    {
        // As TaskRouter's GET returns a TaskQueue: SIDs, dates, links and url come along and are ignored.
        var exported = """
            {"sid":"WQ0123456789abcdef0123456789abcdef","account_sid":"AC0123456789abcdef0123456789abcdef",
             "workspace_sid":"WS0123456789abcdef0123456789abcdef","friendly_name":"Exported","target_workers":"team == 'exported'",
             "task_order":"FIFO","date_created":"2026-01-01T00:00:00Z","date_updated":"2026-01-02T00:00:00Z",
             "url":"https://taskrouter.twilio.com/v1/Workspaces/WS0123456789abcdef0123456789abcdef/TaskQueues/WQ0123456789abcdef0123456789abcdef",
             "links":{"statistics":"https://taskrouter.twilio.com/v1/…/Statistics"},
             "assignment_activity_sid":"WA0123456789abcdef0123456789abcdef","assignment_activity_name":"Busy"}
            """;
        var queue = (await _http.PutJsonAsync("/api/queues/exported-q", exported)).AssertOk();
        Assert.Equal(("Exported", "team == 'exported'"), (queue.Str("friendly_name"), queue.Str("target_workers")));
        Assert.Null(queue["sid"]);
        // And what Acd returns can be sent back as it is.
        (await _http.PutJsonAsync("/api/queues/exported-q", queue.ToJsonString())).AssertOk();
    }

    [Fact]
    public async Task AttributesOverTheLimitAreRefused()
    {
        var big = new string('x', 17 * 1024);
        (await _http.PutJsonAsync("/api/agents/big-a", new { attributes = new { notes = big } })).AssertProblem(HttpStatusCode.BadRequest, "attributes");
        (await _http.PostJsonAsync("/api/calls", new { id = "big-call", attributes = new { notes = big } })).AssertProblem(HttpStatusCode.BadRequest, "attributes");
        (await _http.GetJsonAsync("/api/agents/big-a")).AssertProblem(HttpStatusCode.NotFound, null!);
        (await _http.GetJsonAsync("/api/calls/big-call")).AssertProblem(HttpStatusCode.NotFound, null!);
        (await _http.PutJsonAsync("/api/agents/big-a", new { attributes = new { notes = new string('x', 15 * 1024) } })).AssertOk();
    }

    [Fact]
    public async Task WorkflowErrorsNameTheFieldInsideTheConfiguration()
    {
        (await _http.PutJsonAsync("/api/queues/wf-q", new { })).AssertOk();
        var bad = await _http.PutJsonAsync("/api/workflows/wf", new { configuration = new { task_routing = new { filters = new[] { new { expression = "a ==", targets = new[] { new { queue = "wf-q" } } } } } } });
        Assert.Contains("position", bad.AssertProblem(HttpStatusCode.BadRequest, "configuration.task_routing.filters[0].expression").Str("detail"));
        (await _http.PutJsonAsync("/api/workflows/wf", new { configuration = new { task_routing = new { default_filter = new { queue = "nowhere" } } } }))
            .AssertProblem(HttpStatusCode.BadRequest, "configuration.task_routing.default_filter.queue");
        (await _http.PutJsonAsync("/api/workflows/wf", new { configuration = "not json" })).AssertProblem(HttpStatusCode.BadRequest, "configuration");
        (await _http.PutJsonAsync("/api/workflows/wf", new { task_reservation_timeout = 0, configuration = new { task_routing = new { default_filter = new { queue = "wf-q" } } } }))
            .AssertProblem(HttpStatusCode.BadRequest, "task_reservation_timeout");
        (await _http.GetJsonAsync("/api/workflows/wf")).AssertProblem(HttpStatusCode.NotFound, null!);

        // TaskRouter sends configuration as a JSON string; that is accepted too.
        var ok = (await _http.PutJsonAsync("/api/workflows/wf", new { configuration = "{\"task_routing\":{\"default_filter\":{\"queue\":\"wf-q\"}}}" })).AssertOk();
        Assert.Equal("wf-q", ok["configuration"]!["task_routing"]!["default_filter"]!.Str("queue"));
    }

    [Fact]
    public async Task DeletingWhatIsInUseIsAConflict()
    {
        (await _http.PutJsonAsync("/api/queues/del-q", new { target_workers = "team == 'del'" })).AssertOk();
        (await _http.PutJsonAsync("/api/workflows/del-w", new { configuration = new { task_routing = new { default_filter = new { queue = "del-q" } } } })).AssertOk();
        (await _http.DeleteJsonAsync("/api/queues/del-q")).AssertProblem(HttpStatusCode.Conflict, null!);
        (await _http.PostJsonAsync("/api/calls", new { id = "del-call", workflow = "del-w" })).AssertOk(HttpStatusCode.Created);
        (await _http.DeleteJsonAsync("/api/workflows/del-w")).AssertOk(HttpStatusCode.NoContent);
        // The workflow is gone but a call still waits in the queue.
        (await _http.DeleteJsonAsync("/api/queues/del-q")).AssertProblem(HttpStatusCode.Conflict, null!);
        (await _http.PostJsonAsync("/api/calls/del-call/abandon")).AssertOk();
        (await _http.DeleteJsonAsync("/api/queues/del-q")).AssertOk(HttpStatusCode.NoContent);
        (await _http.DeleteJsonAsync("/api/queues/del-q")).AssertProblem(HttpStatusCode.NotFound, null!);

        (await _http.PutJsonAsync("/api/activities/Meeting", new { available = false })).AssertOk();
        (await _http.PutJsonAsync("/api/agents/del-agent", new { activity = "Meeting", attributes = new { team = "del" } })).AssertOk();
        (await _http.DeleteJsonAsync("/api/activities/Meeting")).AssertProblem(HttpStatusCode.Conflict, null!);
        (await _http.DeleteJsonAsync("/api/activities/Break")).AssertProblem(HttpStatusCode.Conflict, null!);
        (await _http.PutJsonAsync("/api/activities/Available", new { available = false })).AssertProblem(HttpStatusCode.Conflict, "available");
    }

    [Fact]
    public async Task CallInputIsValidated()
    {
        (await _http.PostJsonAsync("/api/calls", new { attributes = "[1]" })).AssertProblem(HttpStatusCode.BadRequest, "attributes");
        (await _http.PostJsonAsync("/api/calls", new { workflow = "no-such-workflow" })).AssertProblem(HttpStatusCode.NotFound, "workflow");
        (await _http.PostJsonAsync("/api/calls", new { id = "has space" })).AssertProblem(HttpStatusCode.BadRequest, "id");
        (await _http.GetJsonAsync("/api/calls/no-such-call")).AssertProblem(HttpStatusCode.NotFound, null!);
        (await _http.GetJsonAsync("/api/calls?status=ringing")).AssertProblem(HttpStatusCode.BadRequest, "status");
        (await _http.PostJsonAsync("/api/calls/no-such-call/hangup")).AssertProblem(HttpStatusCode.NotFound, null!);
        (await _http.PostJsonAsync("/api/calls/no-such-call/accept", new { })).AssertProblem(HttpStatusCode.NotFound, null!);

        (await _http.PutJsonAsync("/api/queues/val-q", new { target_workers = "team == 'val'" })).AssertOk();
        (await _http.PutJsonAsync("/api/workflows/val-w", new { configuration = new { task_routing = new { default_filter = new { queue = "val-q" } } } })).AssertOk();
        (await _http.PostJsonAsync("/api/calls", new { id = "val-call", workflow = "val-w" })).AssertOk(HttpStatusCode.Created);
        (await _http.PostJsonAsync("/api/calls", new { id = "val-call", workflow = "val-w" })).AssertProblem(HttpStatusCode.Conflict, "id");
        (await _http.PostJsonAsync("/api/calls/val-call/accept", new { agent_id = "nobody" })).AssertProblem(HttpStatusCode.Conflict, null!);
        (await _http.PostJsonAsync("/api/calls/val-call/complete")).AssertProblem(HttpStatusCode.Conflict, null!);
        Assert.Equal("queued", (await _http.GetJsonAsync("/api/calls/val-call")).AssertOk().Str("status"));
    }

    [Fact]
    public async Task HealthAndOpenApiAnswer()
    {
        using var health = await _http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var openApi = (await _http.GetJsonAsync("/openapi/v1.json")).AssertOk();
        Assert.NotNull(openApi["paths"]!["/api/queues/{id}"]);
        Assert.NotNull(openApi["paths"]!["/api/calls"]);
    }

    [Fact]
    public async Task OpenApiNamesTheBearerSchemeEveryErrorAndTheWebhooksFormFields()
    {
        var openApi = (await _http.GetJsonAsync("/openapi/v1.json")).AssertOk();

        var bearer = openApi["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal(("http", "bearer"), (bearer.Str("type"), bearer.Str("scheme")));
        var put = openApi["paths"]!["/api/queues/{id}"]!["put"]!;
        Assert.NotNull(put["security"]![0]!["Bearer"]);
        foreach (var status in new[] { "400", "401", "403", "404", "409", "413", "503" })
        {
            var response = put["responses"]![status];
            Assert.True(response is not null, $"PUT /api/queues/{{id}} documents {status}");
            Assert.EndsWith("/ProblemDetails", response!["content"]!["application/problem+json"]!["schema"]!.Str("$ref"));
        }
        Assert.NotNull(openApi["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["field"]);

        var incoming = openApi["paths"]!["/twilio/voice/incoming"]!["post"]!;
        Assert.Empty(incoming["security"]!.AsArray());
        var form = incoming["requestBody"]!["content"]!["application/x-www-form-urlencoded"]!["schema"]!;
        Assert.NotNull(form["properties"]!["CallSid"]);
        Assert.Contains("CallSid", form["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        foreach (var status in new[] { "403", "413", "415", "503" })
        {
            Assert.NotNull(incoming["responses"]![status]);
        }
        Assert.NotNull(openApi["paths"]!["/twilio/conference/status"]!["post"]!["requestBody"]!["content"]!["application/x-www-form-urlencoded"]!["schema"]!["properties"]!["StatusCallbackEvent"]);
    }
}
