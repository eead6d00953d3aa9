using System.Globalization;
using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Twilio.Fake;

namespace Acd.Simulation;

/// <summary>
/// A small contact center of one run's own (every id carries the run's prefix) and everyone acting in it: callers who
/// call in and hang up, agents who answer, miss, reject, hold, transfer and dial out, a supervisor, an admin who closes,
/// fills, deletes and retargets queues and edits a workflow, the network that delivers Twilio's callbacks and serves
/// Acd's requests as it likes, and the clock. Each step reads its choices against the state after the last step.
/// </summary>
public sealed class World(SimHost host, string prefix, int run)
{
    private const int QueueCount = 4;
    private static readonly string[] Activities = [Acd.Grains.Abstractions.Activities.Available, Acd.Grains.Abstractions.Activities.Available, Acd.Grains.Abstractions.Activities.Break, Acd.Grains.Abstractions.Activities.Offline];

    /// <summary>Agents: skills, and capacity. The last starts Offline, so some calls wait with nobody eligible.</summary>
    private static readonly (string[] Skills, int Capacity, string Activity)[] AgentShapes =
    [
        (["ja", "vip"], 1, "Available"), (["ja"], 1, "Available"), ([], 1, "Available"), (["vip"], 1, "Available"), (["ja"], 2, "Available"), ([], 1, "Offline"),
    ];

    private readonly List<HeldCallback> _held = [];
    private int _calls;
    private int _outbound;
    private int _callbacks;
    private int _keyed;

    public string Prefix => prefix;

    public IGrainFactory Grains => host.Grains;

    public List<string> QueueIds { get; } = [.. Enumerable.Range(0, QueueCount).Select(i => $"{prefix}-q{i}")];

    /// <summary>Each queue as last configured (null once deleted).</summary>
    public Dictionary<string, QueueDefinition?> Queues { get; } = new(StringComparer.Ordinal);

    public List<string> AgentIds { get; } = [.. Enumerable.Range(0, AgentShapes.Length).Select(i => $"{prefix}-a{i}")];

    public string SupervisorId => $"{prefix}-sup";

    public List<string> WorkflowIds { get; } = [$"{prefix}-w0", $"{prefix}-w1"];

    /// <summary>Every call of this world, by id (the caller's CallSid, or the outbound call's id).</summary>
    public List<string> CallIds { get; } = [];

    /// <summary>Numbers this world's outbound calls and callbacks dial, and its callers call from.</summary>
    public HashSet<string> Customers { get; } = new(StringComparer.Ordinal);

    /// <summary>Acd's views after the last step, read by the invariants; actions choose from them.</summary>
    public Snapshot Now { get; set; } = Snapshot.Empty;

    /// <summary>Callbacks Twilio has made that the network has not delivered yet.</summary>
    public IReadOnlyList<HeldCallback> HeldCallbacks => _held;

    public bool Owns(FakeLeg leg) =>
        leg.To.Contains(prefix, StringComparison.Ordinal) || leg.From.Contains(prefix, StringComparison.Ordinal) || Customers.Contains(leg.To) || CallIds.Contains(leg.Sid);

    public bool Owns(FakeConference conference) => conference.FriendlyName.Contains(prefix, StringComparison.Ordinal) || CallIds.Any(c => conference.FriendlyName.Contains(c, StringComparison.Ordinal));

    public string ContactOf(string agentId) => $"client:{agentId}";

    /// <summary>
    /// q1 is a ring group of everyone (ring_all, with a whisper), q3 one that grows every 3 s up to 3 agents who take the
    /// call with a key; q0 and q2 offer a call to one agent at a time. Callbacks: q0 offers one after 5 s (2 attempts), q1
    /// after 10 s (3), q2 when its estimated wait passes 20 s (3), q3 at once (1). Voicemail: q0 when closed, full or chosen
    /// in the menu, q1 when closed or full, q2 in the menu, q3 when closed; at most 30 s.
    /// </summary>
    public QueueDefinition QueueShape(int index, string? target = null) => new(
        QueueIds[index], $"q{index}", target ?? Target(index, 0), "FIFO",
        index switch { 1 => AgentSelection.RingAll, 3 => AgentSelection.RingProgressively, _ => AgentSelection.LongestIdle }, null,
        MaxLength: 0, MaxWaitSeconds: index == 0 ? 180 : 0, WrapUpSeconds: index switch { 0 => 5, 2 => 10, _ => 0 }, Closed: false, null, null,
        WrapUpCodes: index == 1 ? null : WrapUpCodes,
        MaxRing: index == 1 ? 6 : 3, RingStepSeconds: 3, AcceptWithKey: index == 3, Whisper: index == 1,
        CallbackAfterSeconds: index switch { 0 => 5, 1 => 10, 3 => 0, _ => null }, CallbackWhenWaitExceedsSeconds: index == 2 ? 20 : null,
        CallbackAttempts: index switch { 0 => 2, 3 => 1, _ => 3 }, CallbackRetrySeconds: 30,
        VoicemailWhen: index switch { 0 => ["closed", "full", "menu"], 1 => ["closed", "full"], 2 => ["menu"], _ => ["closed"] }, VoicemailMaxLength: 30);

