using Acd.Grains.Abstractions;
using Acd.Grains.Telephony;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>What agents and supervisors do to a live call: hold, mute, transfer, monitor, coach, barge.</summary>
public sealed partial class CallGrain
{
    /// <summary>How long an operation waits for the ConferenceSid before it is given up (design rule 3).</summary>
    private static readonly TimeSpan ConferenceWait = TimeSpan.FromSeconds(10);

    public async Task<Outcome<CallView>> HoldAsync(string agentId, bool hold)
    {
        if (ConnectedTo(agentId) is { } problem)
        {
            return problem;
        }
        if (CustomerLeg() is not { CallSid: { } customer } leg || IsTerminal(leg.Status))
        {
            return Problem.Conflict($"Call '{Id}' has no customer on the line");
        }
        await HoldCustomerAsync(customer, hold, new { by = agentId });
        return View();
    }

    public async Task<Outcome<CallView>> MuteAsync(string agentId, bool muted)
    {
        if (ConnectedTo(agentId) is { } problem)
        {
            return problem;
        }
        if (ActiveLegOf(agentId) is not { CallSid: { } sid } leg)
        {
            return Problem.Conflict($"{agentId}'s leg of '{Id}' is not connected");
        }
        // Sent even when the leg already looks that way: its flag mirrors Twilio's callbacks, which can trail, and
        // Twilio takes the same update twice without harm.
        leg.Muted = muted;
        Emit(muted ? "call.mute" : "call.unmute", new { agent_id = agentId });
        await ConferenceOperationAsync($"{(muted ? "mute" : "unmute")} {sid}", update: new ParticipantUpdate(Conference(), sid, null, muted, null, null));
        return View();
    }

    public async Task<Outcome<CallView>> TransferAsync(TransferRequest request)
    {
        if (ConnectedTo(request.FromAgentId) is { } problem)
        {
            return problem;
        }
        if (S.ConsultAgentId is not null)
        {
            return Problem.Conflict($"A transfer of '{Id}' to {S.ConsultAgentId} is under way");
        }
        if ((request.ToQueueId is null) == (request.ToAgentId is null))
        {
            return Problem.Invalid("to_queue", "Give either to_queue or to_agent");
        }
        if (request.ToAgentId == request.FromAgentId)
        {
            return Problem.Invalid("to_agent", "An agent cannot transfer a call to themselves");
        }
        if (CustomerLeg() is not { CallSid: { } customer } || IsTerminal(CustomerLeg()!.Status))
        {
            return Problem.Conflict($"Call '{Id}' has no customer on the line");
        }

        if (request.Mode == TransferMode.Warm)
        {
            if (request.ToAgentId is null)
            {
                return Problem.Invalid("to_agent", "A warm transfer goes to an agent");
            }
            var reservation = await grains.GetGrain<IAgentGrain>(request.ToAgentId).TryReserveAsync(Id);
            if (!reservation.Accepted)
            {
                return Problem.Conflict($"Agent '{request.ToAgentId}' cannot take the call: {reservation.Reason}", "to_agent");
            }
            await HoldCustomerAsync(customer, true);
            S.ConsultAgentId = request.ToAgentId;
            var leg = NewAgentLeg(request.ToAgentId, "consult");
            Emit("call.transfer", new { mode = "warm", from = request.FromAgentId, to_agent = request.ToAgentId }, request.ToAgentId);
            await SaveAsync();
            await RingLegAsync(leg, reservation, Urgency.CallerWaiting);
            return View();
        }

        if (request.ToQueueId is { } queueId)
        {
            var queue = await grains.GetGrain<IQueueGrain>(queueId).GetAsync();
            if (queue is null)
            {
                return Problem.NotFound($"No queue '{queueId}'", "to_queue");
            }
            await HoldCustomerAsync(customer, true);
            Emit("call.transfer", new { mode = "cold", from = request.FromAgentId, to_queue = queueId });
            await ReleaseAgentAsync(request.FromAgentId);
            // Routed again, outside the workflow, keeping the call's original age.
            S.Step = null;
            S.StepDeadline = null;
            S.QueueId = null;
            S.QueuedAt = null;
            var waiting = new WaitingCall(Id, queueId, S.Priority, S.CreatedAt, S.Sequence, null, null, null, null, null, [.. S.DeclinedBy]);
            var result = await grains.GetGrain<IQueueGrain>(queueId).EnqueueAsync(waiting, null);
            if (result.Outcome is EnqueueOutcome.Waiting or EnqueueOutcome.Matched)
            {
                EnterQueue(new Routing.Workflows.RoutingStep(-2, 0), new Routing.Workflows.RoutingTarget(queueId, null, null, null, null, null, null, null), "transfer", waiting with { Sequence = result.Sequence }, result);
                if (result.Outcome == EnqueueOutcome.Matched)
                {
                    await OfferAsync(result.AgentId!, queueId, waitingInQueue: false);
                }
                else
                {
                    await SaveAsync();
                    ArmTimers();
                }
            }
            else
            {
                // The queue would not take the call (closed or full): the customer is not left holding forever.
                await FinishAsync(CallStatus.Canceled, result.Outcome == EnqueueOutcome.Closed ? "queue-closed" : "queue-full", result.Message);
                await telephony.EndConferenceAsync(Conference());
            }
            return View();
        }

        // Cold to an agent: offered to them directly; if they do not take it, it goes back to the call's queue.
        var direct = await grains.GetGrain<IAgentGrain>(request.ToAgentId!).TryReserveAsync(Id);
        if (!direct.Accepted)
        {
            return Problem.Conflict($"Agent '{request.ToAgentId}' cannot take the call: {direct.Reason}", "to_agent");
        }
        await HoldCustomerAsync(customer, true);
        Emit("call.transfer", new { mode = "cold", from = request.FromAgentId, to_agent = request.ToAgentId }, request.ToAgentId);
        await ReleaseAgentAsync(request.FromAgentId);
        S.QueuedAt = null; // not waiting in a queue: handed from one agent to another
        S.Waiting ??= new WaitingCall(Id, S.QueueId ?? "", S.Priority, S.CreatedAt, S.Sequence, null, null, null, null, null);
        await RingAsync(request.ToAgentId!, direct);
        return View();
    }

