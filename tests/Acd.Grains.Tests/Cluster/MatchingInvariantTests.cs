using System.Collections.Concurrent;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Tests.Cluster;

/// <summary>
/// The matching invariants under concurrency: hundreds of agents, thousands of calls, and random interleavings of
/// arrivals, answers, rejections, hang-ups and availability changes, all racing through the real grains.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MatchingInvariantTests(ClusterFixture fixture)
{
    private const int AgentCount = 200;
    private const int CallCount = 2000;
    private static readonly string[] Skills = ["a", "b", "c", "d", "e"];

    [Fact]
    public async Task InvariantsHoldUnderConcurrentCallsAndAvailabilityChanges()
    {
        var s = new Scenario(fixture);
        var random = new Random(20261125);
        foreach (var skill in Skills)
        {
            await s.QueueAsync(skill, $"skills HAS '{skill}'");
        }
        var filters = string.Join(",", Skills.Select(k => $$"""{"expression":"skill == '{{k}}'","targets":[{Q:{{k}}"}]}"""));
        await s.WorkflowAsync("w", $$"""{"filters":[{{filters}}]}""");

        var capacity = new Dictionary<string, int>();
        var eligible = new Dictionary<string, string[]>();
        await Task.WhenAll(Enumerable.Range(0, AgentCount).Select(async i =>
        {
            var mine = Skills.Where(_ => random.Next(3) == 0).DefaultIfEmpty(Skills[i % Skills.Length]).ToArray();
            var cap = i % 10 == 0 ? 2 : 1;
            lock (capacity)
            {
                capacity[s.Id($"agent{i}")] = cap;
                eligible[s.Id($"agent{i}")] = mine;
            }
            await s.AgentAsync($"agent{i}", new { skills = mine }, capacity: cap);
        }));

        var violations = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var calls = Enumerable.Range(0, CallCount).Select(i => $"call{i}").ToArray();

        async Task CreateCallsAsync()
        {
            foreach (var batch in calls.Chunk(50))
            {
                await Task.WhenAll(batch.Select(name =>
                    s.CallAsync(name, "w", new { skill = Skills[Random.Shared.Next(Skills.Length)] }, priority: Random.Shared.Next(4))));
                fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        async Task ActAsAgentsAsync(int seed)
        {
            var r = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                var agent = s.Grains.GetGrain<IAgentGrain>(s.Id($"agent{r.Next(AgentCount)}"));
                var view = (await agent.GetAsync())!;
                if (view.Offers.Count + view.Calls.Count > capacity[view.Id])
                {
                    violations.Enqueue($"{view.Id} holds {view.Offers.Count} offers and {view.Calls.Count} calls with capacity {capacity[view.Id]}");
                }
                var roll = r.Next(100);
                if (view.Offers is [var offer, ..] && roll < 80)
                {
                    var call = s.Grains.GetGrain<ICallGrain>(offer);
                    _ = roll < 60 ? await call.AcceptAsync(view.Id) : await call.RejectAsync(view.Id);
                }
                else if (view.Calls is [var talking, ..] && roll < 60)
                {
                    await s.Grains.GetGrain<ICallGrain>(talking).HangUpAsync();
                }
                else if (view.Activity == Activities.WrapUp)
                {
                    await agent.CompleteWrapUpAsync();
                }
                else if (roll < 10)
                {
                    await agent.SetActivityAsync(view.Activity == Activities.Available ? Activities.Break : Activities.Available);
                }
            }
        }

        async Task ActAsCallersAsync()
        {
            var r = new Random(99);
            while (!stop.IsCancellationRequested)
            {
                var call = s.Call(calls[r.Next(CallCount)]);
                var view = await call.GetAsync();
                if (view is null)
                {
                    continue;
                }
                if (view.Legs.Count(l => l.Role == LegRole.Agent && l.Status is LegStatus.Queued or LegStatus.Ringing or LegStatus.InProgress) > 1)
                {
                    violations.Enqueue($"{view.Id} has two live agent legs");
                }
                if (r.Next(20) == 0)
                {
                    await call.CallerHungUpAsync();
                }
            }
        }

        var actors = Enumerable.Range(0, 8).Select(i => Task.Run(() => ActAsAgentsAsync(i))).Append(Task.Run(ActAsCallersAsync)).ToList();
        await CreateCallsAsync();
        stop.Cancel();
        await Task.WhenAll(actors);
        Assert.Empty(violations);

        // Quiesce: everyone finishes wrap-up and is Available. No call may wait while an eligible agent is free.
        await Task.WhenAll(capacity.Keys.Select(async id =>
        {
            var agent = s.Grains.GetGrain<IAgentGrain>(id);
            if ((await agent.GetAsync())!.Activity == Activities.WrapUp)
            {
                await agent.CompleteWrapUpAsync();
            }
            await agent.SetActivityAsync(Activities.Available);
        }));

        await Scenario.EventuallyAsync(async () => await CheckConsistencyAsync(s, capacity, eligible) is null,
            "every waiting call has no free eligible agent and every offer is held by its agent", timeoutMs: 15000);
        Assert.Null(await CheckConsistencyAsync(s, capacity, eligible));

        // Priority then age: with everyone on break, agents coming back one by one each take the best call among their queues.
        await Task.WhenAll(capacity.Keys.Select(id => s.Grains.GetGrain<IAgentGrain>(id).SetActivityAsync(Activities.Break)));
        // Withdrawn offers go back to their queues by one-way messages: wait until every one is back in the router.
        var router = s.Grains.GetGrain<IRouterGrain>("default");
        await Scenario.EventuallyAsync(async () =>
        {
            var waiting = new HashSet<string>();
            foreach (var skill in Skills)
            {
                waiting.UnionWith((await router.GetRealtimeAsync(s.Id(skill)))!.WaitingCallIds);
            }
            var views = await Task.WhenAll(calls.Select(c => s.Call(c).GetAsync()));
            return views.All(v => v is null || v.Status is not (CallStatus.Offered or CallStatus.Created)
                && (v.Status != CallStatus.Queued || waiting.Contains(v.Id)));
        }, "every call not being talked to waits in the router", timeoutMs: 15000);
        var checkedAgents = 0;
        foreach (var id in capacity.Keys.Where(id => capacity[id] == 1).Take(60))
        {
            var agent = s.Grains.GetGrain<IAgentGrain>(id);
            if ((await agent.GetAsync())!.Calls.Count > 0)
            {
                continue;
            }
            await Scenario.EventuallyAsync(async () => (await agent.GetAsync())!.Offers.Count == 0, $"{id} has no offer");
            // The head of each of its queues, skipping calls this agent declined earlier (they are never re-offered to it).
            var heads = new List<CallView>();
            foreach (var skill in eligible[id])
            {
                foreach (var waitingId in (await router.GetRealtimeAsync(s.Id(skill)))!.WaitingCallIds)
                {
                    var waiting = (await s.Grains.GetGrain<ICallGrain>(waitingId).GetAsync())!;
                    if (!waiting.DeclinedBy.Contains(id))
                    {
                        heads.Add(waiting);
                        break;
                    }
                }
            }
            if (heads.Count == 0)
            {
                continue;
            }
            await agent.SetActivityAsync(Activities.Available);
            AgentView view = null!;
            await Scenario.EventuallyAsync(async () => (view = (await agent.GetAsync())!).Offers.Count == 1, $"{id} is offered a call");
            var got = heads.SingleOrDefault(h => h.Id == view.Offers[0]);
            Assert.True(got is not null, $"{id} was offered {view.Offers[0]}, which was not at the head of any of its queues");
            Assert.DoesNotContain(heads, h => h.Priority > got!.Priority || (h.Priority == got.Priority && h.CreatedAt < got.CreatedAt));
            await s.Grains.GetGrain<ICallGrain>(view.Offers[0]).AcceptAsync(id);
            checkedAgents++;
        }
        Assert.True(checkedAgents > 10, $"only {checkedAgents} agents could be checked");
    }

    /// <summary>Null when consistent; otherwise what is wrong.</summary>
    private static async Task<string?> CheckConsistencyAsync(Scenario s, Dictionary<string, int> capacity, Dictionary<string, string[]> eligible)
    {
        var router = s.Grains.GetGrain<IRouterGrain>("default");
        var agents = (await Task.WhenAll(capacity.Keys.Select(id => s.Grains.GetGrain<IAgentGrain>(id).GetAsync()))).Select(a => a!).ToList();
        foreach (var skill in Skills)
        {
            var stats = (await router.GetRealtimeAsync(s.Id(skill)))!;
            if (stats.Waiting == 0)
            {
                continue;
            }
            var free = agents.FirstOrDefault(a => a.Available && a.Offers.Count + a.Calls.Count < capacity[a.Id] && eligible[a.Id].Contains(skill));
            if (free is not null)
            {
                return $"{stats.Waiting} call(s) wait in {skill} while {free.Id} is free";
            }
            foreach (var callId in stats.WaitingCallIds)
            {
                var call = (await s.Grains.GetGrain<ICallGrain>(callId).GetAsync())!;
                if (call.Status != CallStatus.Queued)
                {
                    return $"{callId} is listed as waiting but is {call.Status}";
                }
            }
        }
        foreach (var agent in agents)
        {
            if (agent.Offers.Count + agent.Calls.Count > capacity[agent.Id])
            {
                return $"{agent.Id} is over capacity";
            }
            foreach (var offer in agent.Offers)
            {
                var call = (await s.Grains.GetGrain<ICallGrain>(offer).GetAsync())!;
                if (call.Status != CallStatus.Offered || call.OfferedAgentId != agent.Id)
                {
                    return $"{agent.Id} holds an offer of {offer}, which is {call.Status} to {call.OfferedAgentId}";
                }
            }
        }
        return null;
    }
}