    /// <summary>The disposition codes of the queues that have them; an agent sometimes sends one no queue lists.</summary>
    private static readonly IReadOnlyList<string> WrapUpCodes = ["solved", "callback"];

    /// <summary>Who a queue targets; <paramref name="variant"/> 1 is the retargeted one.</summary>
    private string Target(int index, int variant) => (index, variant) switch
    {
        (0, 0) => $"team == '{prefix}' AND skills HAS 'ja'",
        (2, 0) => $"team == '{prefix}' AND skills HAS 'vip'",
        (_, 0) => $"team == '{prefix}'",
        (0, _) => $"team == '{prefix}' AND (skills HAS 'ja' OR skills HAS 'vip')",
        (1, _) => $"team == '{prefix}' AND capacity_hint != 'x'",
        (2, _) => $"team == '{prefix}' AND NOT (skills HAS 'ja')",
        _ => $"team == '{prefix}' AND skills HAS 'vip'",
    };

    public async Task SetupAsync()
    {
        for (var i = 0; i < QueueCount; i++)
        {
            await ConfigureQueueAsync(QueueShape(i));
        }
        await ConfigureWorkflowAsync(0, edited: false);
        await ConfigureWorkflowAsync(1, edited: false);
        for (var i = 0; i < AgentShapes.Length; i++)
        {
            var (skills, capacity, activity) = AgentShapes[i];
            var attributes = JsonSerializer.Serialize(new { team = prefix, skills, contact_uri = ContactOf(AgentIds[i]) });
            Check(await Grains.GetGrain<IAgentGrain>(AgentIds[i]).ConfigureAsync(new AgentDefinition(AgentIds[i], $"agent {i}", attributes, capacity, activity), false));
        }
        var supervisor = JsonSerializer.Serialize(new { team = $"{prefix}-supervisors", contact_uri = ContactOf(SupervisorId) });
        Check(await Grains.GetGrain<IAgentGrain>(SupervisorId).ConfigureAsync(new AgentDefinition(SupervisorId, "supervisor", supervisor, 1, "Offline"), false));
    }

    private async Task<string> ConfigureQueueAsync(QueueDefinition definition)
    {
        var outcome = await Grains.GetGrain<IQueueGrain>(definition.Id).ConfigureAsync(definition);
        if (outcome.Ok)
        {
            Queues[definition.Id] = definition;
        }
        return outcome.Ok ? "ok" : $"refused: {outcome.Problem!.Detail}";
    }

    /// <summary>
    /// w0: Japanese speakers to q0 for 20 s, then q1; everyone else to q1. w1: VIPs to q2 at priority 5, the rest to q1.
    /// Edited: w0 sends Japanese speakers to q1 first and gives q0 only 10 s; w1 lets VIPs wait in q2 for 30 s, then q1.
    /// q3 is no workflow's: calls reach it by transfer only, so it can be deleted under them.
    /// </summary>
    private async Task<string> ConfigureWorkflowAsync(int index, bool edited)
    {
        object routing = (index, edited) switch
        {
            (0, false) => new
            {
                filters = new object[] { new { filter_friendly_name = "japanese", expression = "language == 'ja'", targets = new object[] { new { queue = QueueIds[0], timeout = 20 }, new { queue = QueueIds[1] } } } },
                default_filter = new { queue = QueueIds[1] },
            },
            (0, true) => new
            {
                filters = new object[] { new { filter_friendly_name = "japanese", expression = "language == 'ja'", targets = new object[] { new { queue = QueueIds[1], timeout = 10 }, new { queue = QueueIds[0] } } } },
                default_filter = new { queue = QueueIds[1] },
            },
            (_, false) => new
            {
                filters = new object[] { new { filter_friendly_name = "vip", expression = "tier == 'vip'", targets = new object[] { new { queue = QueueIds[2], priority = 5 } } } },
                default_filter = new { queue = QueueIds[1] },
            },
            _ => new
            {
                filters = new object[] { new { filter_friendly_name = "vip", expression = "tier == 'vip'", targets = new object[] { new { queue = QueueIds[2], priority = 5, timeout = 30 }, new { queue = QueueIds[1] } } } },
                default_filter = new { queue = QueueIds[1] },
            },
        };
        var json = JsonSerializer.Serialize(new { task_routing = routing });
        var outcome = await Grains.GetGrain<IWorkflowGrain>(WorkflowIds[index]).ConfigureAsync(new WorkflowDefinition(WorkflowIds[index], $"w{index}", 15, json));
        return outcome.Ok ? "ok" : $"refused: {outcome.Problem!.Detail}";
    }

