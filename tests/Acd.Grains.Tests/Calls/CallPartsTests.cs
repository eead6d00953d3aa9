using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Telephony;

namespace Acd.Grains.Tests.Calls;

public sealed class CallPartsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AConferenceNameNamesItsCallAndIsNeverTheSameTwice()
    {
        var first = ConferenceNames.New("CA123");
        var second = ConferenceNames.New("CA123");

        Assert.NotEqual(first, second);
        Assert.Matches("^acd-CA123-[0-9a-f]{8}$", first);
        Assert.Equal("CA123", ConferenceNames.CallIdOf(first));
        Assert.Equal("call-with-dashes", ConferenceNames.CallIdOf(ConferenceNames.New("call-with-dashes")));
        Assert.Null(ConferenceNames.CallIdOf("someone-elses-room"));
        Assert.Null(ConferenceNames.CallIdOf("acd-CA123-NOTHEX12"));
        Assert.Null(ConferenceNames.CallIdOf(null));
    }

    [Fact]
    public void TheFirstConferenceCallbackBringsTheSidAndDuplicatesOrOtherConferencesChangeNothing()
    {
        var conference = new CallConference { Name = "acd-c1-00000000" };

        Assert.Equal(ConferenceMatch.Learned, conference.Take("CF1", 1, T0));
        Assert.Equal(ConferenceMatch.Duplicate, conference.Take("CF1", 1, T0));
        Assert.Equal(ConferenceMatch.Same, conference.Take("CF1", 2, T0));
        Assert.Equal(ConferenceMatch.Other, conference.Take("CF2", 3, T0));
        Assert.Equal(("CF1", T0), (conference.Sid, conference.SidAt));
    }

    [Fact]
    public void OperationsWaitForTheSidBoundedFromTheFirstAndRunInOrder()
    {
        var conference = new CallConference { Name = "acd-c1-00000000" };
        conference.Wait(new PendingOperation { Description = "hold" }, T0, TimeSpan.FromSeconds(10));
        conference.Wait(new PendingOperation { Description = "mute" }, T0.AddSeconds(4), TimeSpan.FromSeconds(10));

        Assert.Equal(T0.AddSeconds(10), conference.PendingDeadline);
        Assert.Equal(["hold", "mute"], conference.TakePending().Select(p => p.Description));
        Assert.Empty(conference.Pending);
        Assert.Null(conference.PendingDeadline);
    }

    [Fact]
    public void TheWaitRunsFromCallingInForTheFirstAnswerAndFromTheQueueAfterATransferToIt()
    {
        var figures = new CallFigures { CreatedAt = T0, QueuedAt = T0.AddSeconds(2) };
        Assert.Equal(30, figures.Answered(T0.AddSeconds(30)));

        figures.QueuedAt = T0.AddSeconds(100); // cold transfer to a queue
        Assert.Equal(20, figures.Answered(T0.AddSeconds(120)));
        Assert.Equal(30, figures.WaitSeconds); // the caller's wait is the first one

        figures.QueuedAt = null; // transfer straight to an agent
        Assert.Null(figures.Answered(T0.AddSeconds(150)));
    }

    [Fact]
    public void HoldIsCountedAndEachAgentsPartIsTheirOwn()
    {
        var figures = new CallFigures { CreatedAt = T0 };
        figures.Answered(T0.AddSeconds(10));
        figures.Hold(true, T0.AddSeconds(20));
        figures.Hold(true, T0.AddSeconds(25)); // a second hold while held changes nothing
        figures.Hold(false, T0.AddSeconds(30));
        Assert.Equal(new AgentPart(40, 10), figures.AgentPartUntil(T0.AddSeconds(50)));

        // A warm transfer: the consulted agent answered at 60 and takes over at 70; their part starts at 60.
        figures.Hold(true, T0.AddSeconds(55));
        figures.ConsultAnswered(T0.AddSeconds(60));
        figures.ConsultTakesOver(T0.AddSeconds(70));
        figures.Hold(false, T0.AddSeconds(70));
        figures.TalkEnds(T0.AddSeconds(100));

        var (talk, agentTalk, agentHold, _) = figures.Final(T0.AddSeconds(100));
        Assert.Equal((90.0, 40.0, 10.0), (talk!.Value, agentTalk!.Value, agentHold!.Value));
        Assert.Equal(25, figures.HoldSeconds);
    }

    [Fact]
    public void ADeclinedAgentIsLeftOutOfTheCallsPlaceInTheQueue()
    {
        var routing = new CallRouting { Waiting = new Abstractions.WaitingCall("c1", "q", 0, T0, 1, null, null, null, null, null) };

        routing.Declined("alice");
        routing.Declined("alice");

        Assert.Equal(["alice"], routing.DeclinedBy);
        Assert.Equal(["alice"], routing.Waiting!.ExcludedAgents);
    }

    [Fact]
    public void AnUpdateReachesTheConferenceByReference()
    {
        var conference = new CallConference { Name = "acd-c1-00000000", Sid = "CF1" };
        Assert.Equal(new ConferenceReference("c1", "acd-c1-00000000", "CF1"), conference.Reference("c1"));
    }
}
