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
public sealed class RouterGrain(IGrainFactory grains, Calls.IUnsettledCallStore unsettled, TimeProvider time, ILogger<RouterGrain> logger) : Grain, IRouterGrain, IRemindable
{
    /// <summary>The reminder that brings the router back by itself if every silo's keeper were gone.</summary>
    private const string KeepAliveReminder = "keep-alive";

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
            var (result, more) = _index.Enqueue(call, readmit: true);
            matches.AddRange(more);
            if (result.Outcome == EnqueueOutcome.Matched)
            {
                matches.Add(new Match(call.CallId, result.AgentId!, call.QueueId));
            }
        }
        logger.LogInformation("Router ready: {Queues} queues, {Agents} agents, {Waiting} waiting calls", _index.QueueCount, _index.AgentCount, _index.WaitingCount);
        Dispatch(matches);
        // Every call not settled is woken: waiting calls run their own deadlines (a workflow step's timeout, max wait) even
        // when no agent is free, and every call reconciles with the network (a hang-up lost with a process is sent again).
        var matched = matches.Select(m => m.CallId).ToHashSet(StringComparer.Ordinal);
        WakeCalls((await unsettled.LoadAsync()).Concat(queues.SelectMany(q => q.Waiting).Select(c => c.CallId)).Distinct(StringComparer.Ordinal).Where(id => !matched.Contains(id)));

        foreach (var (definition, _) in queues)
        {
            if (definition is not null)
            {
                Events.AcdMetrics.Known(definition.Id);
            }
        }
        Events.AcdMetrics.ReportWaiting(this, _index.WaitingByQueue());
        this.RegisterGrainTimer(ExpireLostMatchesAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)) { KeepAlive = true });
        // The reminder backs up the keepers' pings. Registering it must not hold routing up: on a silo that has just
        // taken over, the reminder service may still be starting (for up to half a minute), so it is registered from a
        // timer that lets calls through meanwhile, and tried again until it takes.
        _reminderTimer = this.RegisterGrainTimer(RegisterKeepAliveAsync, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromSeconds(5)) { KeepAlive = true, Interleave = true });
        await base.OnActivateAsync(cancellationToken);
    }

    private IGrainTimer? _reminderTimer;

    private async Task RegisterKeepAliveAsync(CancellationToken cancellation)
    {
        try
        {
            await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), cancellation);
            _reminderTimer?.Dispose();
            _reminderTimer = null;
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            logger.LogInformation("Router: the keep-alive reminder is not registered yet ({Reason}); trying again", e.Message);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public Task PingAsync() => Task.CompletedTask;

    /// <summary>
    /// A silo was lost: the calls, queues and agents it hosted are reactivated from storage, so that their
    /// deadlines run again, and matches sent to calls on it are sent again.
    /// </summary>
    public async Task RecoverAsync()
    {
        var queueIds = await grains.Workspace().GetQueueIdsAsync();
        var queues = await Task.WhenAll(queueIds.Select(id => grains.GetGrain<IQueueGrain>(id).GetRoutingAsync()));
        var waiting = queues.SelectMany(q => q.Waiting).Select(c => c.CallId).Concat(await unsettled.LoadAsync()).Distinct(StringComparer.Ordinal).ToList();
        WakeCalls(waiting);
        var agentIds = await grains.AllAgentIdsAsync();
        foreach (var agentId in agentIds)
        {
            grains.GetGrain<IAgentGrain>(agentId).WakeAsync().Ignore();
        }
        // A match message to a call on the lost silo died with it; the call is woken above, and its match is
        // undone and made again at once rather than after the usual expiry.
        Dispatch(_index.ExpirePending(LostSiloMatchAge));
        logger.LogInformation("Recovery after a lost silo: woke {Calls} unsettled calls and {Agents} agents", waiting.Count, agentIds.Count);
    }

    /// <summary>Matches older than this when a silo is lost are taken as lost with it.</summary>
    private static readonly TimeSpan LostSiloMatchAge = TimeSpan.FromSeconds(2);

    private void WakeCalls(IEnumerable<string> callIds)
    {
        foreach (var callId in callIds)
        {
            grains.GetGrain<ICallGrain>(callId).WakeAsync().Ignore();
        }
    }

    public Task UpsertQueueAsync(QueueDefinition definition)
    {
        Dispatch(_index.UpsertQueue(definition));
        Events.AcdMetrics.Known(definition.Id);
        Events.AcdMetrics.ReportWaiting(this, _index.WaitingByQueue());
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

    public Task<EnqueueResult> EnqueueAsync(WaitingCall call, string? skipIf, bool readmit = false)
    {
        var skip = string.IsNullOrWhiteSpace(skipIf) ? null : RoutingExpression.Parse(skipIf, ExpressionScope.Worker);
        var (result, matches) = _index.Enqueue(call, skip, readmit);
        // The asking call learns of its own match from the result; only other calls are messaged.
        Dispatch(matches.Where(m => m.CallId != call.CallId));
        return Task.FromResult(result);
    }

    public Task<bool> WithdrawAsync(string callId) => Task.FromResult(_index.Withdraw(callId));

    public Task<List<string>> MatchMoreAsync(WaitingCall call, IReadOnlyList<string> ringing, int count) => Task.FromResult(_index.MatchMore(call, ringing, count));

    public Task<EnqueueResult?> ReleaseMatchAsync(string callId, string agentId, WaitingCall? requeue)
    {
        var (result, matches) = _index.ReleaseMatch(callId, agentId, requeue);
        Dispatch(matches.Where(m => m.CallId != callId || requeue is null));
        return Task.FromResult(result);
    }

    public Task<QueueRealtime?> GetRealtimeAsync(string queueId) => Task.FromResult(_index.Realtime(queueId));

    public Task<List<QueueRealtime>> GetRealtimeAllAsync(bool waitingCallIds) => Task.FromResult(_index.RealtimeAll(waitingCallIds));

    public Task<int> GetPositionAsync(string callId) => Task.FromResult(_index.PositionOf(callId));

    public Task<double?> GetEstimatedWaitAsync(string callId) => Task.FromResult(_index.EstimatedWaitOf(callId));

    public Task<WaitInfo?> GetWaitAsync(string callId) => Task.FromResult(_index.WaitOf(callId));

    public Task RecordHandleTimeAsync(string queueId, double seconds)
    {
        _index.RecordHandleTime(queueId, seconds);
        return Task.CompletedTask;
    }

    public Task<int> CountAgentsInActivityAsync(string activity) => Task.FromResult(_index.CountInActivity(activity));

    private Task ExpireLostMatchesAsync(CancellationToken cancellationToken)
    {
        var matches = _index.ExpirePending(PendingMatchLifetime);
        Dispatch(matches);
        Events.AcdMetrics.ReportWaiting(this, _index.WaitingByQueue());
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Events.AcdMetrics.StopReportingWaiting(this);
        return base.OnDeactivateAsync(reason, cancellationToken);
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