    /// <summary>Takes what Twilio has said since the last step into the network's hands.</summary>
    public void CollectCallbacks() => _held.AddRange(host.Twilio.TakeHeld());

    /// <summary>Carries out one step; returns what it did, for the trace.</summary>
    public async Task<string> ApplyAsync(SimAction a)
    {
        CollectCallbacks();
        return a.Kind switch
        {
            ActionKind.Deliver => await DeliverAsync(a),
            ActionKind.DeliverAll => await DeliverAllAsync(a.B % 3),
            ActionKind.Serve => await ServeAsync(a),
            ActionKind.ServeAll => await ServeAllAsync(),
            ActionKind.Advance => Advance(TimeSpan.FromSeconds(new[] { 0.1, 0.3, 0.5, 1, 1, 2, 3, 5, 8, 13 }[a.A % 10])),
            ActionKind.AdvanceToDeadline => AdvanceToDeadline(a),
            ActionKind.CallIn => await CallInAsync(a),
            ActionKind.CallerHangsUp => Phone(a, LiveCallers(), sid => host.Twilio.HangUp(sid), "caller hangs up"),
            ActionKind.Answer => Phone(a, Ringing(), sid => host.Twilio.Answer(sid), "answers"),
            ActionKind.RingOut => Phone(a, Ringing(), sid => host.Twilio.EndRinging(sid, new[] { "busy", "no-answer", "failed" }[a.B % 3]), $"rings out {new[] { "busy", "no-answer", "failed" }[a.B % 3]}"),
            ActionKind.AgentHangsUp => Phone(a, AnsweredLegs(), sid => host.Twilio.HangUp(sid), "hangs up"),
            ActionKind.PressKey => await PressKeyAsync(a),
            ActionKind.AnswerTogether => AnswerTogether(a),
            ActionKind.PressStar => await PressStarAsync(a),
            ActionKind.MenuKey => await MenuKeyAsync(a),
            ActionKind.Speak => await SpeakAsync(a),
            ActionKind.RequestCallback => await RequestCallbackAsync(a),
            ActionKind.CancelCallback => await CallAsync(a, [.. Now.LiveCalls.Where(c => c.Callback is not null)], (call, _) => call.CancelCallbackAsync("supervisor"), "cancel callback"),
            ActionKind.SetActivity => await AgentAsync(a, agent => Grains.GetGrain<IAgentGrain>(agent).SetActivityAsync(Activities[a.B % Activities.Length]), $"goes {Activities[a.B % Activities.Length]}"),
            // Wrap-up ends from the agent (their activity) or on the call, with a code: none, one of its queue's, or a bogus one.
            ActionKind.CompleteWrapUp when a.B % 2 == 0 => await AgentAsync(a, agent => Grains.GetGrain<IAgentGrain>(agent).CompleteWrapUpAsync(), "completes wrap-up"),
            ActionKind.CompleteWrapUp => await CallAsync(a, [.. Now.Calls.Values.Where(c => c.Status == CallStatus.WrapUp).OrderBy(c => c.Id, StringComparer.Ordinal)],
                (call, view) => call.CompleteAsync(CodeFor(view, a.C)), $"completes wrap-up with code {CodeFor(null, a.C) ?? "none"}"),
            ActionKind.Reject => await OfferedAsync(a, (call, agent) => call.RejectAsync(agent), "rejects"),
            ActionKind.Accept => await OfferedAsync(a, (call, agent) => call.AcceptAsync(agent), "accepts through the API"),
            ActionKind.HangUp => await CallAsync(a, Now.LiveCalls, (call, _) => call.HangUpAsync(), "hang up through the API"),
            ActionKind.Hold => await CallAsync(a, Now.Connected, (call, view) => call.HoldAsync(view.AgentId!, a.B % 2 == 0), a.B % 2 == 0 ? "hold" : "resume"),
            ActionKind.Mute => await CallAsync(a, Now.Connected, (call, view) => call.MuteAsync(view.AgentId!, a.B % 2 == 0), a.B % 2 == 0 ? "mute" : "unmute"),
            ActionKind.TransferToQueue => await CallAsync(a, Now.Connected, (call, view) => call.TransferAsync(new TransferRequest(view.AgentId!, TransferMode.Cold, QueueIds[a.B % QueueCount], null)), $"cold transfer to q{a.B % QueueCount}"),
            ActionKind.TransferToAgent => await CallAsync(a, Now.Connected, (call, view) => call.TransferAsync(new TransferRequest(view.AgentId!, TransferMode.Cold, null, AgentIds[a.B % AgentIds.Count])), $"cold transfer to a{a.B % AgentIds.Count}"),
            ActionKind.TransferWarm => await CallAsync(a, Now.Connected, (call, view) => call.TransferAsync(new TransferRequest(view.AgentId!, TransferMode.Warm, null, AgentIds[a.B % AgentIds.Count])), $"warm transfer to a{a.B % AgentIds.Count}"),
            ActionKind.CompleteTransfer => await CallAsync(a, Now.Connected, (call, view) => call.CompleteTransferAsync(view.AgentId!), "complete transfer"),
            ActionKind.CancelTransfer => await CallAsync(a, Now.Connected, (call, view) => call.CancelTransferAsync(view.AgentId!), "cancel transfer"),
            ActionKind.DialOut => await DialOutAsync(a),
            ActionKind.Supervise => await CallAsync(a, Now.Connected, (call, _) => call.SuperviseAsync(SupervisorId, (SupervisorAction)(a.B % 4)), $"supervisor {(SupervisorAction)(a.B % 4)}"),
            ActionKind.CloseQueue => await QueueAsync(a, q => q with { Closed = true }, "closed"),
            ActionKind.ReopenQueue => await ReopenAsync(a),
            ActionKind.LimitQueue => await QueueAsync(a, q => q with { MaxLength = 1 + (a.B % 2) }, $"max_length {1 + (a.B % 2)}"),
            ActionKind.DeleteQueue => await DeleteQueueAsync(a),
            ActionKind.RetargetQueue => await QueueAsync(a, q => q with { TargetWorkers = Target(QueueIds.IndexOf(q.Id), a.B % 2) }, $"retargeted ({a.B % 2})"),
            ActionKind.EditWorkflow => $"w{a.A % 2} edited: {await ConfigureWorkflowAsync(a.A % 2, a.B % 2 == 1)}",
            ActionKind.Restart => await RestartAsync(),
            ActionKind.Kill => await KillAsync(a),
            _ => "nothing",
        };
    }

