using Acd.Grains.Abstractions;

namespace Acd.Grains.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class WorkflowRoutingTests(ClusterFixture fixture)
{
    [Fact]
    public async Task CallsAreRoutedBySkillThroughTheMatchingFilter()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("billing", "skills HAS 'billing'");
        await s.QueueAsync("tech", "skills HAS 'tech'");
        await s.WorkflowAsync("w", """
            {"filters":[
              {"filter_friendly_name":"billing","expression":"Digits == 1","targets":[{Q:billing"}]},
              {"filter_friendly_name":"tech","expression":"Digits == 2","targets":[{Q:tech"}]}],
             "default_filter":{Q:tech"}}
            """);
        await s.AgentAsync("biller", new { skills = new[] { "billing" } });
        await s.AgentAsync("techie", new { skills = new[] { "tech" } });

        var billing = await s.CallAsync("c1", "w", new { Digits = "1" });
        var tech = await s.CallAsync("c2", "w", new { Digits = "2" });

        Assert.Equal((s.Id("billing"), s.Id("biller"), "billing"), (billing.QueueId, billing.OfferedAgentId, billing.FilterName));
        Assert.Equal((s.Id("tech"), s.Id("techie")), (tech.QueueId, tech.OfferedAgentId));
    }

    [Fact]
    public async Task ATargetTimeoutMovesTheCallToTheNextTargetKeepingItsAge()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("experts", "level >= 5");
        await s.QueueAsync("everyone");
        await s.WorkflowAsync("w", """
            {"filters":[{"expression":"1==1","targets":[{Q:experts","timeout":30},{Q:everyone","priority":2}]}]}
            """);
        await s.AgentAsync("junior", new { level = 1 });
        await s.Agent("junior").SetActivityAsync(Activities.Break);

        var call = await s.CallAsync("c", "w");
        Assert.Equal(s.Id("experts"), call.QueueId);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        await Scenario.EventuallyAsync(async () => (await s.CallViewAsync("c")).QueueId == s.Id("everyone"), "the call moved to the next target");
        var moved = await s.CallViewAsync("c");
        Assert.Equal((CallStatus.Queued, 2, call.CreatedAt), (moved.Status, moved.Priority, moved.CreatedAt));

        await s.Agent("junior").SetActivityAsync(Activities.Available);
        await s.CallEventuallyAsync("c", CallStatus.Offered, "junior");
    }

    [Fact]
    public async Task WhenTheLastTargetTimesOutTheCallStaysWhereItIs()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.WorkflowAsync("w", """{"filters":[{"expression":"1==1","targets":[{Q:q","timeout":10}]}]}""");
        await s.CallAsync("c", "w");
        fixture.Time.Advance(TimeSpan.FromSeconds(11));
        await Scenario.EventuallyAsync(async () =>
            (await s.Grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync(s.Id("q")))!.Waiting == 1
            && (await s.CallViewAsync("c")).Status == CallStatus.Queued, "the call still waits in q");
    }

    [Fact]
    public async Task MaxWaitOverflowsToTheNextTargetOrEndsWithTheQueuesMessage()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("first", maxWaitSeconds: 60);
        await s.QueueAsync("overflow", maxWaitSeconds: 30);
        await s.WorkflowAsync("w", """{"filters":[{"expression":"1==1","targets":[{Q:first"},{Q:overflow"}]}]}""");
        await s.CallAsync("c", "w");

        fixture.Time.Advance(TimeSpan.FromSeconds(60));
        await Scenario.EventuallyAsync(async () => (await s.CallViewAsync("c")).QueueId == s.Id("overflow"), "the call overflowed");
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        var ended = await s.CallEventuallyAsync("c", CallStatus.Canceled);
        Assert.Equal("max-wait", ended.EndReason);
        Assert.False(string.IsNullOrEmpty(ended.Message));
        Assert.Equal(90, ended.WaitSeconds!.Value, precision: 3);
    }

    [Fact]
    public async Task AFullQueueSendsTheCallerOnOrTellsThem()
    {
        var s = new Scenario(fixture);
        var small = await s.QueueAsync("small", maxLength: 1);
        await s.Grains.GetGrain<IQueueGrain>(small.Id).ConfigureAsync(small with { OverflowMessage = "満席です" });
        await s.QueueAsync("spill");
        await s.WorkflowAsync("spilling", """{"filters":[{"expression":"1==1","targets":[{Q:small"},{Q:spill"}]}]}""");
        await s.WorkflowAsync("strict", """{"filters":[{"expression":"1==1","targets":[{Q:small"}]}]}""");

        Assert.Equal(s.Id("small"), (await s.CallAsync("c1", "spilling")).QueueId);
        Assert.Equal(s.Id("spill"), (await s.CallAsync("c2", "spilling")).QueueId);
        var refused = await s.CallAsync("c3", "strict");
        Assert.Equal((CallStatus.Canceled, "queue-full", "満席です"), (refused.Status, refused.EndReason, refused.Message));
    }

    [Fact]
    public async Task AClosedQueueGivesItsClosedMessage()
    {
        var s = new Scenario(fixture);
        var q = await s.QueueAsync("night", closed: true);
        await s.Grains.GetGrain<IQueueGrain>(q.Id).ConfigureAsync(q with { ClosedMessage = "本日の受付は終了しました" });
        await s.SimpleWorkflowAsync("w", "night");
        var call = await s.CallAsync("c", "w");
        Assert.Equal((CallStatus.Canceled, "queue-closed", "本日の受付は終了しました"), (call.Status, call.EndReason, call.Message));
    }

    [Fact]
    public async Task ACallNoFilterMatchesIsEndedWithTheNoRouteMessage()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.WorkflowAsync("w", """{"filters":[{"expression":"language == 'ja'","targets":[{Q:q"}]}]}""");
        var call = await s.CallAsync("c", "w", new { language = "fr" });
        Assert.Equal((CallStatus.Canceled, "no-matching-filter"), (call.Status, call.EndReason));
        Assert.False(string.IsNullOrEmpty(call.Message));
    }

    [Fact]
    public async Task SkipIfMovesOnAtOnceWhenNobodyIsAvailable()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("ja", "languages HAS 'ja'");
        await s.QueueAsync("any");
        await s.WorkflowAsync("w", """
            {"filters":[{"expression":"1==1","targets":[{Q:ja","skip_if":"workers.available == 0"},{Q:any"}]}]}
            """);
        await s.AgentAsync("en", new { languages = new[] { "en" } });
        var call = await s.CallAsync("c", "w");
        Assert.Equal((s.Id("any"), s.Id("en")), (call.QueueId, call.OfferedAgentId));
    }

    [Fact]
    public async Task KnownAgentRoutingOffersThePreferredAgentFirst()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.WorkflowAsync("w", """
            {"filters":[{"expression":"1==1","targets":[{Q:q","known_worker_id":"task.last_agent","timeout":20},{Q:q"}]}]}
            """);
        await s.AgentAsync("other");
        await s.AgentAsync("ricky");
        await s.Agent("ricky").SetActivityAsync(Activities.Break);
        await s.Agent("other").SetActivityAsync(Activities.Break);
        await s.Agent("other").SetActivityAsync(Activities.Available);

        var call = await s.CallAsync("c", "w", new { last_agent = s.Id("ricky") });
        Assert.Equal(CallStatus.Queued, call.Status); // "other" is free but is not ricky

        await s.Agent("ricky").SetActivityAsync(Activities.Available);
        await s.CallEventuallyAsync("c", CallStatus.Offered, "ricky");
    }

    [Fact]
    public async Task TargetExpressionsMatchTaskAndWorkerAttributes()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.WorkflowAsync("w", """
            {"filters":[{"expression":"1==1","targets":[{Q:q","expression":"task.language IN worker.languages"}]}]}
            """);
        await s.AgentAsync("en", new { languages = new[] { "en" } });
        await s.AgentAsync("ja", new { languages = new[] { "ja", "en" } });
        var call = await s.CallAsync("c", "w", new { language = "ja" });
        Assert.Equal(s.Id("ja"), call.OfferedAgentId);
    }

    [Fact]
    public async Task EscalationKeepsALowPriorityCallFromStarving()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.WorkflowAsync("w", """
            {"filters":[
              {"filter_friendly_name":"vip","expression":"vip == true","targets":[{Q:q","priority":10}]},
              {"filter_friendly_name":"normal","expression":"1==1","targets":[{Q:q","priority":0,"timeout":120},{Q:q","priority":20}]}]}
            """);
        await s.CallAsync("low", "w", new { vip = false });
        fixture.Time.Advance(TimeSpan.FromSeconds(60));
        await s.CallAsync("vip1", "w", new { vip = true });

        // A free agent now takes the VIP first...
        await s.AgentAsync("a");
        await s.CallEventuallyAsync("vip1", CallStatus.Offered, "a");

        // ...but once the low call has waited 120 s it escalates above any VIP.
        fixture.Time.Advance(TimeSpan.FromSeconds(60));
        await Scenario.EventuallyAsync(async () => (await s.CallViewAsync("low")).Priority == 20, "the low call escalated");
        await s.CallAsync("vip2", "w", new { vip = true });
        await s.AgentAsync("b");
        await s.CallEventuallyAsync("low", CallStatus.Offered, "b");
        Assert.Equal(CallStatus.Queued, (await s.CallViewAsync("vip2")).Status);
    }
}
