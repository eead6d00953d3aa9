using Acd.Grains.Abstractions;
using Acd.Grains.Agents;
using Acd.Grains.Calls;
using Acd.Grains.Calls.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Acd.Grains.Tests.Storage;

/// <summary>State written by the version before the call lifecycle became parts (see StoredBefore/README.md) still loads.</summary>
public sealed class StoredStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 1, 0, 0, TimeSpan.Zero);

    private static readonly Serializer Serializer =
        new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(CallState).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();

    private static T Read<T>(string file) =>
        Serializer.Deserialize<T>(Convert.FromBase64String(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Storage", "StoredBefore", file))))!;

    private static CallState Upgraded(string file)
    {
        var state = Read<CallState>(file);
        Assert.Equal(0, state.Shape);
        Assert.True(StoredCallState.Upgrade(state, T0.AddMinutes(5)));
        Assert.Equal(CallState.CurrentShape, state.Shape);
        return state;
    }

    [Fact]
    public void AConnectedCallStoredTheOldWayLoadsWithEveryPartInPlace()
    {
        var s = Upgraded("call-connected.b64");

        Assert.Equal((CallKind.Inbound, CallStatus.Connected, "alice", "carol"), (s.Kind, s.Status, s.AgentId, s.ConsultAgentId));
        Assert.Equal(("support", "japanese", "sales", 5, 17L), (s.Routing.WorkflowId, s.Routing.FilterName, s.Routing.QueueId, s.Routing.Priority, s.Routing.Sequence));
        Assert.Equal(["bob"], s.Routing.DeclinedBy);
        Assert.Equal((20, 30, "full"), (s.Routing.ReservationTimeoutSeconds, s.Routing.WrapUpSeconds, s.Routing.OverflowMessage));
        Assert.Equal("worker.level > 2", s.Routing.Waiting!.TargetExpression);
        Assert.Equal(("acd-CAcaller1-0a1b2c3d", "CF00000000000000000000000000000001"), (s.Conference.Name, s.Conference.Sid));
        Assert.Equal([1, 2, 3], s.Conference.Seen);
        Assert.Equal("hold CAcaller1", s.Conference.Pending.Single().Description);
        Assert.Equal(true, s.Conference.Pending.Single().Update!.Hold);
        Assert.Equal(T0.AddSeconds(51), s.Conference.PendingDeadline);
        Assert.Equal((T0, T0.AddSeconds(2), T0.AddSeconds(40), 40.0), (s.Figures.CreatedAt, s.Figures.QueuedAt, s.Figures.ConnectedAt, s.Figures.WaitSeconds!.Value));
        Assert.Equal((T0.AddSeconds(45), 3.5, T0.AddSeconds(50), 1.25), (s.Figures.HoldStartedAt, s.Figures.HoldSeconds, s.Figures.ConsultAnsweredAt, s.Figures.HoldAtConsultAnswered));
        Assert.True(s.Figures.OnHold);
        Assert.Equal(T0.AddSeconds(30), s.WrappingAfterTransfer["dave"]);
        Assert.Equal((3, 2), (s.Legs.Counter, s.Offers.Count));
        Assert.Equal(
            [
                ("caller", LegRole.Caller, (string?)null, LegStatus.InProgress, "customer"),
                ("a1", LegRole.Agent, "bob", LegStatus.NoAnswer, "agent-bob"),
                ("a2", LegRole.Agent, "alice", LegStatus.InProgress, "agent-alice"),
                ("a3", LegRole.Consult, "carol", LegStatus.InProgress, "agent-carol"),
                ("s4", LegRole.Supervisor, "sam", LegStatus.Queued, "supervisor-sam"),
            ],
            s.Legs.All.Select(l => (l.LegId[(l.LegId.LastIndexOf('-') + 1)..], l.Role, l.AgentId, l.Status, l.Label!)));
        Assert.True(s.Legs.All[2].Muted);
        Assert.True(s.Legs.All[4].FlagsToApply);
        Assert.Empty(s.Offers.Live); // connected, and the consulted agent has answered
        Assert.Null(s.StoredLegs);
        Assert.Null(s.StoredDirection);
    }

    [Fact]
    public void AnOutboundCallRingingTheAgentKeepsItsOfferAndItsPendingDial()
    {
        var s = Upgraded("call-outbound.b64");

        Assert.Equal((CallKind.Outbound, CallStatus.Offered, "+81312345678", "+81501234567"), (s.Kind, s.Status, s.OutboundTo, s.OutboundCallerId));
        var offer = s.Offers.Live.Single();
        Assert.Equal(("alice", OfferKind.Outbound, T0.AddSeconds(30)), (offer.AgentId, offer.Kind, offer.Deadline));
        Assert.True(offer.Sent);
        Assert.Equal("out1-a1", offer.LegId);
        Assert.Equal("+81312345678", s.Conference.Pending.Single().Add!.To);
        Assert.Equal("alice", CallViews.View("out1", s).OfferedAgentId);
    }

    [Fact]
    public void AQueuedCallKeepsItsPlaceAndDeadlines()
    {
        var s = Upgraded("call-queued.b64");

        Assert.Equal((CallStatus.Queued, "sales", 4L), (s.Status, s.Routing.QueueId, s.Routing.Sequence));
        Assert.Equal((T0.AddSeconds(60), T0.AddSeconds(300)), (s.Routing.StepDeadline, s.Routing.MaxWaitDeadline));
        Assert.Equal(new Acd.Grains.Routing.Workflows.RoutingStep(1, 0), s.Routing.Step);
        Assert.Equal("{\"language\":\"ja\"}", s.Routing.Waiting!.TaskAttributesJson);
        Assert.Equal(LegStatus.Canceled, s.Legs.All.Single(l => l.Role == LegRole.Agent).Status);
        Assert.Empty(s.Offers.Live);
    }

    [Fact]
    public void AnUpgradedCallIsWrittenInTheNewShapeAndReadBackAsIs()
    {
        var s = Upgraded("call-connected.b64");

        var again = Serializer.Deserialize<CallState>(Serializer.SerializeToArray(s))!;

        Assert.False(StoredCallState.Upgrade(again, T0));
        Assert.Equal(CallViews.View("CAcaller1", s), CallViews.View("CAcaller1", again), new ViewComparer());
    }

    [Fact]
    public void AnAgentStoredTheOldWayLoads()
    {
        var agent = Read<AgentState>("agent.b64");

        Assert.Equal(("Alice", 2, "Available", 44L), (agent.FriendlyName, agent.Capacity, agent.Activity, agent.Version));
        Assert.Equal(["q1"], agent.Offers);
        Assert.Equal(T0.AddSeconds(40), agent.Calls["CAcaller1"]);
        Assert.Empty(agent.HeldSince); // filled in when the agent activates, and its holds are verified
    }

    /// <summary>Views hold lists: compared by their JSON.</summary>
    private sealed class ViewComparer : IEqualityComparer<CallView>
    {
        public bool Equals(CallView? x, CallView? y) => System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);

        public int GetHashCode(CallView obj) => 0;
    }
}