    private async Task<string> DeliverAsync(SimAction a)
    {
        if (_held.Count == 0)
        {
            return "no callback to deliver";
        }
        var index = a.A % _held.Count;
        var callback = _held[index];
        var what = Describe(callback);
        switch (a.B % 20)
        {
            case < 13:
                _held.RemoveAt(index);
                return $"deliver {what}: {await host.Twilio.DeliverAsync(callback)}";
            case < 16:
                // Twilio sends some callbacks twice.
                _held.RemoveAt(index);
                var first = await host.Twilio.DeliverAsync(callback);
                await host.SettleAsync();
                return $"deliver twice {what}: {first}, {await host.Twilio.DeliverAsync(callback)}";
            case < 19:
                _held.RemoveAt(index);
                _held.Add(callback);
                return $"delay {what}";
            default:
                // Lost: Acd's endpoint was unreachable when Twilio tried, and Twilio does not try again.
                _held.RemoveAt(index);
                return $"lose {what}";
        }
    }

    /// <summary>Delivers every held callback: in order, in reverse, or interleaved (0, 1, 2).</summary>
    public async Task<string> DeliverAllAsync(int order)
    {
        var count = 0;
        while (_held.Count > 0)
        {
            var batch = _held.ToList();
            _held.Clear();
            if (order == 1)
            {
                batch.Reverse();
            }
            else if (order == 2)
            {
                batch = [.. batch.Where((_, i) => i % 2 == 1), .. batch.Where((_, i) => i % 2 == 0)];
            }
            foreach (var callback in batch)
            {
                await host.Twilio.DeliverAsync(callback);
                count++;
            }
            await host.SettleAsync();
            CollectCallbacks();
        }
        return $"deliver all {count} ({new[] { "in order", "reversed", "interleaved" }[order]})";
    }