    public async Task<Outcome<CallView>> CompleteTransferAsync(string agentId)
    {
        if (ConnectedTo(agentId) is { } problem)
        {
            return problem;
        }
        if (S.ConsultAgentId is not { } consult || ActiveLegOf(consult) is not { Status: "in-progress" })
        {
            return Problem.Conflict($"No consulted agent has answered on '{Id}'");
        }
        Emit("call.transfer.completed", new { from = agentId, to_agent = consult }, agentId);
        await ReleaseAgentAsync(agentId);
        ConsultTakesOver(consult);
        if (CustomerLeg() is { CallSid: { } customer })
        {
            await HoldCustomerAsync(customer, false);
        }
        await SaveAsync();
        return View();
    }

    public async Task<Outcome<CallView>> CancelTransferAsync(string agentId)
    {
        if (ConnectedTo(agentId) is { } problem)
        {
            return problem;
        }
        if (S.ConsultAgentId is not { } consult)
        {
            return Problem.Conflict($"No transfer of '{Id}' is under way");
        }
        Emit("call.transfer.canceled", new { from = agentId, to_agent = consult }, consult);
        await DropConsultAsync(OfferEnd.Withdrawn);
        if (CustomerLeg() is { CallSid: { } customer })
        {
            await HoldCustomerAsync(customer, false);
        }
        await SaveAsync();
        return View();
    }

