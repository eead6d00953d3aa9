using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;

namespace Acd.Grains.Tests.Calls;

public sealed class CallLegsTests
{
    [Fact]
    public void AStatusNeverGoesBackwards()
    {
        var legs = new CallLegs();
        var leg = legs.Add("c1", LegRole.Agent, "alice");

        Assert.True(CallLegs.Report(leg, LegStatus.InProgress, null).Answered);
        var late = CallLegs.Report(leg, LegStatus.Ringing, null);

        Assert.False(late.Moved);
        Assert.Equal(LegStatus.InProgress, leg.Status);
    }

    [Fact]
    public void TheFirstFinalStatusStands()
    {
        var leg = new CallLegs().Add("c1", LegRole.Agent, "alice");
        CallLegs.Report(leg, LegStatus.NoAnswer, null);

        Assert.False(CallLegs.Report(leg, LegStatus.Completed, null).Moved);
        Assert.Equal(LegStatus.NoAnswer, leg.Status);
    }

    [Fact]
    public void ADuplicateOrOlderSequenceNumberChangesNothing()
    {
        var leg = new CallLegs().Add("c1", LegRole.Agent, "alice");
        CallLegs.Report(leg, LegStatus.Ringing, 2);

        Assert.False(CallLegs.Report(leg, LegStatus.InProgress, 2).Moved);
        Assert.False(CallLegs.Report(leg, LegStatus.InProgress, 1).Moved);
        Assert.True(CallLegs.Report(leg, LegStatus.InProgress, 3).Moved);
    }

    [Fact]
    public void ACompletedLegWasAnswered()
    {
        var leg = new CallLegs().Add("c1", LegRole.Agent, "alice");
        CallLegs.Report(leg, LegStatus.Ringing, null);

        var change = CallLegs.Report(leg, LegStatus.Completed, null);

        Assert.True(change.Ended);
        Assert.True(leg.Answered);
    }

    [Fact]
    public void ALegAcdEndedIsNoLongerLiveAndShowsHowAcdEndedIt()
    {
        var legs = new CallLegs();
        var ringing = legs.Add("c1", LegRole.Agent, "alice");
        var talking = legs.Add("c1", LegRole.Agent, "bob");
        CallLegs.Report(talking, LegStatus.InProgress, null);

        CallLegs.End(ringing);
        CallLegs.End(talking);

        Assert.False(ringing.IsLive);
        Assert.Equal((LegStatus.Canceled, LegStatus.Completed), (ringing.View().Status, talking.View().Status));
        // The network may still report the ringing leg answered: a late answer, which the call hangs up.
        Assert.True(CallLegs.Report(ringing, LegStatus.InProgress, null).Answered);
        Assert.True(ringing.Ended);
    }

    [Fact]
    public void EveryLegHasItsOwnIdAndLabelSoALookUpByLabelFindsThatLeg()
    {
        var legs = new CallLegs();
        var first = legs.Add("c1", LegRole.Agent, "alice");
        var again = legs.Add("c1", LegRole.Agent, "alice");
        var supervisor = legs.Add("c1", LegRole.Supervisor, "sam");
        var customer = legs.Add("c1", LegRole.Customer, null);

        Assert.Equal(["c1-a1", "c1-a2", "c1-s3", "c1-c4"], [first.LegId, again.LegId, supervisor.LegId, customer.LegId]);
        Assert.Equal(["agent-alice-1", "agent-alice-2", "supervisor-sam-3", "customer"], [first.Label, again.Label, supervisor.Label, customer.Label]);
    }

    [Fact]
    public void TheCustomerIsTheCallerOrTheOneDialled()
    {
        var inbound = new CallLegs();
        inbound.AddCaller("c1", "CA1");
        Assert.True(inbound.CustomerOnLine);

        var outbound = new CallLegs();
        outbound.Add("o1", LegRole.Agent, "alice");
        var customer = outbound.Add("o1", LegRole.Customer, null);
        Assert.False(outbound.CustomerOnLine);
        CallLegs.Report(customer, LegStatus.InProgress, null);
        Assert.Same(customer, outbound.Customer);
        Assert.True(outbound.CustomerOnLine);
    }
}