    private async Task<string> ServeAsync(SimAction a)
    {
        var pending = host.Network.Pending;
        if (pending.Count == 0)
        {
            return "no request to serve";
        }
        var request = pending[a.A % pending.Count];
        var outcome = (a.B % 40) switch
        {
            < 28 => NetworkOutcome.Deliver,
            < 30 => NetworkOutcome.TooManyRequests,
            < 32 => NetworkOutcome.ServerErrorBefore,
            < 34 => NetworkOutcome.ServerErrorAfter,
            < 36 => NetworkOutcome.DropBefore,
            < 38 => NetworkOutcome.DropAfter,
            _ => NetworkOutcome.Stall,
        };
        await host.Network.ServeAsync(request, outcome);
        return $"serve {Describe(request)}: {outcome}";
    }

    /// <summary>Serves every waiting request as Twilio would on a good day.</summary>
    public async Task<string> ServeAllAsync()
    {
        var served = new List<string>();
        while (host.Network.Pending is { Count: > 0 } pending)
        {
            foreach (var request in pending)
            {
                await host.Network.ServeAsync(request, NetworkOutcome.Deliver);
                served.Add(Describe(request));
            }
            await host.SettleAsync();
        }
        return $"serve all {served.Count}{(SimulationRun.Live is null ? "" : ": " + string.Join("; ", served))}";
    }

    public string Advance(TimeSpan by)
    {
        host.Time.Advance(by);
        return $"clock +{by.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
    }

    /// <summary>
    /// Runs the clock to the next deadline exactly: an offer's ring time, or a phone that stops ringing; and with some
    /// choices, a ringing phone is answered at that very instant, before or after the clock gets there.
    /// </summary>
    private string AdvanceToDeadline(SimAction a)
    {
        var now = host.Time.GetUtcNow();
        var deadlines = Now.Calls.Values.Where(c => c.OfferExpiresAt > now).Select(c => c.OfferExpiresAt!.Value)
            .Concat(host.Twilio.Legs.Where(l => Owns(l) && l.RingsUntil > now && l.Status is "queued" or "initiated" or "ringing").Select(l => l.RingsUntil!.Value))
            .Order().ToList();
        if (deadlines.Count == 0)
        {
            return "no deadline ahead";
        }
        var at = deadlines[0];
        var ringing = Ringing();
        var answer = a.B % 3 == 0 && ringing.Count > 0 ? ringing[a.C % ringing.Count] : null;
        if (answer is not null && a.B % 2 == 0)
        {
            host.Twilio.Answer(answer);
            host.Time.Advance(at - now);
            return $"{Short(answer)} answers as its ring time runs out at +{(at - now).TotalSeconds:F1}s";
        }
        host.Time.Advance(at - now);
        if (answer is not null)
        {
            host.Twilio.Answer(answer);
            return $"clock to the deadline +{(at - now).TotalSeconds:F1}s, then {Short(answer)} answers";
        }
        return $"clock to the deadline +{(at - now).TotalSeconds:F1}s";
    }

    private async Task<string> CallInAsync(SimAction a)
    {
        var workflow = WorkflowIds[a.A % WorkflowIds.Count];
        var language = a.B % 3 == 0 ? "en" : "ja";
        var tier = a.C % 4 == 0 ? "vip" : "standard";
        var from = $"+8180{run % 100_000:D5}{++_calls:D4}";
        Customers.Add(from); // a callback dials it
        var session = await host.Twilio.CallAsync(
            $"{SimHost.PublicBaseUrl}/twilio/voice/incoming?workflow={workflow}", from, SimHost.Number,
            new Dictionary<string, string> { ["language"] = language, ["tier"] = tier, ["team"] = prefix });
        CallIds.Add(session.CallSid);
        return $"{Short(session.CallSid)} calls in ({workflow[^2..]}, {language}, {tier}): {(session.ConferenceName is null ? "turned away: " + string.Join(" ", session.Said) : "waits in its conference")}";
    }

