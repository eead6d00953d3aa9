using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;
using Acd.Grains.Routing.Matching;
using Microsoft.Extensions.Time.Testing;

namespace Acd.Grains.Tests.Routing;

public sealed class RoutingIndexTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly RoutingIndex _index;
    private long _version;

    public RoutingIndexTests() => _index = new RoutingIndex(_time, new Random(7));

    private static QueueDefinition Queue(string id, string target = "1==1", AgentSelection selection = AgentSelection.LongestIdle,
        string? orderBy = null, int maxLength = 0, bool closed = false, string taskOrder = "FIFO") =>
        new(id, id, target, taskOrder, selection, orderBy, maxLength, 0, 0, closed, null, null);

    private List<Match> Agent(string id, string attributes = "{}", bool available = true, int capacity = 1,
        DateTimeOffset? idleSince = null, int callsToday = 0, double talk = 0, params string[] active) =>
        _index.UpsertAgent(new AgentRouting(id, id, attributes, available ? "Available" : "Offline", available, capacity,
            active, idleSince ?? _time.GetUtcNow(), callsToday, talk, ++_version));

    private (EnqueueResult Result, List<Match> Matches) Call(string id, string queue, int priority = 0, DateTimeOffset? age = null,
        string? expression = null, string? known = null, string? taskJson = null, string? skipIf = null) =>
        _index.Enqueue(
            new WaitingCall(id, queue, priority, age ?? _time.GetUtcNow(), 0, taskJson, expression, known, null, null),
            skipIf is null ? null : RoutingExpression.Parse(skipIf, ExpressionScope.Worker));

    [Fact]
    public void TheEstimatedWaitIsCallsAheadPlusOneTimesTheHandleTimeOverTheAgentsAtWork()
    {
        _index.UpsertQueue(Queue("sales", target: "team == 'sales'"));
        _index.UpsertQueue(Queue("both", target: "shared == true"));
        void Upsert(string id, string activity, bool available, string attributes, params string[] active) =>
            _index.UpsertAgent(new AgentRouting(id, id, attributes, activity, available, 1, active, _time.GetUtcNow(), 0, 0, ++_version));
        Upsert("talking", "Available", true, """{"team":"sales"}""", "x1");
        Upsert("wrapping", "WrapUp", false, """{"team":"sales"}""");
        Upsert("on-break", "Break", false, """{"team":"sales"}""");
        // Eligible for two queues, busy: half an agent for each.
        Upsert("shared", "Available", true, """{"team":"sales","shared":true}""", "x2");
        Call("c1", "sales");
        Call("c2", "sales");

        // 2.5 agents at work, 180 s until the queue has handled a call.
        var now = _index.Realtime("sales")!;
        Assert.Equal((2.5, 180.0), (now.AgentsAtWork, now.HandleSeconds));
        Assert.Equal(72.0, _index.EstimatedWaitOf("c1"));
        Assert.Equal(144.0, _index.EstimatedWaitOf("c2"));
        Assert.Equal(216.0, now.EstimatedWaitSeconds);

        // Handle times move the mean: the first one as it is, then a twentieth of each new one.
        _index.RecordHandleTime("sales", 100);
        _index.RecordHandleTime("sales", 200);
        Assert.Equal(105.0, _index.Realtime("sales")!.HandleSeconds);
        Assert.Equal(42.0, _index.EstimatedWaitOf("c1"));
        // A changed definition keeps what the queue learned.
        _index.UpsertQueue(Queue("sales", target: "team == 'sales'", taskOrder: "LIFO"));
        Assert.Equal(105.0, _index.Realtime("sales")!.HandleSeconds);

        // The shared agent is half an agent in the other queue too. Nobody at work: no estimate; a caller who would be
        // matched at once: none to wait.
        Assert.Equal(0.5, _index.Realtime("both")!.AgentsAtWork);
        Upsert("talking", "Offline", false, """{"team":"sales"}""");
        Upsert("wrapping", "Offline", false, """{"team":"sales"}""");
        Upsert("shared", "Offline", false, """{"team":"sales","shared":true}""");
        Assert.Null(_index.EstimatedWaitOf("c1"));
        Assert.Null(_index.EstimatedWaitOf("not-waiting"));
        Assert.Equal(0.0, Acd.Grains.Routing.Matching.WaitEstimate.Seconds(ahead: 0, free: 1, agentsAtWork: 1, handleSeconds: 180));
    }

    [Fact]
    public void ARingGroupsCallHoldsMoreFreeAgentsInOrderAndNoOtherCallTakesThemUntilTheyAreLetGo()
    {
        _index.UpsertQueue(Queue("ring", target: "team == 'ring'", selection: AgentSelection.RingAll));
        var idle = _time.GetUtcNow();
        Agent("first", """{"team":"ring"}""", idleSince: idle.AddMinutes(-9));
        Agent("second", """{"team":"ring"}""", idleSince: idle.AddMinutes(-5));
        Agent("third", """{"team":"ring"}""", idleSince: idle.AddMinutes(-3));
        Agent("declined", """{"team":"ring"}""", idleSince: idle.AddMinutes(-7));
        Agent("other-team", """{"team":"sales"}""", idleSince: idle.AddMinutes(-8));

        var (result, _) = Call("c1", "ring");
        Assert.Equal("first", result.AgentId);
        Assert.NotNull(result.Ring);
        var waiting = new WaitingCall("c1", "ring", 0, idle, result.Sequence, null, null, null, null, null, ["declined"]);

        // Longest idle first; not the one ringing already, not one who declined, not another team's.
        Assert.Equal(["second"], _index.MatchMore(waiting, ["first"], 1));
        Assert.Equal(["third"], _index.MatchMore(waiting, ["first", "second"], 5));
        // Held for c1: a new call finds no free agent but the one who declined c1.
        Assert.Equal("declined", Call("c2", "ring").Result.AgentId);
        Assert.Equal(EnqueueOutcome.Waiting, Call("c3", "ring").Result.Outcome);

        // c1 lets "third" go (someone else took it, or the pace could not ring them): c3 gets them at once.
        var (_, matches) = _index.ReleaseMatch("c1", "third");
        Assert.Equal(("c3", "third"), (Assert.Single(matches).CallId, Assert.Single(matches).AgentId));
        // An agent confirming the group's call does not undo the call's own first match.
        Agent("second", """{"team":"ring"}""", idleSince: idle.AddMinutes(-5), active: "c1");
        Assert.Equal("first", _index.PendingAgentOf("c1"));
    }

    [Fact]
    public void HigherPriorityIsServedFirstThenTheOlderCall()
    {
        _index.UpsertQueue(Queue("q"));
        Call("old-low", "q", priority: 0, age: _time.GetUtcNow().AddMinutes(-5));
        Call("new-high", "q", priority: 5);
        Call("old-high", "q", priority: 5, age: _time.GetUtcNow().AddMinutes(-1));

        Assert.Equal(["old-high", "new-high", "old-low"], _index.Realtime("q")!.WaitingCallIds);
        var first = Agent("a");
        Assert.Equal("old-high", Assert.Single(first).CallId);
    }

    [Fact]
    public void EveryQueuesFiguresInOnePassMatchEachQueuesOwnAndLeaveOutIdsUnlessAsked()
    {
        _index.UpsertQueue(Queue("sales", target: "team == 'sales'"));
        _index.UpsertQueue(Queue("support", target: "team == 'support'"));
        Agent("ann", """{"team":"sales"}""", available: false);
        Call("c1", "sales", age: _time.GetUtcNow().AddSeconds(-30));
        Call("c2", "sales");
        _time.Advance(TimeSpan.FromSeconds(5));

        var all = _index.RealtimeAll(waitingCallIds: false).ToDictionary(r => r.QueueId);
        Assert.Equal(["sales", "support"], all.Keys.Order());
        var sales = _index.Realtime("sales")!;
        Assert.Equal(sales.AgentsByActivity, all["sales"].AgentsByActivity);
        Assert.Equal((2, 35.0, 1, 0), (sales.Waiting, sales.LongestWaitingSeconds, sales.EligibleAgents, sales.AvailableAgents));
        Assert.Equal((2, 35.0, 1, 0), (all["sales"].Waiting, all["sales"].LongestWaitingSeconds, all["sales"].EligibleAgents, all["sales"].AvailableAgents));
        Assert.Empty(all["sales"].WaitingCallIds);
        Assert.Equal(["c1", "c2"], _index.RealtimeAll(waitingCallIds: true).Single(r => r.QueueId == "sales").WaitingCallIds);
    }

    [Fact]
    public void EqualAgeCallsAreServedInArrivalOrder()
    {
        _index.UpsertQueue(Queue("q"));
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            Call(id, "q");
        }
        Assert.Equal(["c1", "c2", "c3"], _index.Realtime("q")!.WaitingCallIds);
    }

    [Fact]
    public void LifoQueuesServeTheNewestFirstWithinAPriority()
    {
        _index.UpsertQueue(Queue("q", taskOrder: "LIFO"));
        Call("c1", "q", age: _time.GetUtcNow().AddSeconds(-2));
        Call("c2", "q", age: _time.GetUtcNow().AddSeconds(-1));
        Assert.Equal(["c2", "c1"], _index.Realtime("q")!.WaitingCallIds);
    }

    [Fact]
    public void LongestIdleAgentGetsTheOffer()
    {
        _index.UpsertQueue(Queue("q"));
        Agent("recent", idleSince: _time.GetUtcNow().AddMinutes(-1));
        Agent("idle-longest", idleSince: _time.GetUtcNow().AddMinutes(-10));
        Agent("middle", idleSince: _time.GetUtcNow().AddMinutes(-5));

        var (result, _) = Call("c", "q");
        Assert.Equal(("idle-longest", EnqueueOutcome.Matched), (result.AgentId, result.Outcome));
    }

    [Fact]
    public void OrderByPicksTheHighestSkillThenLongestIdle()
    {
        _index.UpsertQueue(Queue("q", selection: AgentSelection.OrderBy, orderBy: "worker.skills.billing DESC"));
        Agent("three", """{"skills":{"billing":3}}""", idleSince: _time.GetUtcNow().AddHours(-1));
        Agent("five-recent", """{"skills":{"billing":5}}""", idleSince: _time.GetUtcNow());
        Agent("five-idle", """{"skills":{"billing":5}}""", idleSince: _time.GetUtcNow().AddMinutes(-3));
        Agent("none", "{}", idleSince: _time.GetUtcNow().AddHours(-2));

        Assert.Equal("five-idle", Call("c1", "q").Result.AgentId);
        Assert.Equal("five-recent", Call("c2", "q").Result.AgentId);
        Assert.Equal("three", Call("c3", "q").Result.AgentId);
        Assert.Equal("none", Call("c4", "q").Result.AgentId);
    }

    [Fact]
    public void FewestCallsAndLeastTalkTimeStrategies()
    {
        _index.UpsertQueue(Queue("fewest", "group == 'f'", AgentSelection.FewestCalls));
        _index.UpsertQueue(Queue("talk", "group == 't'", AgentSelection.LeastTalkTime));
        Agent("f-busy", """{"group":"f"}""", callsToday: 9, idleSince: _time.GetUtcNow().AddHours(-1));
        Agent("f-light", """{"group":"f"}""", callsToday: 2);
        Agent("t-long", """{"group":"t"}""", talk: 3600, idleSince: _time.GetUtcNow().AddHours(-1));
        Agent("t-short", """{"group":"t"}""", talk: 60);

        Assert.Equal("f-light", Call("c1", "fewest").Result.AgentId);
        Assert.Equal("t-short", Call("c2", "talk").Result.AgentId);
    }

    [Fact]
    public void RoundRobinRotatesThroughAgents()
    {
        _index.UpsertQueue(Queue("q", selection: AgentSelection.RoundRobin));
        Agent("a", capacity: 10);
        Agent("b", capacity: 10);
        Agent("c", capacity: 10);
        var picks = Enumerable.Range(0, 6).Select(i => Call($"c{i}", "q").Result.AgentId).ToList();
        Assert.Equal(["a", "b", "c", "a", "b", "c"], picks);
    }

    [Fact]
    public void RandomSelectionSpreadsCallsOverEligibleAgents()
    {
        _index.UpsertQueue(Queue("q", selection: AgentSelection.Random));
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            Agent(id, capacity: 10);
        }
        var picks = Enumerable.Range(0, 40).Select(i => Call($"c{i}", "q").Result.AgentId).ToList();
        Assert.Equal(4, picks.Distinct().Count());
    }

    [Fact]
    public void AnAgentIsNeverMatchedBeyondCapacity()
    {
        _index.UpsertQueue(Queue("q"));
        Agent("a", capacity: 2);
        Assert.Equal(EnqueueOutcome.Matched, Call("c1", "q").Result.Outcome);
        Assert.Equal(EnqueueOutcome.Matched, Call("c2", "q").Result.Outcome);
        Assert.Equal(EnqueueOutcome.Waiting, Call("c3", "q").Result.Outcome);

        // The agent confirms both; the router still sees two calls on two channels.
        Assert.Empty(Agent("a", capacity: 2, active: ["c1", "c2"]));
        // One ends: the agent's next snapshot frees a channel and the waiting call is matched.
        var next = Agent("a", capacity: 2, active: ["c2"]);
        Assert.Equal("c3", Assert.Single(next).CallId);
    }

    [Fact]
    public void UnavailableAgentsAreNotOffered()
    {
        _index.UpsertQueue(Queue("q"));
        Agent("away", available: false);
        Assert.Equal(EnqueueOutcome.Waiting, Call("c", "q").Result.Outcome);
        var matches = Agent("away", available: true);
        Assert.Equal(("c", "away"), (Assert.Single(matches).CallId, matches[0].AgentId));
    }

    [Fact]
    public void AnAgentInSeveralQueuesTakesTheBestCallAmongThem()
    {
        _index.UpsertQueue(Queue("sales"));
        _index.UpsertQueue(Queue("support"));
        Call("sales-old-low", "sales", priority: 0, age: _time.GetUtcNow().AddMinutes(-10));
        Call("support-high", "support", priority: 3, age: _time.GetUtcNow().AddMinutes(-1));
        Call("support-older-high", "support", priority: 3, age: _time.GetUtcNow().AddMinutes(-2));

        Assert.Equal("support-older-high", Assert.Single(Agent("a")).CallId);
        Assert.Equal("support-high", Assert.Single(Agent("b")).CallId);
        Assert.Equal("sales-old-low", Assert.Single(Agent("c")).CallId);
    }

    [Fact]
    public void TargetWorkersDecideEligibility()
    {
        _index.UpsertQueue(Queue("ja", "languages HAS 'ja'"));
        Agent("en-only", """{"languages":["en"]}""");
        Assert.Equal(EnqueueOutcome.Waiting, Call("c", "ja").Result.Outcome);
        Assert.Equal(1, _index.Realtime("ja")!.Waiting);
        Assert.Equal("c", Assert.Single(Agent("ja-speaker", """{"languages":["ja","en"]}""")).CallId);
    }

    [Fact]
    public void ChangingAQueuesTargetMatchesNewlyEligibleAgents()
    {
        _index.UpsertQueue(Queue("q", "level > 5"));
        Agent("junior", """{"level":2}""");
        Call("c", "q");
        var matches = _index.UpsertQueue(Queue("q", "level > 1"));
        Assert.Equal(("c", "junior"), (Assert.Single(matches).CallId, matches[0].AgentId));
    }

    [Fact]
    public void TargetExpressionsFilterAgentsPerCall()
    {
        _index.UpsertQueue(Queue("q"));
        Agent("en", """{"languages":["en"]}""", idleSince: _time.GetUtcNow().AddHours(-1));
        Agent("ja", """{"languages":["ja"]}""");
        var (result, _) = Call("c", "q", expression: "task.language IN worker.languages", taskJson: """{"language":"ja"}""");
        Assert.Equal("ja", result.AgentId);
    }

    [Fact]
    public void KnownWorkerTargetsWaitForThatAgent()
    {
        _index.UpsertQueue(Queue("q"));
        Agent("other");
        Assert.Equal(EnqueueOutcome.Waiting, Call("c", "q", known: "ricky").Result.Outcome);
        // A call behind it without a filter is not blocked by it.
        Assert.Equal("other", Call("d", "q").Result.AgentId);
        Assert.Equal("c", Assert.Single(Agent("ricky")).CallId);
    }

    [Fact]
    public void SkipIfSkipsOnlyWhenNoAgentIsMatchedAtOnce()
    {
        _index.UpsertQueue(Queue("q"));
        Assert.Equal(EnqueueOutcome.Skipped, Call("c1", "q", skipIf: "workers.available == 0").Result.Outcome);
        Agent("busy", available: false);
        Assert.Equal(EnqueueOutcome.Skipped, Call("c2", "q", skipIf: "workers.Offline >= 1").Result.Outcome);
        Assert.Equal(EnqueueOutcome.Waiting, Call("c3", "q", skipIf: "workers.available > 0").Result.Outcome);
        Agent("free", capacity: 5);
        Assert.Equal(EnqueueOutcome.Matched, Call("c4", "q", skipIf: "1==1").Result.Outcome);
    }

    [Fact]
    public void ClosedAndFullQueuesTurnCallsAway()
    {
        _index.UpsertQueue(Queue("closed", closed: true));
        _index.UpsertQueue(Queue("small", maxLength: 1));
        Assert.Equal(EnqueueOutcome.Closed, Call("c1", "closed").Result.Outcome);
        Assert.Equal(EnqueueOutcome.Waiting, Call("c2", "small").Result.Outcome);
        Assert.Equal(EnqueueOutcome.Full, Call("c3", "small").Result.Outcome);
        Assert.Equal(EnqueueOutcome.UnknownQueue, Call("c4", "nowhere").Result.Outcome);
    }

    [Fact]
    public void AReleasedMatchFreesTheAgentAndTheCallKeepsItsPlace()
    {
        _index.UpsertQueue(Queue("q"));
        Call("first", "q", age: _time.GetUtcNow().AddMinutes(-3));
        Call("second", "q", age: _time.GetUtcNow().AddMinutes(-1));
        var match = Assert.Single(Agent("a"));
        Assert.Equal("first", match.CallId);

        // The offer did not stick: the call goes back with its original age, ahead of "second",
        // and the freed agent takes the best call, which is it.
        var (result, matches) = _index.ReleaseMatch("first", "a", new WaitingCall("first", "q", 0, _time.GetUtcNow().AddMinutes(-3), 1, null, null, null, null, null));
        Assert.Equal((EnqueueOutcome.Matched, "a"), (result!.Outcome, result.AgentId));
        Assert.Equal(["second"], _index.Realtime("q")!.WaitingCallIds);

        // Had the agent really gone (its snapshot says unavailable), the call would simply wait at the head.
        Agent("a", available: false, active: []);
        _index.ReleaseMatch("first", "a", new WaitingCall("first", "q", 0, _time.GetUtcNow().AddMinutes(-3), 1, null, null, null, null, null));
        Assert.Equal(["first", "second"], _index.Realtime("q")!.WaitingCallIds);
    }

    [Fact]
    public void LostMatchesExpireAndTheCallKeepsItsPlace()
    {
        _index.UpsertQueue(Queue("q"));
        Agent("a");
        Call("c1", "q");
        Call("c2", "q");
        _time.Advance(TimeSpan.FromSeconds(31));
        // The match of c1 was never confirmed (its message was lost with a silo): c1 goes back ahead of c2 and, being
        // the oldest, is matched again; c2 still waits behind it.
        var matches = _index.ExpirePending(TimeSpan.FromSeconds(30));
        Assert.Equal(("c1", "a"), (Assert.Single(matches).CallId, matches[0].AgentId));
        Assert.Equal(["c2"], _index.Realtime("q")!.WaitingCallIds);

        // Had the agent gone meanwhile, c1 would wait at the head.
        Agent("a", available: false, active: []);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Empty(_index.ExpirePending(TimeSpan.FromSeconds(30)));
        Assert.Equal(["c1", "c2"], _index.Realtime("q")!.WaitingCallIds);
    }

    [Fact]
    public void StaleAgentSnapshotsAreIgnored()
    {
        _index.UpsertQueue(Queue("q"));
        _index.UpsertAgent(new AgentRouting("a", "a", "{}", "Offline", false, 1, [], _time.GetUtcNow(), 0, 0, 5));
        _index.UpsertAgent(new AgentRouting("a", "a", "{}", "Available", true, 1, [], _time.GetUtcNow(), 0, 0, 4));
        Assert.Equal(EnqueueOutcome.Waiting, Call("c", "q").Result.Outcome);
    }

    [Fact]
    public void RealtimeCountsAgentsByActivity()
    {
        _index.UpsertQueue(Queue("q"));
        Agent("a");
        Agent("b", available: false);
        _index.UpsertAgent(new AgentRouting("c", "c", "{}", "Break", false, 1, [], _time.GetUtcNow(), 0, 0, ++_version));
        Call("x", "q", age: _time.GetUtcNow().AddSeconds(-20));
        Call("y", "q");
        var stats = _index.Realtime("q")!;
        Assert.Equal(1, stats.Waiting);
        Assert.Equal(3, stats.EligibleAgents);
        Assert.Equal(0, stats.AvailableAgents);
        Assert.Equal(new Dictionary<string, int> { ["Available"] = 1, ["Offline"] = 1, ["Break"] = 1 }, stats.AgentsByActivity);
        Assert.Equal(0, stats.LongestWaitingSeconds); // "x" (20 s old) was matched; "y" is 0 s old
    }
}
