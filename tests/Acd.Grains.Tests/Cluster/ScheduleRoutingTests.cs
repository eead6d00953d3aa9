using Microsoft.Extensions.DependencyInjection;
using Acd.Grains.Abstractions;
using Acd.Grains.Schedules;

namespace Acd.Grains.Tests.Cluster;

/// <summary>A workflow routes by a schedule: <c>schedule.&lt;id&gt;</c> in a filter reads whether it is open when the call arrives.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ScheduleRoutingTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    /// <summary>A schedule's id as expressions name it (<c>schedule.t3_hours</c>: a key has no hyphens).</summary>
    private static string ScheduleId(Scenario s, string name) => $"{s.Team}_{name}";

    /// <summary>Tokyo's time on the fake clock, and the whole minute two minutes on (a schedule's change to come).</summary>
    private (TimeOnly Local, TimeOnly Change) TwoMinutesOn()
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(fixture.Time.GetUtcNow(), Tokyo).DateTime);
        var change = new TimeOnly(local.Hour, local.Minute).AddMinutes(2);
        Assert.True(change > local, "the test needs two minutes before midnight in Tokyo");
        return (local, change);
    }

    private async Task ScheduleAsync(Scenario s, string name, TimeOnly open)
    {
        var definition = new ScheduleDefinition(ScheduleId(s, name), name, ScheduleDefinition.DefaultTimeZone,
            [new WeeklyHours([.. Enum.GetValues<DayOfWeek>()], open, null)], ClosedOnNationalHolidays: false, []);
        var outcome = await s.Grains.GetGrain<IScheduleGrain>(definition.Id).ConfigureAsync(definition);
        Assert.True(outcome.Ok, outcome.Problem?.Detail);
    }

    [Fact]
    public async Task ACallArrivingOneMinuteBeforeOpeningGoesAfterHoursAndOneAtOpeningGoesToTheDayQueue()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("day");
        await s.QueueAsync("night");
        var (local, opens) = TwoMinutesOn();
        await ScheduleAsync(s, "hours", opens);
        var filter = $"schedule.{ScheduleId(s, "hours")} == 'closed'";
        await s.WorkflowAsync("w", """{"filters":[{"filter_friendly_name":"closed","expression":"FILTER","targets":[{Q:night"}]}],"default_filter":{Q:day"}}""".Replace("FILTER", filter, StringComparison.Ordinal));

        var early = await s.CallAsync("early", "w");
        Assert.Equal((CallStatus.Queued, s.Id("night")), (early.Status, early.QueueId));

        fixture.Time.Advance((opens - local) + TimeSpan.FromSeconds(1));
        var onTime = await s.CallAsync("on-time", "w");
        Assert.Equal((CallStatus.Queued, s.Id("day")), (onTime.Status, onTime.QueueId));
    }

    [Fact]
    public async Task AScheduleThatDoesNotExistLeavesTheKeyToTheCallsAttributes()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("day");
        await s.QueueAsync("night");
        await s.WorkflowAsync("w", """{"filters":[{"expression":"schedule.shift == 'night'","targets":[{Q:night"}]}],"default_filter":{Q:day"}}""");
        var call = await s.CallAsync("c", "w", new { schedule = new { shift = "night" } });
        Assert.Equal(s.Id("night"), call.QueueId);
    }

    [Fact]
    public async Task ANewCallerAtAClosedQueueGoesToTheNextTargetOrHearsWhyAndWhenItOpens()
    {
        var s = new Scenario(fixture);
        var (local, opens) = TwoMinutesOn();
        await ScheduleAsync(s, "hours", opens);
        var day = new QueueDefinition(s.Id("day"), "day", $"team == '{s.Team}'", "FIFO", AgentSelection.LongestIdle, null, 0, 0, 0, false, null, null, ScheduleId(s, "hours"));
        Assert.True((await s.Grains.GetGrain<IQueueGrain>(day.Id).ConfigureAsync(day)).Ok);
        await s.QueueAsync("after-hours");
        await s.SimpleWorkflowAsync("only-day", "day");
        await s.WorkflowAsync("with-fallback", """{"default_filter":{"targets":[{Q:day"},{Q:after-hours"}]}}""");

        var turnedAway = await s.CallAsync("turned-away", "only-day");
        Assert.Equal((CallStatus.Canceled, "queue-closed"), (turnedAway.Status, turnedAway.EndReason));
        Assert.Equal($"お電話ありがとうございます。ただいまの時間は受付時間外です。受付は本日{opens.Hour}時{(opens.Minute == 0 ? "" : $"{opens.Minute}分")}からです。", turnedAway.Message);
        var fallback = await s.CallAsync("fallback", "with-fallback");
        Assert.Equal((CallStatus.Queued, s.Id("after-hours")), (fallback.Status, fallback.QueueId));

        fixture.Time.Advance((opens - local) + TimeSpan.FromSeconds(1));
        var onTime = await s.CallAsync("on-time", "only-day");
        Assert.Equal((CallStatus.Queued, s.Id("day")), (onTime.Status, onTime.QueueId));
    }

    [Fact]
    public async Task AQueueNamingAScheduleThatDoesNotExistIsRefused()
    {
        var s = new Scenario(fixture);
        var queue = new QueueDefinition(s.Id("q"), "q", "1==1", "FIFO", AgentSelection.LongestIdle, null, 0, 0, 0, false, null, null, "nowhere");
        var outcome = await s.Grains.GetGrain<IQueueGrain>(queue.Id).ConfigureAsync(queue);
        Assert.Equal(("schedule", "No schedule 'nowhere'"), (outcome.Problem?.Field, outcome.Problem?.Detail));
    }

    [Fact]
    public async Task AScheduleTellsWhenItClosesAndOpensOnTheClock()
    {
        var s = new Scenario(fixture);
        var log = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<Acd.Grains.Events.IEventLog>();
        var from = fixture.Time.GetUtcNow();
        var (local, opens) = TwoMinutesOn();
        await ScheduleAsync(s, "told", opens);
        async Task<List<string>> Told() => [.. (await log.QueryAsync(new Acd.Grains.Events.EventQuery(From: from.AddMinutes(-1), Limit: 10_000))).Events
            .Where(e => e.DataJson.Contains(ScheduleId(s, "told"), StringComparison.Ordinal)).Select(e => e.Type)];
        Assert.Equal(["schedule.closed"], await Told());

        fixture.Time.Advance((opens - local) + TimeSpan.FromSeconds(1));
        await Scenario.EventuallyAsync(async () => (await Told()).Count == 2, "the opening is told");
        Assert.Equal(["schedule.closed", "schedule.opened"], await Told());
    }

    [Fact]
    public async Task AWorkflowTargetNamingAScheduleAppliesOnlyWhileItIsOpen()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("day");
        await s.QueueAsync("after-hours");
        var (local, opens) = TwoMinutesOn();
        await ScheduleAsync(s, "target", opens);
        await s.WorkflowAsync("w", """{"default_filter":{"targets":[{Q:day","schedule":"SCHEDULE"},{Q:after-hours"}]}}""".Replace("SCHEDULE", ScheduleId(s, "target"), StringComparison.Ordinal));

        Assert.Equal(s.Id("after-hours"), (await s.CallAsync("early", "w")).QueueId);
        fixture.Time.Advance((opens - local) + TimeSpan.FromSeconds(1));
        Assert.Equal(s.Id("day"), (await s.CallAsync("on-time", "w")).QueueId);

        var unknown = new WorkflowDefinition(s.Id("bad"), "bad", 15, """{"task_routing":{"default_filter":{"targets":[{"queue":"QUEUE","schedule":"nowhere"}]}}}""".Replace("QUEUE", s.Id("day"), StringComparison.Ordinal));
        var refused = await s.Grains.GetGrain<IWorkflowGrain>(unknown.Id).ConfigureAsync(unknown);
        Assert.Equal("configuration.task_routing.default_filter.targets[0].schedule", refused.Problem?.Field);
    }

    [Fact]
    public async Task AtClosingTheCallsWaitingHearTheMessageOrKeepTheirPlaceAsTheQueueSays()
    {
        var s = new Scenario(fixture);
        var (local, closes) = TwoMinutesOn();
        Assert.True(local > new TimeOnly(0, 1), "the test needs a minute after midnight in Tokyo");
        var definition = new ScheduleDefinition(ScheduleId(s, "closing"), "closing", ScheduleDefinition.DefaultTimeZone,
            [new WeeklyHours([.. Enum.GetValues<DayOfWeek>()], TimeOnly.MinValue, closes)], ClosedOnNationalHolidays: false, []);
        Assert.True((await s.Grains.GetGrain<IScheduleGrain>(definition.Id).ConfigureAsync(definition)).Ok);
        foreach (var (name, atClosing) in new[] { ("tell", AtClosing.PlayMessage), ("keep", AtClosing.KeepServing) })
        {
            var queue = new QueueDefinition(s.Id(name), name, $"team == '{s.Team}'", "FIFO", AgentSelection.LongestIdle, null, 0, 0, 0, false, null, null, definition.Id, atClosing);
            Assert.True((await s.Grains.GetGrain<IQueueGrain>(queue.Id).ConfigureAsync(queue)).Ok);
            await s.SimpleWorkflowAsync(name, name);
        }
        Assert.Equal(CallStatus.Queued, (await s.CallAsync("told", "tell")).Status);
        Assert.Equal(CallStatus.Queued, (await s.CallAsync("kept", "keep")).Status);

        fixture.Time.Advance((closes - local) + TimeSpan.FromSeconds(1));

        var told = await s.CallEventuallyAsync("told", CallStatus.Canceled);
        Assert.Equal("queue-closed", told.EndReason);
        Assert.StartsWith("お電話ありがとうございます。ただいまの時間は受付時間外です。受付は明日0時からです。", told.Message);
        Assert.Empty((await s.Grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync(s.Id("tell")))!.WaitingCallIds);
        var kept = await s.CallViewAsync("kept");
        Assert.Equal((CallStatus.Queued, s.Id("keep")), (kept.Status, kept.QueueId));
    }
}