    private async Task<string> DialOutAsync(SimAction a)
    {
        var agent = AgentIds[a.A % AgentIds.Count];
        var id = $"{prefix}-o{++_outbound}";
        var to = $"+8131{run % 100_000:D5}{_outbound:D3}";
        Customers.Add(to);
        var outcome = await Grains.GetGrain<ICallGrain>(id).StartOutboundAsync(new OutboundStart(agent, to, null, "{}"));
        if (outcome.Ok)
        {
            CallIds.Add(id);
        }
        return $"{Short(agent)} dials out {id[^3..]}: {(outcome.Ok ? "ringing" : outcome.Problem!.Detail)}";
    }

    /// <summary>A code to complete with: none, "bogus" (refused: no queue lists it), or one of the call's codes.</summary>
    private static string? CodeFor(CallView? view, int draw) => (draw % 4) switch
    {
        0 => null,
        1 => "bogus",
        _ => view?.WrapUpCodes is { Count: > 0 } codes ? codes[draw % codes.Count] : view is null ? "one of its queue's" : null,
    };

    private async Task<string> AgentAsync<T>(SimAction a, Func<string, Task<Outcome<T>>> act, string what)
    {
        var agent = AgentIds[a.A % AgentIds.Count];
        var outcome = await act(agent);
        return $"{Short(agent)} {what}: {(outcome.Ok ? "ok" : outcome.Problem!.Detail)}";
    }

    private async Task<string> OfferedAsync(SimAction a, Func<ICallGrain, string, Task<Outcome<CallView>>> act, string what)
    {
        var offered = Now.Calls.Values.Where(c => c.OfferedAgentId is not null).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        if (offered.Count == 0)
        {
            return $"no offer to {what}";
        }
        var view = offered[a.A % offered.Count];
        // A ring group's call is offered to several: any of them may act.
        var agents = view.OfferedToAll is { Count: > 0 } all ? all : [view.OfferedAgentId!];
        var agent = agents[a.B % agents.Count];
        var outcome = await act(Grains.GetGrain<ICallGrain>(view.Id), agent);
        return $"{Short(agent)} {what} {Short(view.Id)}: {(outcome.Ok ? "ok" : outcome.Problem!.Detail)}";
    }

    private async Task<string> CallAsync(SimAction a, IReadOnlyList<CallView> candidates, Func<ICallGrain, CallView, Task<Outcome<CallView>>> act, string what)
    {
        if (candidates.Count == 0)
        {
            return $"no call to {what}";
        }
        var view = candidates[a.A % candidates.Count];
        var outcome = await act(Grains.GetGrain<ICallGrain>(view.Id), view);
        return $"{Short(view.Id)} {what}: {(outcome.Ok ? "ok" : outcome.Problem!.Detail)}";
    }

    private async Task<string> QueueAsync(SimAction a, Func<QueueDefinition, QueueDefinition> change, string what)
    {
        var id = QueueIds[a.A % QueueCount];
        if (Queues.GetValueOrDefault(id) is not { } definition)
        {
            return $"q{a.A % QueueCount} is deleted: not {what}";
        }
        return $"q{a.A % QueueCount} {what}: {await ConfigureQueueAsync(change(definition))}";
    }

    private async Task<string> ReopenAsync(SimAction a)
    {
        var index = a.A % QueueCount;
        var definition = Queues.GetValueOrDefault(QueueIds[index]) ?? QueueShape(index);
        return $"q{index} reopened: {await ConfigureQueueAsync(definition with { Closed = false, MaxLength = 0 })}";
    }

    private async Task<string> DeleteQueueAsync(SimAction a)
    {
        var id = QueueIds[a.A % QueueCount];
        var outcome = await Grains.GetGrain<IQueueGrain>(id).DeleteAsync();
        if (outcome.Ok)
        {
            Queues[id] = null;
        }
        return $"q{a.A % QueueCount} deleted: {(outcome.Ok ? "ok" : outcome.Problem!.Detail)}";
    }

    private async Task<string> RestartAsync()
    {
        await host.RestartAsync();
        return "the silo restarts: every grain reloads from storage";
    }

    private async Task<string> KillAsync(SimAction a)
    {
        await host.KillOneAsync(a.A);
        return "a silo dies; a new one joins";
    }

