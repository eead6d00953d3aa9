using Acd.Grains.Abstractions;
using Acd.Grains.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Acd.Grains.Tests.Cluster;

/// <summary>
/// Faults an outside review reproduced in the call lifecycle (issue "Never lose a caller"): each test failed on the code
/// before the fix.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LifecycleFaultTests(ClusterFixture fixture)
{
    private IWaitingCallStore Stored => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IWaitingCallStore>();

    [Theory]
    [InlineData("closed")]
    [InlineData("filled")]
    public async Task ACallWhoseOfferFailsAfterItsQueueClosedOrFilledKeepsItsPlace(string change)
    {
        var s = new Scenario(fixture);
        var queue = await s.QueueAsync("q", maxLength: change == "filled" ? 1 : 0);
        await s.SimpleWorkflowAsync("w", "q");
        await s.AgentAsync("a");
        var first = await s.CallAsync("first", "w");
        Assert.Equal(CallStatus.Offered, first.Status);
        if (change == "filled")
        {
            // A second caller takes the one place left while the first one's agent is ringing.
            Assert.Equal(CallStatus.Queued, (await s.CallAsync("second", "w")).Status);
        }
        else
        {
            Assert.True((await s.Grains.GetGrain<IQueueGrain>(queue.Id).ConfigureAsync(queue with { Closed = true })).Ok);
        }

        Assert.True((await s.Call("first").RejectAsync(s.Id("a"))).Ok);

        // The caller was admitted before the change: it waits again, at the head, and its waiting record is stored.
        var requeued = await s.CallEventuallyAsync("first", CallStatus.Queued);
        Assert.Equal(first.CreatedAt, requeued.CreatedAt);
        var waiting = (await s.Grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync(queue.Id))!.WaitingCallIds;
        Assert.Equal(s.Id("first"), waiting[0]);
        Assert.Contains(await Stored.LoadAsync(queue.Id), w => w.CallId == s.Id("first"));
        // And it is routed when an agent comes.
        await s.AgentAsync("b");
        await s.CallEventuallyAsync("first", CallStatus.Offered, "b");
    }

    [Fact]
    public async Task ACallWhoseQueueWasDeletedWhileItRangGoesOnThroughItsWorkflow()
    {
        var s = new Scenario(fixture);
        var gone = await s.QueueAsync("gone");
        var next = await s.QueueAsync("next", targetWorkers: "skill == 'none'");
        await s.WorkflowAsync("w", """{"filters":[{"expression":"1==1","targets":[{Q:gone"},{Q:next"}]}]}""");
        await s.AgentAsync("a");
        Assert.Equal(CallStatus.Offered, (await s.CallAsync("c", "w")).Status);
        // The admin retargets the workflow and deletes the queue while the agent's phone rings.
        await s.WorkflowAsync("w", """{"filters":[{"expression":"1==1","targets":[{Q:next"}]}]}""");
        Assert.True((await s.Grains.GetGrain<IQueueGrain>(gone.Id).DeleteAsync()).Ok);

        Assert.True((await s.Call("c").RejectAsync(s.Id("a"))).Ok);

        var view = await s.CallEventuallyAsync("c", CallStatus.Queued);
        Assert.Equal(next.Id, view.QueueId);
        Assert.Contains(await Stored.LoadAsync(next.Id), w => w.CallId == s.Id("c"));
    }

    [Fact]
    public async Task AnAgentHeldByACallThatDoesNotNameThemIsLetGo()
    {
        // A step that stopped halfway: the agent's reservation was saved, the call never recorded its offer.
        var s = new Scenario(fixture);
        await s.AgentAsync("a");
        Assert.True((await s.Agent("a").TryReserveAsync(s.Id("never-offered"))).Accepted);
        Assert.Single((await s.AgentViewAsync("a")).Offers);

        fixture.Time.Advance(TimeSpan.FromSeconds(31));

        await Scenario.EventuallyAsync(async () => (await s.AgentViewAsync("a")).Offers.Count == 0, "the agent asks the call, which does not name them, and is free again");
        Assert.Equal(Activities.Available, (await s.AgentViewAsync("a")).Activity);
    }

    [Fact]
    public async Task AnAgentOnACallThatStillNamesThemIsKept()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("q");
        await s.SimpleWorkflowAsync("w", "q", reservationTimeout: 120);
        await s.AgentAsync("a");
        await s.CallAsync("c", "w");
        Assert.True((await s.Call("c").AcceptAsync(s.Id("a"))).Ok);

        fixture.Time.Advance(TimeSpan.FromSeconds(31));
        fixture.Time.Advance(TimeSpan.FromSeconds(31));

        var connected = await s.CallViewAsync("c");
        Assert.Equal(CallStatus.Connected, connected.Status);
        Assert.Equal([s.Id("c")], (await s.AgentViewAsync("a")).Calls);
    }

    [Fact]
    public async Task AnOutboundCallWhoseConferenceNeverReportsEndsRatherThanLeaveTheAgentAlone()
    {
        // Found by the soak: the agent answered, the customer's dial waited for the ConferenceSid, the SID did not come
        // in time, and the call stayed connected with the agent alone in the conference.
        var s = new Scenario(fixture);
        await s.AgentAsync("a", activity: Activities.Offline);
        var started = await s.Call("out").StartOutboundAsync(new OutboundStart(s.Id("a"), "+81312345678", null, "{}"));
        Assert.True(started.Ok, started.Problem?.Detail);
        // The agent's phone answers.
        var agentLeg = started.Value!.Legs.Single(l => l.AgentId == s.Id("a"));
        await s.Call("out").LegStatusAsync(new LegStatusReport(agentLeg.LegId, "CA-agent-leg", LegStatus.InProgress, null, fixture.Time.GetUtcNow()));
        await s.CallEventuallyAsync("out", CallStatus.Connected);

        fixture.Time.Advance(TimeSpan.FromSeconds(11));

        var ended = await s.CallEventuallyAsync("out", CallStatus.Failed);
        Assert.Equal("conference-unknown", ended.EndReason);
        await Scenario.EventuallyAsync(async () => (await s.AgentViewAsync("a")).Calls.Count == 0, "the agent is free again");
    }

    [Fact]
    public async Task AWaitingCallerIsLookedUpAtTwilioNowAndThenAndAbandonedIfTheyHaveGone()
    {
        // Found by the simulation: a waiting caller's hang-up comes by one callback, which Twilio does not send again if
        // it is lost; the call stayed Queued for ever. Acd now looks the caller's leg up every Acd:CallerCheckSeconds.
        var s = new Scenario(fixture);
        var queue = await s.QueueAsync("q");
        await s.SimpleWorkflowAsync("w", "q");
        var callerSid = $"CA{s.Id("caller")}";
        Assert.True((await s.Call("c").StartAsync(new CallStart("{}", s.Id("w"), callerSid))).Ok);
        Assert.Equal(CallStatus.Queued, (await s.CallViewAsync("c")).Status);
        bool LookedUp() => fixture.Telephony.Requests.OfType<Acd.Grains.Telephony.Reconciliation>().Any(r => r.Legs.Any(l => l.CallSid == callerSid));
        Assert.False(LookedUp());

        fixture.Time.Advance(TimeSpan.FromSeconds(new AcdOptions().CallerCheckSeconds + 1));

        await Scenario.EventuallyAsync(() => Task.FromResult(LookedUp()), "the waiting caller's leg is looked up");
        // Twilio answers that the caller's call has completed.
        await s.Call("c").LegStatusAsync(new LegStatusReport(null, callerSid, LegStatus.Completed, null, fixture.Time.GetUtcNow()));
        await s.CallEventuallyAsync("c", CallStatus.Abandoned);
        Assert.Empty((await s.Grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync(queue.Id))!.WaitingCallIds);
    }

    [Fact]
    public async Task AnOutboundCustomerWhoseFailureWasLostIsLookedUpPastTheirRingTime()
    {
        // Found by the soak: the customer's phone failed, Twilio's one status callback saying so was lost, and the agent
        // sat in the conference with nobody for ever. Acd now looks a still-ringing customer's leg up past its ring time.
        var s = new Scenario(fixture);
        await s.AgentAsync("a", activity: Activities.Offline);
        var started = await s.Call("out").StartOutboundAsync(new OutboundStart(s.Id("a"), "+81312345678", null, "{}"));
        Assert.True(started.Ok, started.Problem?.Detail);
        var agentLeg = started.Value!.Legs.Single(l => l.AgentId == s.Id("a"));
        await s.Call("out").LegStatusAsync(new LegStatusReport(agentLeg.LegId, $"CA{s.Id("agent-leg")}", LegStatus.InProgress, null, fixture.Time.GetUtcNow()));
        await s.Call("out").ConferenceEventAsync(new ConferenceEventReport($"CF{s.Id("conf")}", ConferenceEvent.Start, null, null, fixture.Time.GetUtcNow(), null, null, null, null, null));
        await Scenario.EventuallyAsync(async () => (await s.CallViewAsync("out")).Legs.Any(l => l.Role == LegRole.Customer), "the customer is dialled");
        var customer = (await s.CallViewAsync("out")).Legs.Single(l => l.Role == LegRole.Customer);
        var customerSid = $"CA{s.Id("customer")}";
        await s.Call("out").LegStatusAsync(new LegStatusReport(customer.LegId, customerSid, LegStatus.Ringing, null, fixture.Time.GetUtcNow()));
        bool LookedUp() => fixture.Telephony.Requests.OfType<Acd.Grains.Telephony.Reconciliation>().Any(r => r.Legs.Any(l => l.CallSid == customerSid));

        fixture.Time.Advance(TimeSpan.FromSeconds(70));
        Assert.False(LookedUp(), "not looked up while it may still ring");
        Assert.Equal(CallStatus.Connected, (await s.CallViewAsync("out")).Status);
        fixture.Time.Advance(TimeSpan.FromSeconds(6));

        await Scenario.EventuallyAsync(() => Task.FromResult(LookedUp()), "the customer's leg is looked up");
        // Twilio answers that the customer's call failed.
        await s.Call("out").LegStatusAsync(new LegStatusReport(null, customerSid, LegStatus.Failed, null, fixture.Time.GetUtcNow()));
        var ended = await s.CallEventuallyAsync("out", CallStatus.Failed);
        Assert.Equal("failed", ended.EndReason);
        await Scenario.EventuallyAsync(async () => (await s.AgentViewAsync("a")).Calls.Count == 0, "the agent is free again");
    }
}