    public async Task<Outcome<CallView>> SuperviseAsync(string supervisorId, SupervisorAction action)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status != CallStatus.Connected)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status}: only a connected call can be supervised");
        }
        var leg = S.Legs.LastOrDefault(l => l.Role == "supervisor" && l.AgentId == supervisorId && !IsTerminal(l.Status));
        var agentSid = AgentLegSid();
        if (action == SupervisorAction.Leave)
        {
            if (leg is null)
            {
                return Problem.Conflict($"'{supervisorId}' is not on call '{Id}'");
            }
            leg.Status = leg.Status == "in-progress" ? "completed" : "canceled";
            Emit("call.supervisor.leave", new { supervisor_id = supervisorId }, supervisorId);
            await telephony.CancelLegAsync(LegOf(leg) with { Answered = leg.Status == "completed" });
            await SaveAsync();
            return View();
        }
        if (action == SupervisorAction.Coach && agentSid is null)
        {
            return Problem.Conflict($"The agent's leg of '{Id}' is not known yet: coaching needs it");
        }

        var muted = action == SupervisorAction.Monitor;
        var coaching = action == SupervisorAction.Coach;
        if (leg is null)
        {
            var profile = await grains.GetGrain<IAgentGrain>(supervisorId).GetAsync();
            if (profile?.ContactUri is not { } contact)
            {
                return Problem.Invalid("supervisor_id", $"'{supervisorId}' needs an agent profile with attributes.contact_uri to be called");
            }
            leg = new CallLeg { LegId = $"{Id}-s{++S.LegCounter}", Role = "supervisor", AgentId = supervisorId, Status = "queued", Muted = muted, Coaching = coaching };
            S.Legs.Add(leg);
            Emit($"call.supervisor.{action.ToString().ToLowerInvariant()}", new { supervisor_id = supervisorId }, supervisorId);
            await ConferenceOperationAsync($"{action.ToString().ToLowerInvariant()} by {supervisorId}", add: new AddParticipant(
                LegOf(leg), contact, $"supervisor-{supervisorId}", muted, coaching, coaching ? agentSid : null,
                StartConferenceOnEnter: false, EndConferenceOnExit: false, TimeoutSeconds: 30, Urgency.Normal, null));
            return View();
        }
        leg.Muted = muted;
        leg.Coaching = coaching;
        Emit($"call.supervisor.{action.ToString().ToLowerInvariant()}", new { supervisor_id = supervisorId }, supervisorId);
        if (leg.CallSid is { } sid && leg.Status == "in-progress")
        {
            // Sent even when the flags already match: they mirror Twilio's callbacks, which can trail the last
            // request, and Twilio takes the same update twice without harm.
            await ConferenceOperationAsync($"{action.ToString().ToLowerInvariant()} by {supervisorId}", update: SupervisorMode(sid, leg));
        }
        else
        {
            leg.FlagsToApply = true; // still ringing: sent when the supervisor joins
            await SaveAsync();
        }
        return View();
    }

    /// <summary>
    /// Runs a conference operation now if the ConferenceSid is known; otherwise keeps it, bounded by
    /// <see cref="ConferenceWait"/>, and runs it as soon as the first conference callback brings the SID.
    /// </summary>
    private async Task ConferenceOperationAsync(string description, ParticipantUpdate? update = null, AddParticipant? add = null, bool endConference = false)
    {
        if (S.ConferenceSid is not null)
        {
            await SaveAsync();
            await RunOperationAsync(new PendingOperation { Description = description, Update = update, Add = add, EndConference = endConference });
            return;
        }
        S.Pending.Add(new PendingOperation { Description = description, Update = update, Add = add, EndConference = endConference, RequestedAt = Now });
        S.PendingDeadline ??= Now + ConferenceWait;
        logger.LogInformation("Call {CallId}: {Operation} waits for the ConferenceSid", Id, description);
        await SaveAsync();
        ArmTimers();
    }

    private async Task RunOperationAsync(PendingOperation operation)
    {
        var conference = Conference();
        if (operation.Update is { } update)
        {
            await telephony.UpdateParticipantAsync(update with { Conference = conference });
        }
        if (operation.Add is { } add)
        {
            await telephony.AddParticipantAsync(add with { Leg = add.Leg with { Conference = conference } });
        }
        if (operation.EndConference)
        {
            await telephony.EndConferenceAsync(conference);
        }
    }

    /// <summary>The ConferenceSid has come: what waited for it happens now, in the order it was asked for.</summary>
    private async Task RunPendingAsync()
    {
        if (S.Pending.Count == 0)
        {
            return;
        }
        var pending = S.Pending.ToList();
        S.Pending.Clear();
        S.PendingDeadline = null;
        PendingTimer.Cancel();
        foreach (var operation in pending)
        {
            logger.LogInformation("Call {CallId}: {Operation} runs now that the conference is known", Id, operation.Description);
            await RunOperationAsync(operation);
        }
    }

    private async Task GiveUpWaitingForConferenceAsync()
    {
        var pending = S.Pending.ToList();
        S.Pending.Clear();
        S.PendingDeadline = null;
        foreach (var operation in pending)
        {
            if (operation.EndConference)
            {
                // Ending does not need the SID: the live conference is found by its name.
                await telephony.EndConferenceAsync(Conference());
                continue;
            }
            logger.LogWarning("Call {CallId}: {Operation} given up: the ConferenceSid did not come within {Seconds}s", Id, operation.Description, ConferenceWait.TotalSeconds);
            Emit("call.operation.failed", new { operation = operation.Description, reason = "conference-unknown" });
            if (operation.Add is { } add && S.Legs.Find(l => l.LegId == add.Leg.LegId) is { } leg)
            {
                leg.Status = "failed";
            }
        }
        await SaveAsync();
    }

    private Problem? ConnectedTo(string agentId)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status != CallStatus.Connected)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status}, not connected");
        }
        return S.AgentId == agentId ? null : Problem.Conflict($"Call '{Id}' is connected to '{S.AgentId}', not '{agentId}'");
    }

    /// <summary>Twilio's update that puts a supervisor's leg in the mode its flags say: listening, coaching or speaking.</summary>
    private ParticipantUpdate SupervisorMode(string callSid, CallLeg leg) =>
        new(Conference(), callSid, null, leg.Muted, leg.Coaching, leg.Coaching ? AgentLegSid() : null);

    /// <summary>The CallSid of the connected agent's leg, the one a coaching supervisor whispers to.</summary>
    private string? AgentLegSid() => S.AgentId is { } agent ? ActiveLegOf(agent)?.CallSid : null;

    private CallLeg? ActiveLegOf(string agentId) => S.Legs.LastOrDefault(l => l.AgentId == agentId && l.Role is "agent" or "consult" && !IsTerminal(l.Status));

    /// <summary>
    /// Whether Acd has put the customer on hold. Decisions follow this, not the leg's hold flag: that flag mirrors
    /// Twilio's callbacks, which can arrive late and out of order, and a stale one must not make Acd skip a hold.
    /// </summary>
    private bool CustomerHeld => S.HoldStartedAt is not null;

    /// <summary>
    /// Design rule 2: hold is the participant's hold flag; nobody leaves the conference, so hold never ends the call.
    /// Nothing is sent when the customer already is where Acd put them.
    /// </summary>
    private async Task HoldCustomerAsync(string customerCallSid, bool hold, object? details = null)
    {
        if (CustomerLeg() is { } leg && CustomerHeld != hold)
        {
            leg.Hold = hold;
            NoteHold(hold);
            Emit(hold ? "call.hold" : "call.unhold", details);
            await ConferenceOperationAsync($"{(hold ? "hold" : "resume")} {customerCallSid}", update: new ParticipantUpdate(Conference(), customerCallSid, hold, null, null, null));
        }
    }

    /// <summary>An agent leaves the call (transfer): their leg is hung up and they go to wrap-up.</summary>
    private async Task ReleaseAgentAsync(string agentId)
    {
        if (ActiveLegOf(agentId) is { } leg)
        {
            var answered = leg.Status == "in-progress";
            leg.Status = answered ? "completed" : "canceled";
            await telephony.CancelLegAsync(LegOf(leg) with { Answered = answered });
        }
        if (S.AgentId == agentId)
        {
            S.AgentId = null;
            await EndAgentPartAsync(agentId);
            return;
        }
        await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, S.WrapUpSeconds);
    }

    /// <summary>The customer's hold seconds so far, the running hold included.</summary>
    private double HoldSoFar() => S.HoldSeconds + (S.HoldStartedAt is { } since ? (Now - since).TotalSeconds : 0);

    private void StartAgentPart(DateTimeOffset since, double holdSoFar)
    {
        S.AgentSince = since;
        S.HoldAtAgentSince = holdSoFar;
    }

    /// <summary>
    /// The connected agent hands the call on (a transfer): their part of it, talk and hold, is counted for them now,
    /// and their wrap-up when it ends; the call goes on without them.
    /// </summary>
    private async Task EndAgentPartAsync(string agentId)
    {
        var since = S.AgentSince ?? S.ConnectedAt ?? Now;
        Emit("reservation.wrapup", new
        {
            agent_id = agentId,
            reason = "transferred",
            talk_seconds = Round((Now - since).TotalSeconds),
            hold_seconds = Round(HoldSoFar() - S.HoldAtAgentSince),
        }, agentId: agentId);
        if (await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, S.WrapUpSeconds))
        {
            S.WrappingAfterTransfer[agentId] = Now;
        }
        else
        {
            Emit("reservation.completed", new { agent_id = agentId, reason = "transferred", wrap_up_seconds = 0.0 }, agentId: agentId);
        }
    }

    /// <summary>A warm transfer completes: the consulted agent's part began when they answered.</summary>
    private void ConsultTakesOver(string consult)
    {
        S.AgentId = consult;
        S.ConsultAgentId = null;
        StartAgentPart(S.ConsultAnsweredAt ?? Now, S.ConsultAnsweredAt is null ? HoldSoFar() : S.HoldAtConsultAnswered);
        S.ConsultAnsweredAt = null;
    }

    private async Task DropConsultAsync(OfferEnd how)
    {
        if (S.ConsultAgentId is not { } consult)
        {
            return;
        }
        S.ConsultAgentId = null;
        if (ActiveLegOf(consult) is { } leg)
        {
            var answered = leg.Status == "in-progress";
            leg.Status = answered ? "completed" : "canceled";
            await telephony.CancelLegAsync(LegOf(leg) with { Answered = answered });
            if (answered)
            {
                await grains.GetGrain<IAgentGrain>(consult).CallEndedAsync(Id, 0);
                return;
            }
        }
        await grains.GetGrain<IAgentGrain>(consult).OfferEndedAsync(Id, how);
    }

    private CallLeg NewAgentLeg(string agentId, string role)
    {
        var leg = new CallLeg { LegId = $"{Id}-a{++S.LegCounter}", Role = role, AgentId = agentId, Status = "queued" };
        S.Legs.Add(leg);
        return leg;
    }

    private Task RingLegAsync(CallLeg leg, Reservation reservation, Urgency urgency) =>
        telephony.RingAgentAsync(new RingAgent(
            LegOf(leg),
            leg.AgentId!,
            reservation.ContactUri ?? $"client:{leg.AgentId}",
            $"agent-{leg.AgentId}",
            S.ReservationTimeoutSeconds,
            urgency,
            Json.ReadString(S.AttributesJson, "To")));
}