    private string Phone(SimAction a, List<string> legs, Action<string> act, string what)
    {
        if (legs.Count == 0)
        {
            return $"no phone that {what}";
        }
        var sid = legs[a.A % legs.Count];
        act(sid);
        return $"{Short(sid)} {what}";
    }

    /// <summary>This world's legs at Twilio, in a stable order.</summary>
    private List<FakeLeg> Legs() => [.. host.Twilio.Legs.Where(Owns).OrderBy(l => l.Sid, StringComparer.Ordinal)];

    /// <summary>A ring group's agent at the prompt presses 1 (takes it), 2 (declines), or nothing (the prompt times out).</summary>
    private async Task<string> PressKeyAsync(SimAction a)
    {
        var waiting = Legs().Where(l => l.Gathering is not null && !l.IsFinal).Select(l => l.Sid).ToList();
        if (waiting.Count == 0)
        {
            return "nobody at a prompt";
        }
        var sid = waiting[a.A % waiting.Count];
        if (host.Twilio.Leg(sid) is { Direction: "inbound" })
        {
            return await MenuKeyAsync(a);
        }
        switch (a.B % 10)
        {
            case < 7:
                await host.Twilio.PressAsync(sid, "1");
                return $"{Short(sid)} presses 1";
            case < 8:
                await host.Twilio.PressAsync(sid, "2");
                return $"{Short(sid)} presses 2";
            default:
                await host.Twilio.GatherTimesOutAsync(sid);
                return $"{Short(sid)} lets the prompt time out";
        }
    }

    /// <summary>
    /// A caller in the callback menu presses 1 (yes: call me back, or confirm the number read back), 2 (keep waiting, or
    /// key another number), keys a number (their own, or one too short to be one), or nothing.
    /// </summary>
    private async Task<string> MenuKeyAsync(SimAction a)
    {
        var inMenu = Legs().Where(l => l is { Direction: "inbound", Gathering: not null, IsFinal: false }).Select(l => l.Sid).ToList();
        if (inMenu.Count == 0)
        {
            return "nobody in the callback menu";
        }
        var sid = inMenu[a.A % inMenu.Count];
        switch (a.B % 20)
        {
            case < 10:
                await host.Twilio.PressAsync(sid, "1");
                return $"{Short(sid)} presses 1 in the menu";
            case < 12:
                await host.Twilio.PressAsync(sid, "3");
                return $"{Short(sid)} presses 3 in the menu (voicemail)";
            case < 15:
                await host.Twilio.PressAsync(sid, "2");
                return $"{Short(sid)} presses 2 in the menu";
            case < 17:
                var national = $"090{run % 10_000:D4}{++_keyed:D4}";
                Customers.Add($"+81{national[1..]}");
                await host.Twilio.PressAsync(sid, national);
                return $"{Short(sid)} keys {national}";
            case < 18:
                await host.Twilio.PressAsync(sid, "0312");
                return $"{Short(sid)} keys 0312 (no number)";
            default:
                await host.Twilio.GatherTimesOutAsync(sid);
                return $"{Short(sid)} presses nothing in the menu";
        }
    }

    /// <summary>
    /// A caller at a &lt;Record&gt; (turned away, or chose voicemail in the menu) speaks a while and presses # (most), speaks
    /// and hangs up, or says nothing. A recording becomes a call of this world's, by its RecordingSid.
    /// </summary>
    private async Task<string> SpeakAsync(SimAction a)
    {
        var recording = Legs().Where(l => l is { Recording: not null, IsFinal: false }).Select(l => l.Sid).ToList();
        if (recording.Count == 0)
        {
            return "nobody leaving a message";
        }
        var sid = recording[a.A % recording.Count];
        var (seconds, hangUp) = (a.B % 10) switch
        {
            < 6 => (1 + a.C % 45, false),
            < 9 => (1 + a.C % 45, true),
            _ => (0, false),
        };
        var made = await host.Twilio.SpeakAsync(sid, seconds, hangUp);
        if (made is not null)
        {
            CallIds.Add(made.Sid);
        }
        return made is null
            ? $"{Short(sid)} says nothing at the tone"
            : $"{Short(sid)} leaves a {made.DurationSeconds}s message ({Short(made.Sid)}) and {(hangUp ? "hangs up" : "presses #")}";
    }

