using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Expressions;
using Acd.Twilio.Fake;

namespace Acd.Simulation;

/// <summary>A promise Acd broke, found after a step.</summary>
public sealed class InvariantException(string invariant, string detail) : Exception($"{invariant}: {detail}")
{
    /// <summary>Which promise: failures of the same promise count as the same failure when a trace is shrunk.</summary>
    public string Invariant { get; } = invariant;
}

/// <summary>
/// What must hold after every step, checked from outside against Acd's views and the fake Twilio:
/// <list type="bullet">
/// <item>every live call is in exactly one place: waiting in one queue (the router's index and the stored waiting record
/// agree), offered to an agent who holds the offer, connected to an agent who holds the call, or in wrap-up;</item>
/// <item>an agent holds offers and calls only of live calls that name it, never more than its capacity;</item>
/// <item>an Available eligible agent with a free channel and a waiting call it may take never coexist for more than a
/// second of simulated time;</item>
/// <item>once the network is quiet (every callback delivered, every request answered): Twilio has no live agent leg Acd
/// does not know, no conference keeps an agent without a customer for longer than Acd's look-up of a customer's leg
/// takes (a failed outbound dial whose callback was lost), never two agents with the customer unless a warm
/// transfer says so, and the conference of every call that ended has ended.</item>
/// </list>
/// </summary>
public sealed class Invariants(SimHost host, World world)
{
    /// <summary>How long a waiting call and a free agent who could take it may coexist.</summary>
    private static readonly TimeSpan MatchWithin = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string Call, string Agent), DateTimeOffset> _unmatched = [];

    /// <summary>
    /// How long an agent may be alone in a conference. An outbound customer's leg that fails tells so by one status
    /// callback; when the network loses it, Acd learns it by looking the leg up past its ring time (60 s and 15 s of
    /// grace), so until then the agent hears the ringing stop and is alone. Any longer is a call Acd lost track of.
    /// </summary>
    private static readonly TimeSpan AloneWithin = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, DateTimeOffset> _alone = [];

    /// <summary>
    /// How long nothing may move before a broken promise is looked at again. Settling is judged by counting the work
    /// under way and by a quiet moment; on a loaded machine a moment can pass while work is between threads, and a
    /// snapshot read then sees a call between two places. A promise really broken stays broken however long Acd is
    /// left alone, so a failure counts only when it is still there after this much quiet.
    /// </summary>
    public static TimeSpan SecondLookQuiet { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Failures that were gone at the second look (the snapshot was read while work was still under way).</summary>
    public static int SecondLooksCleared => _secondLooksCleared;

    private static int _secondLooksCleared;

    public async Task CheckAsync()
    {
        var before = world.Now;
        try
        {
            await CheckFromAsync(before);
        }
        catch (InvariantException first)
        {
            await host.SettleAsync(quietFor: SecondLookQuiet);
            await CheckFromAsync(before);
            Interlocked.Increment(ref _secondLooksCleared);
            SimulationRun.Live?.Write($"[seen mid-flight, gone at a second look: {first.Message}] ");
        }
    }

    private async Task CheckFromAsync(Snapshot before)
    {
        world.Now = await Snapshot.ReadAsync(host, world, before);
        var now = world.Now;
        CheckPlaces(before, now);
        CheckCalls(now);
        CheckAgents(now);
        CheckMatching(now);
        CheckCallbacks(now);
        CheckVoicemails(now);
        if (world.HeldCallbacks.Count == 0 && host.Network.InFlight == 0 && host.Backlog == 0 && host.TelephonyInFlight == 0)
        {
            CheckTwilio(now);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string invariant, string detail) => throw new InvariantException(invariant, detail);

    /// <summary>Acd's calls and agents and Twilio's legs as they stand, for a failure report.</summary>
    public string Describe()
    {
        var now = world.Now;
        var lines = new List<string> { $"Clock {host.Time.GetUtcNow():HH:mm:ss.fff}; network {host.Network.InFlight} in flight, pace backlog {host.Backlog}, {world.HeldCallbacks.Count} callbacks held" };
        foreach (var call in now.Calls.Values.OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            lines.Add($"  call {world.Short(call.Id)}: {call.Status} queue {call.QueueId} offered {call.OfferedAgentId?.Replace(world.Prefix + "-", "", StringComparison.Ordinal)} agent {call.AgentId?.Replace(world.Prefix + "-", "", StringComparison.Ordinal)} consult {call.ConsultAgentId} hold {call.OnHold} end {call.EndReason} conference {(call.ConferenceSid is { } conferenceSid ? world.Short(conferenceSid) : "-")}{(call.PendingOperations is { Count: > 0 } pending ? $" pending [{string.Join(", ", pending)}]" : "")}{(call.CallerInMenu ? " in the callback menu" : "")}{(call.Callback is { } cb ? $" callback to {cb.Number} attempts {cb.Attempts}/{cb.MaxAttempts} due {cb.DueAt:HH:mm:ss.f} connected {cb.ConnectedAt:HH:mm:ss.f}" : "")}");
            foreach (var leg in call.Legs)
            {
                lines.Add($"      leg {leg.LegId[^3..]} {leg.Role} {leg.AgentId?.Replace(world.Prefix + "-", "", StringComparison.Ordinal)} {(leg.CallSid is null ? "-" : world.Short(leg.CallSid))} {leg.Status}");
            }
        }
        var events = host.EventLog.QueryAsync(new Acd.Grains.Events.EventQuery(From: host.Time.GetUtcNow().AddHours(-2), Limit: 100_000)).GetAwaiter().GetResult().Events;
        foreach (var call in now.LiveCalls)
        {
            lines.Add($"  events of {world.Short(call.Id)}: {string.Join(" ", events.Where(e => e.CallId == call.Id).TakeLast(14).Select(e => $"{e.Type}({e.AgentId?.Replace(world.Prefix + "-", "", StringComparison.Ordinal)})"))}");
        }
        foreach (var agent in now.Agents.Values.OrderBy(a => a.Id, StringComparer.Ordinal))
        {
            lines.Add($"  agent {world.Short(agent.Id)}: {agent.Activity} offers [{string.Join(", ", agent.Offers.Select(world.Short))}] calls [{string.Join(", ", agent.Calls.Select(world.Short))}] missed {agent.ConsecutiveMissedOffers}");
        }
        foreach (var leg in host.Twilio.Legs.Where(world.Owns).OrderBy(l => l.Sid, StringComparer.Ordinal))
        {
            lines.Add($"  twilio {world.Short(leg.Sid)} to {leg.To.Replace(world.Prefix + "-", "", StringComparison.Ordinal)}: {leg.Status}");
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// A caller the queue admitted keeps their place: an offer that fails puts them back in it even if it has closed or
    /// filled meanwhile, so a call that was offered from a queue is never turned away by that same queue.
    /// </summary>
    private void CheckPlaces(Snapshot before, Snapshot now)
    {
        foreach (var call in now.Calls.Values.Where(c => c.EndReason is "queue-closed" or "queue-full"))
        {
            if (before.Calls.TryGetValue(call.Id, out var was) && was.Status == CallStatus.Offered && was.QueueId is { } queue && queue == call.QueueId)
            {
                Fail("keeps its place", $"{world.Short(call.Id)} was offered from {world.Short(queue)}, then turned away by it ({call.EndReason})");
            }
        }
    }

    private void CheckCalls(Snapshot now)
    {
        var inRouter = now.RouterWaiting.SelectMany(q => (q.Value ?? []).Select(c => (Queue: q.Key, Call: c))).ToLookup(p => p.Call, p => p.Queue);
        var inStore = now.StoredWaiting.SelectMany(q => q.Value.Select(c => (Queue: q.Key, Call: c))).ToLookup(p => p.Call, p => p.Queue);
        foreach (var call in now.Calls.Values)
        {
            var id = world.Short(call.Id);
            if (call.WrapUpCode is { } code && call.WrapUpCodes?.Contains(code) != true)
            {
                Fail("wrap-up code", $"{id} was completed with '{code}', not one of its queue's codes [{string.Join(", ", call.WrapUpCodes ?? [])}]");
            }
            var routerQueues = inRouter[call.Id].ToList();
            var storeQueues = inStore[call.Id].ToList();
            if (call.Status == CallStatus.Queued && !call.CallerInMenu)
            {
                if (routerQueues.Count != 1 || routerQueues[0] != call.QueueId)
                {
                    Fail("one place", $"{id} is queued in {call.QueueId} but the router has it waiting in [{string.Join(", ", routerQueues)}]");
                }
                if (storeQueues.Count != 1 || storeQueues[0] != call.QueueId)
                {
                    Fail("one place", $"{id} is queued in {call.QueueId} but its stored waiting record is in [{string.Join(", ", storeQueues)}]");
                }
            }
            else if (routerQueues.Count > 0 || storeQueues.Count > 0)
            {
                Fail("one place", $"{id} is {call.Status} but waits in the router's [{string.Join(", ", routerQueues)}] and the store's [{string.Join(", ", storeQueues)}]");
            }
            switch (call.Status)
            {
                case CallStatus.Created:
                    Fail("one place", $"{id} is still being created after the step settled");
                    break;
                case CallStatus.Offered when call.OfferedAgentId is not { } agent:
                    Fail("one place", $"{id} is offered to nobody");
                    break;
                case CallStatus.Offered when (call.OfferedToAll ?? [call.OfferedAgentId!]).FirstOrDefault(a => !Holds(now, a, call.Id, offer: true)) is { } without:
                    Fail("one place", $"{id} is offered to {world.Short(without)}, who does not hold the offer");
                    break;
                case CallStatus.Connected when call.AgentId is not { } agent || !Holds(now, agent, call.Id, offer: false):
                    Fail("one place", $"{id} is connected to {call.AgentId}, who does not hold the call");
                    break;
                case CallStatus.Queued or CallStatus.WrapUp or CallStatus.Completed or CallStatus.Abandoned or CallStatus.Canceled or CallStatus.Failed when call.OfferedAgentId is not null:
                    Fail("one place", $"{id} is {call.Status} and offered to {call.OfferedAgentId}");
                    break;
            }
        }
    }

    /// <summary>How late a scheduled callback may still be scheduled: its time comes on the clock's next step.</summary>
    private static readonly TimeSpan DueWithin = TimeSpan.FromSeconds(1);

    /// <summary>Each callback's agent legs seen so far (an attempt's legs are let go with it), by call.</summary>
    private readonly Dictionary<string, HashSet<string>> _agentLegs = new(StringComparer.Ordinal);

    /// <summary>
    /// Each time a callback was seen scheduled: for when, and the legs to its number Twilio had then. A leg made after that
    /// and before its time is a dial before its time (one made in the same instant, before it was scheduled, is not).
    /// </summary>
    private readonly Dictionary<string, Dictionary<DateTimeOffset, HashSet<string>>> _scheduled = new(StringComparer.Ordinal);

    /// <summary>
    /// A callback is never lost: never abandoned before it reached its customer (nobody waits on the line to give up; once
    /// reached and transferred back to a queue, the customer waits on the line like any caller), never scheduled for no time or
    /// past its time. Its customer is never dialled twice at once (nor while the caller is still on their first call),
    /// never while it is scheduled, and never before an agent of the call has answered (the agent is rung first). Every
    /// leg to the callback's number is counted, not only the legs Acd knows: Twilio rings the phone either way.
    /// </summary>
    /// <summary>
    /// Every message a caller of this world recorded is a call of its own (by its RecordingSid) at once (the &lt;Record&gt;'s
    /// action makes it; its callback may come later or not at all), left from that caller's call, which names it; one per
    /// caller; and, as a callback to the caller's number, never lost (the callback invariants hold for it too).
    /// </summary>
    private void CheckVoicemails(Snapshot now)
    {
        var recordings = host.Twilio.Recordings.Where(r => world.CallIds.Contains(r.CallSid)).ToList();
        foreach (var recording in recordings)
        {
            var id = world.Short(recording.CallSid);
            if (!now.Calls.TryGetValue(recording.Sid, out var voicemail))
            {
                Fail("a voicemail is never lost", $"{id} recorded {recording.Sid} ({recording.DurationSeconds}s) and no call was made of it");
            }
            if (voicemail.Voicemail?.FromCallId != recording.CallSid || voicemail.Voicemail.RecordingUrl != recording.Url)
            {
                Fail("a voicemail is never lost", $"voicemail {recording.Sid} says it was left from {voicemail.Voicemail?.FromCallId} at {voicemail.Voicemail?.RecordingUrl}, not {id}'s");
            }
            if (now.Calls.TryGetValue(recording.CallSid, out var left) && left.Voicemail?.VoicemailCallId != recording.Sid)
            {
                Fail("a voicemail is never lost", $"{id} does not name its voicemail {recording.Sid} (it names {left.Voicemail?.VoicemailCallId ?? "none"})");
            }
            if (voicemail.Status == CallStatus.Abandoned)
            {
                Fail("a voicemail is never lost", $"voicemail {recording.Sid} ended abandoned ({voicemail.EndReason})");
            }
        }
        if (recordings.GroupBy(r => r.CallSid).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            Fail("a voicemail is never lost", $"{world.Short(twice.Key)} recorded {twice.Count()} messages");
        }
    }

    private void CheckCallbacks(Snapshot now)
    {
        var clock = host.Time.GetUtcNow();
        foreach (var call in now.Calls.Values.Where(c => c.Callback is not null || c.Kind == CallKind.Callback))
        {
            var id = world.Short(call.Id);
            if (!_agentLegs.TryGetValue(call.Id, out var agentLegs))
            {
                _agentLegs[call.Id] = agentLegs = new HashSet<string>(StringComparer.Ordinal);
            }
            agentLegs.UnionWith(call.Legs.Where(l => l.Role == LegRole.Agent && l.CallSid is not null).Select(l => l.CallSid!));
            if (call.Status == CallStatus.Abandoned && call.Callback?.ConnectedAt is null)
            {
                Fail("a callback is never lost", $"{id} is a callback that never reached its customer and ended abandoned ({call.EndReason})");
            }
            if (call.Status == CallStatus.Scheduled)
            {
                if (call.Callback?.DueAt is not { } due)
                {
                    Fail("a callback is never lost", $"{id} is scheduled for no time");
                    continue;
                }
                if (due < clock - DueWithin)
                {
                    Fail("a callback is never lost", $"{id} was due at {due:HH:mm:ss.f} and is still scheduled at {clock:HH:mm:ss.f}");
                }
                if (!_scheduled.TryGetValue(call.Id, out var windows))
                {
                    _scheduled[call.Id] = windows = [];
                }
                windows.TryAdd(due, [.. host.Twilio.Legs.Where(l => l.Direction != "inbound" && l.To == call.Callback.Number).Select(l => l.Sid)]);
            }
            if (call.Callback is not { } callback)
            {
                continue;
            }
            var customerLegs = host.Twilio.Legs.Where(l => l.Direction != "inbound" && l.To == callback.Number).ToList();
            var live = customerLegs.Where(l => !l.IsFinal).Select(l => l.Sid).ToList();
            if (host.Twilio.Leg(call.Id) is { IsFinal: false } caller)
            {
                live.Add(caller.Sid);
            }
            if (live.Count > 1)
            {
                Fail("a callback is dialled once at a time", $"{id}'s customer {callback.Number} has {live.Count} live legs: {string.Join(", ", live.Select(world.Short))}");
            }
            foreach (var leg in customerLegs)
            {
                if (_scheduled.GetValueOrDefault(call.Id)?.FirstOrDefault(w => !w.Value.Contains(leg.Sid) && leg.CreatedAt < w.Key) is { Key: var due } && due != default)
                {
                    Fail("a callback is never dialled before its time", $"{id}'s customer was dialled ({world.Short(leg.Sid)}) at {leg.CreatedAt:HH:mm:ss.f}, while it was scheduled for {due:HH:mm:ss.f}");
                }
                if (!agentLegs.Any(sid => host.Twilio.Leg(sid)?.AnsweredAt <= leg.CreatedAt))
                {
                    Fail("a callback's agent is rung first", $"{id}'s customer was dialled ({world.Short(leg.Sid)}) at {leg.CreatedAt:HH:mm:ss.f} before any agent of the call had answered");
                }
            }
        }
    }

    private static bool Holds(Snapshot now, string agentId, string callId, bool offer) =>
        now.Agents.TryGetValue(agentId, out var agent) && (offer ? agent.Offers : agent.Calls).Contains(callId);

    private void CheckAgents(Snapshot now)
    {
        foreach (var agent in now.Agents.Values)
        {
            if (agent.Offers.Count + agent.Calls.Count > agent.Capacity)
            {
                Fail("capacity", $"{world.Short(agent.Id)} holds {agent.Offers.Count} offers and {agent.Calls.Count} calls with capacity {agent.Capacity}");
            }
            foreach (var callId in agent.Offers.Concat(agent.Calls))
            {
                var names = now.Calls.TryGetValue(callId, out var call) && !call.Status.IsFinal()
                    && (call.OfferedAgentId == agent.Id || call.OfferedToAll?.Contains(agent.Id) == true || call.AgentId == agent.Id || call.ConsultAgentId == agent.Id);
                if (!names)
                {
                    Fail("agent busy for nothing", $"{world.Short(agent.Id)} holds {world.Short(callId)}, which is {call?.Status.ToString() ?? "unknown"} and names {call?.AgentId ?? call?.OfferedAgentId ?? "nobody"}");
                }
            }
        }
    }

    /// <summary>A waiting call and a free agent its queue targets (and who has not declined it) must not stay apart.</summary>
    private void CheckMatching(Snapshot now)
    {
        var seen = new HashSet<(string, string)>();
        foreach (var call in now.Calls.Values.Where(c => c.Status == CallStatus.Queued && !c.CallerInMenu))
        {
            if (world.Queues.GetValueOrDefault(call.QueueId ?? "") is not { Closed: var _ } queue)
            {
                continue;
            }
            var target = RoutingExpression.Parse(queue.TargetWorkers, ExpressionScope.Worker);
            foreach (var agent in now.Agents.Values.Where(a => a.Available && a.Offers.Count + a.Calls.Count < a.Capacity && !call.DeclinedBy.Contains(a.Id)))
            {
                if (!target.Matches(JsonDocument.Parse(agent.AttributesJson).RootElement, host.Time.GetUtcNow()))
                {
                    continue;
                }
                var key = (call.Id, agent.Id);
                seen.Add(key);
                if (!_unmatched.TryGetValue(key, out var since))
                {
                    _unmatched[key] = since = host.Time.GetUtcNow();
                }
                if (host.Time.GetUtcNow() - since > MatchWithin)
                {
                    Fail("no idle match", $"{world.Short(call.Id)} has waited in {world.Short(call.QueueId!)} since {since:HH:mm:ss.f} while {world.Short(agent.Id)} is Available and free");
                }
            }
        }
        foreach (var stale in _unmatched.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _unmatched.Remove(stale);
        }
    }

    private void CheckTwilio(Snapshot now)
    {
        var legs = host.Twilio.Legs.Where(world.Owns).ToList();
        var known = now.Calls.Values.SelectMany(c => c.Legs.Select(l => (Call: c, Leg: l))).Where(p => p.Leg.CallSid is not null).ToLookup(p => p.Leg.CallSid!);
        foreach (var leg in legs.Where(l => l.Direction != "inbound" && !l.IsFinal))
        {
            if (!known[leg.Sid].Any(p => !p.Leg.Status.IsFinal()))
            {
                Fail("no unknown legs", $"{world.Short(leg.Sid)} ({leg.To}) is {leg.Status} at Twilio, but no call of Acd's has it live");
            }
        }
        foreach (var twice in legs.Where(l => l.Label is not null && l.Direction != "inbound").GroupBy(l => (l.ConferenceSid, l.Label)).Where(g => g.Count() > 1))
        {
            Fail("rung once", $"{twice.Key.Label} was rung {twice.Count()} times in one conference: {string.Join(", ", twice.Select(l => world.Short(l.Sid)))}");
        }
        var alone = new HashSet<string>();
        foreach (var conference in host.Twilio.Conferences.Where(c => world.Owns(c) && c.Status == "in-progress"))
        {
            var participants = conference.Participants.Values.ToList();
            var customer = participants.FirstOrDefault(p => p.Label == "customer");
            var agents = participants.Where(p => p.Status == "connected" && p.Label?.StartsWith("agent-", StringComparison.Ordinal) == true).ToList();
            var call = now.Calls.Values.FirstOrDefault(c => c.ConferenceName == conference.FriendlyName);
            if (customer is null && agents.Count > 0)
            {
                alone.Add(conference.Sid);
                if (!_alone.TryGetValue(conference.Sid, out var since))
                {
                    _alone[conference.Sid] = since = host.Time.GetUtcNow();
                }
                if (host.Time.GetUtcNow() - since <= AloneWithin)
                {
                    continue;
                }
                Fail("nobody left alone", $"{conference.FriendlyName} keeps {string.Join(", ", agents.Select(a => world.Short(a.CallSid)))} with no customer (call {call?.Status.ToString() ?? "unknown"})");
            }
            // A ring group's leg joins the caller only once it has taken the call: never while the call is still offered.
            foreach (var staged in agents.Where(p => host.Twilio.Leg(p.CallSid)?.AnswerUrl is not null))
            {
                if (call is { Status: CallStatus.Queued or CallStatus.Offered or CallStatus.Created })
                {
                    Fail("a ring group's agent hears the caller only once they took the call", $"{world.Short(staged.CallSid)} is in {conference.FriendlyName} while {world.Short(call.Id)} is {call.Status}");
                }
            }
            if (customer is { Status: "connected" } && agents.Count > 1 && !(call?.ConsultAgentId is not null && agents.Count == 2))
            {
                Fail("one agent with the customer", $"{conference.FriendlyName} has {string.Join(", ", agents.Select(a => world.Short(a.CallSid)))} with the customer; the call is {call?.Status.ToString() ?? "unknown"} with {call?.AgentId}");
            }
        }
        foreach (var gone in _alone.Keys.Where(k => !alone.Contains(k)).ToList())
        {
            _alone.Remove(gone);
        }
        foreach (var call in now.Calls.Values.Where(c => c.Status.IsFinal() || c.Status == CallStatus.WrapUp))
        {
            if (host.Twilio.ConferenceNamed(call.ConferenceName) is { Status: not "completed" } conference && conference.Participants.Count > 0)
            {
                Fail("conference ends with its call", $"{world.Short(call.Id)} is {call.Status} but its conference is {conference.Status} with {string.Join(", ", conference.Participants.Keys.Select(world.Short))}");
            }
        }
    }

    /// <summary>
    /// After the world has stopped acting and the clock has run on: every call has ended, is connected with both sides
    /// on the line at Twilio, or waits with no eligible agent free.
    /// </summary>
    public void CheckSettled()
    {
        var now = world.Now;
        foreach (var call in now.Calls.Values.Where(c => !c.Status.IsFinal()))
        {
            switch (call.Status)
            {
                case CallStatus.Queued when call.CallerInMenu:
                    Fail("liveness", $"{world.Short(call.Id)}'s caller is still in the callback menu after the quiet period");
                    break;
                case CallStatus.Queued:
                    break; // the coexistence invariant has already held for it
                case CallStatus.Scheduled when call.Callback?.DueAt > host.Time.GetUtcNow():
                    break; // its time has not come
                case CallStatus.Connected:
                    var conference = host.Twilio.ConferenceNamed(call.ConferenceName);
                    var sides = conference?.Participants.Values.Where(p => p.Status == "connected").Select(p => p.Label ?? "").ToList() ?? [];
                    if (!sides.Contains("customer") || !sides.Any(s => s.StartsWith("agent-", StringComparison.Ordinal)))
                    {
                        Fail("liveness", $"{world.Short(call.Id)} is connected but its conference has [{string.Join(", ", sides)}]");
                    }
                    break;
                default:
                    Fail("liveness", $"{world.Short(call.Id)} is still {call.Status} after the quiet period");
                    break;
            }
        }
    }

    /// <summary>After everyone has hung up and the clock has run on: every call ended, every agent free, nothing live at Twilio.</summary>
    public void CheckDrained()
    {
        var now = world.Now;
        foreach (var call in now.Calls.Values.Where(c => !c.Status.IsFinal()))
        {
            Fail("drained", $"{world.Short(call.Id)} is still {call.Status} after everyone hung up");
        }
        foreach (var agent in now.Agents.Values.Where(a => a.Offers.Count + a.Calls.Count > 0))
        {
            Fail("drained", $"{world.Short(agent.Id)} still holds [{string.Join(", ", agent.Offers.Concat(agent.Calls).Select(world.Short))}]");
        }
        foreach (var leg in host.Twilio.Legs.Where(l => world.Owns(l) && !l.IsFinal))
        {
            Fail("drained", $"{world.Short(leg.Sid)} ({leg.To}) is still {leg.Status} at Twilio");
        }
        foreach (var conference in host.Twilio.Conferences.Where(c => world.Owns(c) && c.Status != "completed" && c.Participants.Count > 0))
        {
            Fail("drained", $"{conference.FriendlyName} is still {conference.Status} at Twilio");
        }
        // Every call has settled: the network confirmed what Acd ended, so nothing is left to check again or to recover.
        foreach (var callId in host.Unsettled.LoadAsync().GetAwaiter().GetResult().Where(world.CallIds.Contains))
        {
            Fail("drained", $"{world.Short(callId)} has not settled (its teardown is not confirmed) after everyone hung up");
        }
    }
}
