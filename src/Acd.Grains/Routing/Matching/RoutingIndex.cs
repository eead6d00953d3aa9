using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;

namespace Acd.Grains.Routing.Matching;

/// <summary>
/// The matching engine: every waiting call and every agent, indexed so that a call arriving finds the best free
/// eligible agent, and an agent becoming free finds the best call among all its queues, in O(log n) in the
/// common case. Single-threaded by design (it lives inside one non-reentrant grain), so a match is atomic:
/// a call leaves the waiting set and the agent's slot is taken in the same step.
/// <para>
/// It holds one invariant after every public method: no waiting call has a free agent that it accepts
/// (every such pair has been matched and returned to the caller).
/// </para>
/// </summary>
public sealed class RoutingIndex(TimeProvider time, Random random)
{
    private readonly Dictionary<string, IndexedQueue> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexedAgent> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexedCall> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string AgentId, string QueueId, WaitingCall Call)> _pending = new(StringComparer.Ordinal);
    private long _sequence;
    private long _matchSequence;

    public int WaitingCount => _waiting.Count;

    public int AgentCount => _agents.Count;

    public int QueueCount => _queues.Count;

    public bool HasQueue(string queueId) => _queues.ContainsKey(queueId);

    public bool IsWaiting(string callId) => _waiting.ContainsKey(callId);

    public string? PendingAgentOf(string callId) => _pending.TryGetValue(callId, out var p) ? p.AgentId : null;

    public List<Match> UpsertQueue(QueueDefinition definition)
    {
        var matches = new List<Match>();
        List<IndexedCall> carried = [];
        if (_queues.Remove(definition.Id, out var old))
        {
            carried.AddRange(old.Calls);
            foreach (var agent in old.Members.ToList())
            {
                RemoveFromFreeSets(agent);
                agent.Queues.Remove(old);
                agent.OrderKeys.Remove(old);
            }
        }

        var queue = new IndexedQueue(definition);
        if (old is not null)
        {
            // A changed definition keeps what the queue has learned of its handle time.
            (queue.HandleSeconds, queue.HandleSamples) = (old.HandleSeconds, old.HandleSamples);
        }
        _queues[definition.Id] = queue;
        foreach (var call in carried)
        {
            var moved = new IndexedCall(call.Call, queue);
            _waiting[call.Id] = moved;
            queue.Calls.Add(moved);
        }
        foreach (var agent in _agents.Values)
        {
            RemoveFromFreeSets(agent);
            Join(agent, queue);
            AddToFreeSets(agent);
        }
        foreach (var agent in queue.FreeAgents.ToList())
        {
            MatchAgent(agent, matches);
        }
        return matches;
    }

    /// <summary>Removes a queue with no waiting calls; false when calls still wait in it.</summary>
    public bool RemoveQueue(string queueId)
    {
        if (!_queues.TryGetValue(queueId, out var queue))
        {
            return true;
        }
        if (queue.Calls.Count > 0)
        {
            return false;
        }
        foreach (var agent in queue.Members)
        {
            RemoveFromFreeSets(agent);
            agent.Queues.Remove(queue);
            agent.OrderKeys.Remove(queue);
            AddToFreeSets(agent);
        }
        _queues.Remove(queueId);
        return true;
    }

    /// <summary>Takes an agent's latest snapshot (older versions are ignored) and matches the agent if it is free.</summary>
    public List<Match> UpsertAgent(AgentRouting snapshot)
    {
        var matches = new List<Match>();
        var isNew = !_agents.TryGetValue(snapshot.Id, out var agent);
        if (isNew)
        {
            agent = new IndexedAgent(snapshot.Id) { RandomKey = random.NextDouble() };
            _agents[snapshot.Id] = agent;
        }
        else if (snapshot.Version < agent!.Snapshot.Version)
        {
            return matches;
        }

        // Eligibility depends on attributes only: an activity or load change (most snapshots) keeps the agent's
        // queues and only moves it in and out of their free sets.
        var attributesChanged = isNew || agent!.Snapshot.AttributesJson != snapshot.AttributesJson;
        RemoveFromFreeSets(agent!);
        if (!isNew)
        {
            foreach (var queue in agent!.Queues)
            {
                queue.CountActivity(agent.Snapshot.Activity, -1);
                if (attributesChanged)
                {
                    queue.Members.Remove(agent);
                }
            }
            if (attributesChanged)
            {
                agent.Queues.Clear();
                agent.OrderKeys.Clear();
            }
        }

        agent!.Snapshot = snapshot;
        if (attributesChanged)
        {
            agent.Attributes = Json.ParseElement(snapshot.AttributesJson);
        }
        agent.Active.Clear();
        agent.Active.UnionWith(snapshot.ActiveCalls);
        foreach (var confirmed in snapshot.ActiveCalls)
        {
            // A ring group's call is pending with several agents: only its first match is the call's own entry.
            if (agent.Pending.Remove(confirmed) && _pending.TryGetValue(confirmed, out var match) && match.AgentId == agent.Id)
            {
                _pending.Remove(confirmed);
            }
        }
        if (attributesChanged)
        {
            foreach (var queue in _queues.Values)
            {
                Join(agent, queue);
            }
        }
        else
        {
            foreach (var queue in agent.Queues)
            {
                queue.CountActivity(snapshot.Activity, +1);
            }
        }
        AddToFreeSets(agent);
        MatchAgent(agent, matches);
        return matches;
    }

    public void RemoveAgent(string agentId)
    {
        if (_agents.Remove(agentId, out var agent))
        {
            RemoveFromFreeSets(agent);
            foreach (var queue in agent.Queues)
            {
                queue.Members.Remove(agent);
                queue.CountActivity(agent.Snapshot.Activity, -1);
            }
            foreach (var callId in agent.Pending.Keys)
            {
                if (_pending.TryGetValue(callId, out var match) && match.AgentId == agentId)
                {
                    _pending.Remove(callId);
                }
            }
        }
    }

    /// <summary>
    /// A call asks for service in a queue. It is matched at once when a free agent accepts it; otherwise it waits,
    /// unless the target's <paramref name="skipIf"/> holds (TaskRouter's skip timeout), the queue is closed or full.
    /// <paramref name="readmit"/>: the call was admitted before and comes back (its offer failed, its match was undone),
    /// so it keeps its place even if the queue has closed or filled since.
    /// </summary>
    public (EnqueueResult Result, List<Match> Matches) Enqueue(WaitingCall call, RoutingExpression? skipIf = null, bool readmit = false)
    {
        var matches = new List<Match>();
        if (_pending.TryGetValue(call.CallId, out var pending))
        {
            // A retried enqueue of a call already matched: same answer, no second match.
            var q = _queues.GetValueOrDefault(pending.QueueId)?.Definition;
            return (new EnqueueResult(EnqueueOutcome.Matched, pending.AgentId, call.Sequence, q?.MaxWaitSeconds ?? 0, q?.WrapUpSeconds, null, q?.Ring, q?.Callback), matches);
        }
        if (_waiting.TryGetValue(call.CallId, out var existing))
        {
            if (existing.Queue.Id == call.QueueId)
            {
                var d = existing.Queue.Definition;
                return (new EnqueueResult(EnqueueOutcome.Waiting, null, existing.Call.Sequence, d.MaxWaitSeconds, d.WrapUpSeconds, null, d.Ring, d.Callback), matches);
            }
            Withdraw(call.CallId);
        }
        if (!_queues.TryGetValue(call.QueueId, out var queue))
        {
            return (new EnqueueResult(EnqueueOutcome.UnknownQueue, null, call.Sequence), matches);
        }
        var definition = queue.Definition;
        EnqueueResult Answer(EnqueueOutcome outcome, string? agentId, long sequence, string? message = null) =>
            new(outcome, agentId, sequence, definition.MaxWaitSeconds, definition.WrapUpSeconds, message, definition.Ring, definition.Callback);
        if (definition.Closed && !readmit)
        {
            return (Answer(EnqueueOutcome.Closed, null, call.Sequence, definition.ClosedMessage), matches);
        }
        if (definition.MaxLength > 0 && queue.Calls.Count >= definition.MaxLength && !readmit)
        {
            return (Answer(EnqueueOutcome.Full, null, call.Sequence, definition.OverflowMessage), matches);
        }

        var sequence = call.Sequence > 0 ? call.Sequence : ++_sequence;
        _sequence = Math.Max(_sequence, sequence);
        var indexed = new IndexedCall(call with { Sequence = sequence }, queue);
        if (BestAgentFor(indexed) is { } agent)
        {
            TakeMatch(indexed, agent, matches);
            return (Answer(EnqueueOutcome.Matched, agent.Id, sequence, definition.OverflowMessage), matches);
        }
        if (skipIf is not null && skipIf.Matches(SkipDocument(queue), time.GetUtcNow()))
        {
            return (Answer(EnqueueOutcome.Skipped, null, sequence), matches);
        }
        _waiting[call.CallId] = indexed;
        queue.Calls.Add(indexed);
        return (Answer(EnqueueOutcome.Waiting, null, sequence, definition.OverflowMessage), matches);
    }

    /// <summary>
    /// A ring group's call, offered already, asks for up to <paramref name="count"/> more free agents it accepts, in the
    /// queue's selection order, leaving out <paramref name="ringing"/> (those it rings already) and whoever declined it.
    /// Each one is held for the call as a match is, until their agent confirms or the call gives them back
    /// (<see cref="ReleaseMatch"/>), so no other call takes them meanwhile.
    /// </summary>
    public List<string> MatchMore(WaitingCall call, IReadOnlyCollection<string> ringing, int count)
    {
        var found = new List<string>();
        if (count <= 0 || !_queues.TryGetValue(call.QueueId, out var queue) || _waiting.ContainsKey(call.CallId))
        {
            return found;
        }
        var indexed = new IndexedCall(call, queue);
        var now = time.GetUtcNow();
        foreach (var agent in queue.FreeAgents.ToList())
        {
            if (found.Count == count)
            {
                break;
            }
            if (ringing.Contains(agent.Id) || agent.Pending.ContainsKey(call.CallId) || agent.Active.Contains(call.CallId) || !indexed.Accepts(agent, now))
            {
                continue;
            }
            RemoveFromFreeSets(agent);
            agent.Pending[call.CallId] = now;
            agent.LastMatchSequence = ++_matchSequence;
            agent.RandomKey = random.NextDouble();
            AddToFreeSets(agent);
            found.Add(agent.Id);
        }
        return found;
    }

    /// <summary>Takes a waiting call out (caller left, target timed out). False when it was not waiting.</summary>
    public bool Withdraw(string callId)
    {
        if (!_waiting.Remove(callId, out var call))
        {
            return false;
        }
        call.Queue.Calls.Remove(call);
        return true;
    }

    /// <summary>
    /// A match that did not become an offer (the agent refused, the call had gone): the call, when given, goes back
    /// first with its age and arrival order, then the agent's slot is freed and matched again, so the agent takes
    /// the best call, which may well be this one.
    /// </summary>
    public (EnqueueResult? Result, List<Match> Matches) ReleaseMatch(string callId, string agentId, WaitingCall? requeue = null)
    {
        var matches = new List<Match>();
        if (_pending.TryGetValue(callId, out var p) && p.AgentId == agentId)
        {
            _pending.Remove(callId);
        }
        EnqueueResult? result = null;
        _agents.TryGetValue(agentId, out var agent);
        var held = agent is not null && agent.Pending.Remove(callId);
        if (requeue is not null)
        {
            // The agent still counts as holding the slot here, so the call cannot be matched straight back to it
            // before every other choice is considered below.
            (result, var more) = Enqueue(requeue, readmit: true);
            matches.AddRange(more);
        }
        if (held)
        {
            RemoveFromFreeSets(agent!);
            AddToFreeSets(agent!);
            var before = matches.Count;
            MatchAgent(agent!, matches);
            if (result?.Outcome == EnqueueOutcome.Waiting && matches.Skip(before).Any(m => m.CallId == callId))
            {
                result = result with { Outcome = EnqueueOutcome.Matched, AgentId = agentId };
            }
        }
        return (result, matches);
    }

    /// <summary>
    /// Undoes matches neither confirmed nor released within <paramref name="age"/> (the message to the call was lost,
    /// with the silo it was sent to): the agent is free again and the call waits again with its original age.
    /// </summary>
    public List<Match> ExpirePending(TimeSpan age)
    {
        var matches = new List<Match>();
        var cutoff = time.GetUtcNow() - age;
        foreach (var agent in _agents.Values.Where(a => a.Pending.Values.Any(at => at <= cutoff)).ToList())
        {
            foreach (var (callId, _) in agent.Pending.Where(p => p.Value <= cutoff).ToList())
            {
                var requeue = _pending.TryGetValue(callId, out var p) && p.AgentId == agent.Id && _queues.ContainsKey(p.QueueId) ? p.Call : null;
                // A match of the call itself comes back among the matches: it is sent like any other.
                matches.AddRange(ReleaseMatch(callId, agent.Id, requeue).Matches);
            }
        }
        return matches;
    }

    public Dictionary<string, int> WaitingByQueue() => _queues.ToDictionary(q => q.Key, q => q.Value.Calls.Count, StringComparer.Ordinal);

    public int CountInActivity(string activity) => _agents.Values.Count(a => a.Snapshot.Activity == activity);

    public QueueRealtime? Realtime(string queueId, bool waitingCallIds = true) =>
        _queues.TryGetValue(queueId, out var queue) ? Realtime(queueId, queue, waitingCallIds) : null;

    /// <summary>Every queue's realtime figures in one pass; without the waiting calls' ids unless asked.</summary>
    public List<QueueRealtime> RealtimeAll(bool waitingCallIds) =>
        [.. _queues.Select(q => Realtime(q.Key, q.Value, waitingCallIds))];

    private QueueRealtime Realtime(string queueId, IndexedQueue queue, bool waitingCallIds)
    {
        var now = time.GetUtcNow();
        var oldest = queue.Calls.Count == 0 ? (DateTimeOffset?)null : queue.Calls.Min(c => c.Call.AgeOrigin);
        var atWork = AgentsAtWork(queue);
        return new QueueRealtime(
            queueId,
            queue.Calls.Count,
            oldest is { } o ? Math.Max(0, (now - o).TotalSeconds) : 0,
            new Dictionary<string, int>(queue.MembersByActivity),
            queue.Members.Count,
            queue.FreeAgents.Count,
            waitingCallIds ? queue.Calls.Select(c => c.Id).ToList() : [],
            // A caller arriving now at the lowest priority waits behind everyone waiting.
            WaitEstimate.Seconds(queue.Calls.Count, queue.FreeAgents.Count, atWork, queue.HandleSeconds),
            Math.Round(queue.HandleSeconds, 1),
            Math.Round(atWork, 3));
    }

    /// <summary>The queue's eligible agents at work, each as its capacity shared among the queues it is eligible for.</summary>
    private static double AgentsAtWork(IndexedQueue queue) => queue.Members
        .Where(a => a.Snapshot.Available || a.Active.Count > 0 || a.Pending.Count > 0 || a.Snapshot.Activity == Abstractions.Activities.WrapUp)
        .Sum(a => (double)Math.Max(1, a.Snapshot.Capacity) / Math.Max(1, a.Queues.Count));

    /// <summary>A waiting call's estimated wait (<see cref="WaitEstimate"/>); null when it is not waiting or nobody is at work.</summary>
    public double? EstimatedWaitOf(string callId)
    {
        var position = PositionOf(callId);
        if (position == 0)
        {
            return null;
        }
        var queue = _waiting[callId].Queue;
        return WaitEstimate.Seconds(position - 1, queue.FreeAgents.Count, AgentsAtWork(queue), queue.HandleSeconds);
    }

    /// <summary>
    /// A waiting call's place, estimated wait, its queue's announcement interval and whether it is offered a callback now;
    /// null when it is not waiting.
    /// </summary>
    public WaitInfo? WaitOf(string callId)
    {
        if (!_waiting.TryGetValue(callId, out var call))
        {
            return null;
        }
        var estimate = EstimatedWaitOf(callId);
        var definition = call.Queue.Definition;
        var offered = definition.Callback.OfferedTo((time.GetUtcNow() - call.Call.AgeOrigin).TotalSeconds, estimate);
        return new WaitInfo(PositionOf(callId), estimate, definition.AnnounceEverySeconds, offered, definition.Voicemail.HasFlag(VoicemailWhen.Menu));
    }

    /// <summary>A call answered from the queue was handled in <paramref name="seconds"/>: the queue's recent handle time moves.</summary>
    public void RecordHandleTime(string queueId, double seconds)
    {
        if (_queues.TryGetValue(queueId, out var queue) && seconds >= 0 && double.IsFinite(seconds))
        {
            queue.HandleSeconds = WaitEstimate.Next(queue.HandleSeconds, queue.HandleSamples, seconds);
            queue.HandleSamples++;
        }
    }

    /// <summary>1-based place of a waiting call in its queue's service order; 0 when not waiting.</summary>
    public int PositionOf(string callId)
    {
        if (!_waiting.TryGetValue(callId, out var call))
        {
            return 0;
        }
        var position = 1;
        foreach (var c in call.Queue.Calls)
        {
            if (ReferenceEquals(c, call))
            {
                return position;
            }
            position++;
        }
        return 0;
    }

    private void Join(IndexedAgent agent, IndexedQueue queue)
    {
        if (!queue.Target.Matches(agent.Attributes, time.GetUtcNow()))
        {
            return;
        }
        agent.Queues.Add(queue);
        queue.Members.Add(agent);
        queue.CountActivity(agent.Snapshot.Activity, +1);
        if (queue.OrderBy is { } spec)
        {
            agent.OrderKeys[queue] = spec.KeyOf(agent.Attributes);
        }
    }

    private IndexedAgent? BestAgentFor(IndexedCall call)
    {
        var now = time.GetUtcNow();
        if (call.OrderBy is { } order)
        {
            // A target's own order_by overrides the queue's selection for this call.
            IndexedAgent? best = null;
            ExprValue[]? bestKey = null;
            foreach (var agent in call.Queue.FreeAgents)
            {
                if (!call.Accepts(agent, now))
                {
                    continue;
                }
                var key = order.KeyOf(agent.Attributes);
                if (best is null || order.Compare(key, bestKey!) < 0)
                {
                    best = agent;
                    bestKey = key;
                }
            }
            return best;
        }
        foreach (var agent in call.Queue.FreeAgents)
        {
            if (call.Accepts(agent, now))
            {
                return agent;
            }
        }
        return null;
    }

    private void MatchAgent(IndexedAgent agent, List<Match> matches)
    {
        var now = time.GetUtcNow();
        while (agent.InFreeSets)
        {
            IndexedCall? best = null;
            foreach (var queue in agent.Queues)
            {
                var fifo = queue.Calls.Comparer == CallOrder.Fifo;
                foreach (var call in queue.Calls)
                {
                    if (fifo && best is not null && CallOrder.Across(call, best) >= 0)
                    {
                        break; // in FIFO order every later call of this queue is worse than the best found
                    }
                    if (call.Accepts(agent, now))
                    {
                        if (best is null || CallOrder.Across(call, best) < 0)
                        {
                            best = call;
                        }
                        break;
                    }
                }
            }
            if (best is null)
            {
                return;
            }
            Withdraw(best.Id);
            TakeMatch(best, agent, matches);
        }
    }

    private void TakeMatch(IndexedCall call, IndexedAgent agent, List<Match> matches)
    {
        RemoveFromFreeSets(agent);
        agent.Pending[call.Id] = time.GetUtcNow();
        agent.LastMatchSequence = ++_matchSequence;
        agent.RandomKey = random.NextDouble();
        _pending[call.Id] = (agent.Id, call.Queue.Id, call.Call);
        matches.Add(new Match(call.Id, agent.Id, call.Queue.Id));
        AddToFreeSets(agent);
    }

    private static void RemoveFromFreeSets(IndexedAgent agent)
    {
        if (!agent.InFreeSets)
        {
            return;
        }
        foreach (var queue in agent.Queues)
        {
            queue.FreeAgents.Remove(agent);
        }
        agent.InFreeSets = false;
    }

    private static void AddToFreeSets(IndexedAgent agent)
    {
        if (agent.InFreeSets || !agent.IsFree)
        {
            return;
        }
        foreach (var queue in agent.Queues)
        {
            queue.FreeAgents.Add(agent);
        }
        agent.InFreeSets = true;
    }

    /// <summary>The document TaskRouter's skip_if reads: <c>workers.available</c>, <c>workers.unavailable</c>, <c>workers.&lt;Activity&gt;</c>.</summary>
    private static JsonElement SkipDocument(IndexedQueue queue)
    {
        var workers = new Dictionary<string, int>(queue.MembersByActivity, StringComparer.Ordinal);
        var available = queue.Members.Count(a => a.Snapshot.Available);
        workers["available"] = available;
        workers["unavailable"] = queue.Members.Count - available;
        return JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["workers"] = workers });
    }
}