    /// <summary>A caller waiting in a queue that offers a callback presses * (their &lt;Dial&gt; has hangupOnStar).</summary>
    private async Task<string> PressStarAsync(SimAction a)
    {
        var waiting = Legs().Where(l => l is { Direction: "inbound", Status: "in-progress", HangupOnStar: true, ConferenceSid: not null, Gathering: null }).Select(l => l.Sid).ToList();
        if (waiting.Count == 0)
        {
            return "nobody who may press *";
        }
        var sid = waiting[a.A % waiting.Count];
        await host.Twilio.PressAsync(sid, "*");
        return $"{Short(sid)} presses *";
    }

    /// <summary>A web form's "call me": now, at a time ahead, or at a time just past; with a priority.</summary>
    private async Task<string> RequestCallbackAsync(SimAction a)
    {
        var id = $"{prefix}-cb{++_callbacks}";
        var to = $"+8170{run % 100_000:D5}{_callbacks:D4}";
        Customers.Add(to);
        var now = host.Time.GetUtcNow();
        DateTimeOffset? at = (a.B % 3) switch { 0 => null, 1 => now.AddSeconds(5 + (a.C % 55)), _ => now.AddSeconds(-1) };
        var attributes = JsonSerializer.Serialize(new { language = a.C % 3 == 0 ? "en" : "ja", tier = a.C % 4 == 0 ? "vip" : "standard", team = prefix });
        var outcome = await Grains.GetGrain<ICallGrain>(id).StartCallbackAsync(new CallbackStart(to, attributes, WorkflowIds[a.A % WorkflowIds.Count], a.B % 5, at, null));
        if (outcome.Ok)
        {
            CallIds.Add(id);
        }
        var when = at is { } t ? $"at +{(t - now).TotalSeconds:F0}s" : "now";
        return $"callback {id[^3..]} asked for {when}: {(outcome.Ok ? outcome.Value!.Status.ToString() : outcome.Problem!.Detail)}";
    }

    /// <summary>Two ringing agents pick up in the same instant (a ring group's, when one rings several).</summary>
    private string AnswerTogether(SimAction a)
    {
        var ringing = Ringing();
        if (ringing.Count < 2)
        {
            return "fewer than two ringing";
        }
        var first = ringing[a.A % ringing.Count];
        var second = ringing.Where(s => s != first).ToList()[a.B % (ringing.Count - 1)];
        Parallel.Invoke(() => host.Twilio.Answer(first), () => host.Twilio.Answer(second));
        return $"{Short(first)} and {Short(second)} answer together";
    }

    private List<string> Ringing() => [.. Legs().Where(l => l.Status is "queued" or "initiated" or "ringing").Select(l => l.Sid)];

    private List<string> LiveCallers() => [.. Legs().Where(l => l.Direction == "inbound" && l.Status == "in-progress").Select(l => l.Sid)];

    private List<string> AnsweredLegs() => [.. Legs().Where(l => l.Direction != "inbound" && l.Status == "in-progress").Select(l => l.Sid)];

    public string Short(string id)
    {
        if (id.StartsWith(prefix, StringComparison.Ordinal))
        {
            return id[(prefix.Length + 1)..];
        }
        var leg = host.Twilio.Leg(id);
        var who = leg switch
        {
            null => id,
            { Direction: "inbound" } => "caller",
            _ when leg.To.StartsWith("client:", StringComparison.Ordinal) => leg.To["client:".Length..].Replace(prefix + "-", "", StringComparison.Ordinal),
            _ => "customer",
        };
        return $"{who}#{id[^4..]}";
    }

    private string Describe(HeldCallback callback) => callback["StatusCallbackEvent"] is { } e
        ? $"{e} {(callback["CallSid"] is { } sid ? Short(sid) : "")}"
        : $"{callback["CallStatus"]} {Short(callback["CallSid"] ?? "?")}";

    private string Describe(SimNetwork.Waiting request)
    {
        var form = System.Web.HttpUtility.ParseQueryString(request.Form);
        var path = request.Path[(request.Path.IndexOf("/Accounts/", StringComparison.Ordinal) + 46)..];
        return request.CreatesCall ? $"create leg to {Short(form["To"]?.Replace("client:", "", StringComparison.Ordinal) ?? "?")}"
            : $"{request.Method} {path} {(form["Status"] ?? form["Hold"] ?? form["Muted"] ?? "")}";
    }

    private static void Check<T>(Outcome<T> outcome)
    {
        if (!outcome.Ok)
        {
            throw new InvalidOperationException($"The world could not be set up: {outcome.Problem!.Field}: {outcome.Problem.Detail}");
        }
    }
}
