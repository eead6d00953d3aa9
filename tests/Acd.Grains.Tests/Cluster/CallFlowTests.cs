using Acd.Grains.Abstractions;

namespace Acd.Grains.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class CallFlowTests(ClusterFixture fixture)
{
    [Fact]
    public async Task CallIsOfferedToTheAvailableAgentAndConnectsWhenAccepted()
    {
        var s = new Scenario(fixture);
        await s.QueueAsync("support", wrapUpSeconds: 30);
        await s.SimpleWorkflowAsync("inbound", "support");
        await s.AgentAsync("alice");

        var call = await s.CallAsync("c1", "inbound");

        Assert.Equal(CallStatus.Offered, call.Status);
        Assert.Equal(s.Id("alice"), call.OfferedAgentId);
        Assert.Contains(fixture.Telephony.Rings, r => r.Leg.CallId == s.Id("c1") && r.ContactUri == $"client:{s.Id("alice")}");

        var accepted = await s.Call("c1").AcceptAsync(s.Id("alice"));
        Assert.Equal(CallStatus.Connected, accepted.Value!.Status);
        var alice = await s.AgentViewAsync("alice");
        Assert.Contains(s.Id("c1"), alice.Calls);

        var hungUp = await s.Call("c1").HangUpAsync();
        Assert.Equal(CallStatus.WrapUp, hungUp.Value!.Status);
        Assert.Equal(Activities.WrapUp, (await s.AgentViewAsync("alice")).Activity);

        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        await s.CallEventuallyAsync("c1", CallStatus.Completed);
        Assert.Equal(Activities.Available, (await s.AgentViewAsync("alice")).Activity);
    }
}
