using Acd.Grains.Abstractions;

namespace Acd.Grains.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class OfferTests(ClusterFixture fixture)
{
    [Fact]
    public async Task CallerKeepsItsPlaceWhenTheOfferTimesOut()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.SimpleWorkflowAsync("w", "q", reservationTimeout: 15);
        await s.AgentAsync("absent");

        var first = await s.CallAsync("first", "w");
        Assert.Equal(CallStatus.Offered, first.Status);
        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        var second = await s.CallAsync("second", "w");
        Assert.Equal(CallStatus.Queued, second.Status);

        fixture.Time.Advance(TimeSpan.FromSeconds(10)); // the offer rang for 15 s
        var requeued = await s.CallEventuallyAsync("first", CallStatus.Queued);
        Assert.Equal(first.CreatedAt, requeued.CreatedAt);
        var stats = await s.Grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync(s.Id("q"));
        Assert.Equal([s.Id("first"), s.Id("second")], stats!.WaitingCallIds);
        Assert.Contains(fixture.Telephony.Requests.OfType<Telephony.LegReference>(), l => l.CallId == s.Id("first"));

        // The absent agent was moved to Break after one miss, so nothing rings their desk again.
        var absent = await s.AgentViewAsync("absent");
        Assert.Equal(Activities.Break, absent.Activity);
        Assert.Equal(1, absent.ConsecutiveMissedOffers);

        // The next agent to come in takes the caller who has waited longest.
        await s.AgentAsync("present");
        await s.CallEventuallyAsync("first", CallStatus.Offered, "present");
    }

    [Fact]
    public async Task RejectedOfferGoesToTheNextAgentWithoutCountingAMiss()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.SimpleWorkflowAsync("w", "q");
        await s.AgentAsync("a");
        var call = await s.CallAsync("c", "w");
        await s.AgentAsync("b");

        var rejected = await s.Call("c").RejectAsync(call.OfferedAgentId!);
        Assert.True(rejected.Ok);
        await s.CallEventuallyAsync("c", CallStatus.Offered, "b");
        var a = await s.AgentViewAsync("a");
        Assert.Equal((Activities.Available, 0), (a.Activity, a.ConsecutiveMissedOffers));
    }

    [Fact]
    public async Task GoingOnBreakWhileRingingWithdrawsTheOffer()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.SimpleWorkflowAsync("w", "q");
        await s.AgentAsync("a");
        await s.CallAsync("c", "w");

        await s.Agent("a").SetActivityAsync(Activities.Break);

        var view = await s.CallEventuallyAsync("c", CallStatus.Queued);
        Assert.Null(view.OfferedAgentId);
        Assert.Contains(view.Legs, l => l.AgentId == s.Id("a") && l.Status == LegStatus.Canceled);
        await Scenario.EventuallyAsync(async () => (await s.AgentViewAsync("a")).Offers.Count == 0, "the offer is gone from the agent");
    }

    [Fact]
    public async Task AgentWrapsUpForTheQueuesTimeThenBecomesAvailableAndTakesTheNextCall()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q", wrapUpSeconds: 20);
        await s.SimpleWorkflowAsync("w", "q");
        await s.AgentAsync("a");
        await s.CallAsync("c1", "w");
        await s.Call("c1").AcceptAsync(s.Id("a"));
        await s.CallAsync("c2", "w");

        fixture.Time.Advance(TimeSpan.FromSeconds(90));
        await s.Call("c1").CallerHungUpAsync();
        var agent = await s.AgentViewAsync("a");
        Assert.Equal(Activities.WrapUp, agent.Activity);
        Assert.Equal(1, agent.CallsToday);
        Assert.Equal(90, agent.TalkSecondsToday, precision: 3);
        Assert.Equal(CallStatus.Queued, (await s.CallViewAsync("c2")).Status);

        fixture.Time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(CallStatus.WrapUp, (await s.CallViewAsync("c1")).Status);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        await s.CallEventuallyAsync("c1", CallStatus.Completed);
        await s.CallEventuallyAsync("c2", CallStatus.Offered, "a");
    }

    [Fact]
    public async Task AgentCanEndWrapUpEarly()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q", wrapUpSeconds: 300);
        await s.SimpleWorkflowAsync("w", "q");
        await s.AgentAsync("a");
        await s.CallAsync("c", "w");
        await s.Call("c").AcceptAsync(s.Id("a"));
        await s.Call("c").HangUpAsync();

        var completed = await s.Call("c").CompleteAsync();
        Assert.Equal(CallStatus.Completed, completed.Value!.Status);
        Assert.Equal(Activities.Available, (await s.AgentViewAsync("a")).Activity);
    }

    [Fact]
    public async Task CallerWhoHangsUpWhileWaitingIsAbandonedWithTheWaitTime()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.SimpleWorkflowAsync("w", "q");
        await s.CallAsync("c", "w");
        fixture.Time.Advance(TimeSpan.FromSeconds(42));

        var view = (await s.Call("c").CallerHungUpAsync()).Value!;

        Assert.Equal((CallStatus.Abandoned, "caller-hangup"), (view.Status, view.EndReason));
        Assert.Equal(42, view.WaitSeconds!.Value, precision: 3);
        var stats = await s.Grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync(s.Id("q"));
        Assert.Equal(0, stats!.Waiting);
        // The agent who becomes available afterwards is not offered the abandoned call.
        await s.AgentAsync("late");
        Assert.Empty((await s.AgentViewAsync("late")).Offers);
    }

    [Fact]
    public async Task CallerWhoHangsUpWhileTheAgentRingsCancelsTheLegAndFreesTheAgent()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.SimpleWorkflowAsync("w", "q");
        await s.AgentAsync("a");
        await s.CallAsync("c", "w");

        var view = (await s.Call("c").CallerHungUpAsync()).Value!;

        Assert.Equal(CallStatus.Abandoned, view.Status);
        Assert.Contains(view.Legs, l => l.Role == LegRole.Agent && l.Status == LegStatus.Canceled);
        var agent = await s.AgentViewAsync("a");
        Assert.Empty(agent.Offers);
        Assert.Equal((Activities.Available, 0), (agent.Activity, agent.ConsecutiveMissedOffers));
    }
}
