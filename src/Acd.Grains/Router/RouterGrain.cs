using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;
using Acd.Grains.Routing.Matching;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Router;

/// <summary>
/// Hosts the <see cref="RoutingIndex"/>. Its state is derived: the queue grains hold the waiting calls and the
/// agent grains hold the agents, so on activation (first use, restart, or a silo lost) it rebuilds from them.
/// Non-reentrant and it awaits nothing while matching, so every match is atomic.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class RouterGrain(IGrainFactory grains, TimeProvider time, ILogger<RouterGrain> logger) : Grain, IRouterGrain
{
    /// <summary>A match neither confirmed by its agent nor released within this time was lost in transit.</summary>
    private static readonly TimeSpan PendingMatchLifetime = TimeSpan.FromSeconds(30);

    private readonly RoutingIndex _index = new(time, new Random());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var matches = new List<Match>();
        var queueIds = await grains.Workspace().GetQueueIdsAsync();
        var queues = await Task.WhenAll(queueIds.Select(id => grains.GetGrain<IQueueGrain>(id).GetRoutingAsync()));
        foreach (var (definition, _) in queues)
        {
            if (definition is not null)
            {
                matches.AddRange(_index.UpsertQueue(definition));
            }
        }
        var agentIds = await grains.AllAgentIdsAsync();
        foreach (var chunk in agentIds.Chunk(500))
        {
            var snapshots = await Task.WhenAll(chunk.Select(id => grains.GetGrain<IAgentGrain>(id).GetRoutingAsync()));
            foreach (var snapshot in snapshots)
            {
                if (snapshot is not null)
                {
                    matches.AddRange(_index.UpsertAgent(snapshot));
                }
            }
        }
        // Waiting calls go in after every agent is known, in their stored order, so the rebuilt queue is the same.
        foreach (var call in queues.SelectMany(q => q.Waiting).OrderBy(c => c.Sequence))
        {
            var (result, more) = _index.Enqueue(call);
            matches.AddRange(more);
            if (result.Outcome == EnqueueOutcome.Matched)
            {
                matches.Add(new Match(call.CallId, result.AgentId!, call.QueueId));
            }
        }
        logger.LogInformation("Router ready: {Queues} queues, {Agents} agents, {Waiting} waiting calls", _index.QueueCount, _index.AgentCount, _index.WaitingCount);
        Dispatch(matches);

        this.RegisterGrainTimer(ExpireLostMatchesAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)) { KeepAlive = true });
        await base.OnActivateAsync(cancellationToken);
    }

    public Task UpsertQueueAsync(QueueDefinition definition)
    {
        Dispatch(_index.UpsertQueue(definition));
        return Task.CompletedTask;
    }

    public Task<bool> RemoveQueueAsync(string queueId) => Task.FromResult(_index.RemoveQueue(queueId));

    public Task UpsertAgentAsync(AgentRouting agent)
    {
        Dispatch(_index.UpsertAgent(agent));
        return Task.CompletedTask;
    }

    public Task RemoveAgentAsync(string agentId)
    {
        _index.RemoveAgent(agentId);
        return Task.CompletedTask;
    }

    public Task<EnqueueResult> EnqueueAsync(WaitingCall call, string? skipIf)
    {
        var skip = string.IsNullOrWhiteSpace(skipIf) ? null : RoutingExpression.Parse(skipIf, ExpressionScope.Worker);
        var (result, matches) = _index.Enqueue(call, skip);
        // The asking call learns of its own match from the result; only other calls are messaged.
        Dispatch(matches.Where(m => m.CallId != call.CallId));
        return Task.FromResult(result);
    }

    public Task<bool> WithdrawAsync(string callId) => Task.FromResult(_index.Withdraw(callId));

    public Task<EnqueueResult?> ReleaseMatchAsync(string callId, string agentId, WaitingCall? requeue)
    {
        var (result, matches) = _index.ReleaseMatch(callId, agentId, requeue);
        Dispatch(matches.Where(m => m.CallId != callId || requeue is null));
        return Task.FromResult(result);
    }

    public Task<QueueRealtime?> GetRealtimeAsync(string queueId) => Task.FromResult(_index.Realtime(queueId));

    public Task<int> GetPositionAsync(string callId) => Task.FromResult(_index.PositionOf(callId));

    public Task<int> CountAgentsInActivityAsync(string activity) => Task.FromResult(_index.CountInActivity(activity));

    private Task ExpireLostMatchesAsync(CancellationToken cancellationToken)
    {
        var matches = _index.ExpirePending(PendingMatchLifetime);
        Dispatch(matches);
        return Task.CompletedTask;
    }

    private void Dispatch(IEnumerable<Match> matches)
    {
        foreach (var match in matches)
        {
            // One-way: the router never waits on a call grain, so it cannot deadlock with one that waits on it.
            grains.GetGrain<ICallGrain>(match.CallId).OfferMatchedAsync(match.AgentId, match.QueueId).Ignore();
        }
    }
}
