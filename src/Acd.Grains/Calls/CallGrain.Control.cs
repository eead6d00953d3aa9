using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Telephony;

namespace Acd.Grains.Calls;

/// <summary>What the agent on a live call does to it: hold, mute, transfer cold or warm.</summary>
public sealed partial class CallGrain
{
    public async Task<Outcome<CallView>> HoldAsync(string agentId, bool hold)
    {
        if (ConnectedTo(agentId) is { } problem)
        {
            return problem;
        }
        if (!S.Legs.CustomerOnLine)
        {
            return Problem.Conflict($"Call '{Id}' has no customer on the line");
        }
        await HoldCustomerAsync(hold, agentId);
        await SaveAsync();
        return View();
    }

    public async Task<Outcome<CallView>> MuteAsync(string agentId, bool muted)
    {
        if (ConnectedTo(agentId) is { } problem)
        {
            return problem;
        }
        if (S.Legs.LiveOf(agentId) is not { CallSid: { } sid } leg)
        {
            return Problem.Conflict($"{agentId}'s leg of '{Id}' is not connected");
        }
        // Sent even when the leg already looks that way: its flag mirrors Twilio's callbacks, which can trail, and
        // Twilio takes the same update twice without harm.
        leg.Muted = muted;
        Emit(muted ? new AgentMuted(agentId) : new AgentUnmuted(agentId));
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
        if (!S.Legs.CustomerOnLine)
        {
            return Problem.Conflict($"Call '{Id}' has no customer on the line");
        }
        if (request.Mode == TransferMode.Warm)
        {
            if (request.ToAgentId is not { } consult)
            {
                return Problem.Invalid("to_agent", "A warm transfer goes to an agent");
            }
            var reservation = await grains.GetGrain<IAgentGrain>(consult).TryReserveAsync(Id);
            if (!reservation.Accepted)
            {
                return Problem.Conflict($"Agent '{consult}' cannot take the call: {reservation.Reason}", "to_agent");
            }
            await HoldCustomerAsync(true);
            S.ConsultAgentId = consult;
            Emit(new TransferStarted("warm", request.FromAgentId, ToAgent: consult), consult);
            await StartOfferAsync(consult, OfferKind.Consult, reservation, Urgency.CallerWaiting);
            return View();
        }
        return request.ToQueueId is { } queueId
            ? await TransferToQueueAsync(request.FromAgentId, queueId)
            : await TransferToAgentAsync(request.FromAgentId, request.ToAgentId!);
    }

    /// <summary>
    /// Cold to a queue: routed again outside the workflow, keeping the call's original age. The queue is asked first, so
    /// a queue that is closed or full refuses the transfer and the customer stays with the agent.
    /// </summary>
    private async Task<Outcome<CallView>> TransferToQueueAsync(string fromAgentId, string queueId)
    {
        var waiting = new WaitingCall(Id, queueId, R.Priority, F.CreatedAt, R.Sequence, null, null, null, null, null, [.. R.DeclinedBy]);
        var result = await grains.GetGrain<IQueueGrain>(queueId).EnqueueAsync(waiting, null);
        switch (result.Outcome)
        {
            case EnqueueOutcome.UnknownQueue:
                return Problem.NotFound($"No queue '{queueId}'", "to_queue");
            case EnqueueOutcome.Closed or EnqueueOutcome.Full or EnqueueOutcome.Skipped:
                return Problem.Conflict($"Queue '{queueId}' does not take calls now ({result.Outcome.ToString().ToLowerInvariant()})", "to_queue");
        }
        await HoldCustomerAsync(true);
        Emit(new TransferStarted("cold", fromAgentId, ToQueue: queueId));
        await ReleaseAgentAsync(fromAgentId);
        R.Step = new RoutingStep(-2, 0);
        R.ClearDeadlines();
        R.QueueId = null;
        F.QueuedAt = null;
        EnterQueue(R.Step, new RoutingTarget(queueId, null, null, null, null, null, null, null), "transfer", waiting with { Sequence = result.Sequence }, result);
        await AfterAdmissionAsync(result, queueId);
        return View();
    }

    /// <summary>Cold to an agent: offered to them directly; if they do not take it, it goes back to the call's last queue.</summary>
    private async Task<Outcome<CallView>> TransferToAgentAsync(string fromAgentId, string toAgentId)
    {
        var reservation = await grains.GetGrain<IAgentGrain>(toAgentId).TryReserveAsync(Id);
        if (!reservation.Accepted)
        {
            return Problem.Conflict($"Agent '{toAgentId}' cannot take the call: {reservation.Reason}", "to_agent");
        }
        await HoldCustomerAsync(true);
        Emit(new TransferStarted("cold", fromAgentId, ToAgent: toAgentId), toAgentId);
        await ReleaseAgentAsync(fromAgentId);
        F.QueuedAt = null; // not waiting in a queue: handed from one agent to another
        R.ClearDeadlines();
        await StartOfferAsync(toAgentId, OfferKind.Transfer, reservation, Urgency.CallerWaiting);
        return View();
    }

    public async Task<Outcome<CallView>> CompleteTransferAsync(string agentId)
    {
        if (ConnectedTo(agentId) is { } problem)
        {
            return problem;
        }
        if (S.ConsultAgentId is not { } consult || S.Legs.LiveOf(consult, LegRole.Consult) is not { Status: LegStatus.InProgress })
        {
            return Problem.Conflict($"No consulted agent has answered on '{Id}'");
        }
        Emit(new TransferCompleted(agentId, consult), agentId);
        await ReleaseAgentAsync(agentId);
        ConsultTakesOver(consult);
        await HoldCustomerAsync(false);
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
        Emit(new TransferCanceled(agentId, consult), consult);
        await DropConsultAsync();
        await HoldCustomerAsync(false);
        await SaveAsync();
        return View();
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

    /// <summary>
    /// Design rule 2: hold is the participant's hold flag; nobody leaves the conference, so hold never ends the call.
    /// Decisions follow what Acd asked for, not the leg's flag (it mirrors callbacks that can trail); nothing is sent
    /// when the customer already is where Acd put them.
    /// </summary>
    private async Task HoldCustomerAsync(bool hold, string? by = null)
    {
        if (F.OnHold == hold || S.Legs.Customer is not { CallSid: { } customer, IsLive: true } leg)
        {
            return;
        }
        leg.Hold = hold;
        F.Hold(hold, Now);
        Emit(hold ? new CustomerHeld(by) : new CustomerResumed(by));
        await ConferenceOperationAsync($"{(hold ? "hold" : "resume")} {customer}", update: new ParticipantUpdate(Conference(), customer, hold, null, null, null));
    }

    /// <summary>An agent leaves the call (a transfer): their leg is hung up and they go to wrap-up.</summary>
    private async Task ReleaseAgentAsync(string agentId)
    {
        if (S.Legs.LiveOf(agentId) is { } leg)
        {
            await HangUpLegAsync(leg);
        }
        if (S.AgentId == agentId)
        {
            S.AgentId = null;
            await EndAgentPartAsync(agentId);
            return;
        }
        await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, R.WrapUpSeconds);
    }

    /// <summary>
    /// The connected agent hands the call on (a transfer): their part of it, talk and hold, is counted for them now,
    /// and their wrap-up when it ends; the call goes on without them.
    /// </summary>
    private async Task EndAgentPartAsync(string agentId)
    {
        var part = F.AgentPartUntil(Now);
        Emit(new ReservationWrapUp(agentId, "transferred", Round(part.TalkSeconds), Round(part.HoldSeconds)), agentId: agentId);
        if (await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, R.WrapUpSeconds))
        {
            S.WrappingAfterTransfer[agentId] = Now;
        }
        else
        {
            Emit(new ReservationCompleted(agentId, "transferred", 0.0), agentId: agentId);
        }
    }

    /// <summary>A warm transfer completes: the consulted agent's part began when they answered.</summary>
    private void ConsultTakesOver(string consult)
    {
        S.AgentId = consult;
        S.ConsultAgentId = null;
        F.ConsultTakesOver(Now);
        if (S.Legs.LiveOf(consult, LegRole.Consult) is { } leg)
        {
            // From here on the consulted agent's leg is the call's agent leg.
            leg.Role = LegRole.Agent;
        }
    }

    /// <summary>The consulted agent of a warm transfer goes: ringing, their offer is withdrawn; answered, their leg is hung up.</summary>
    private async Task DropConsultAsync()
    {
        if (S.ConsultAgentId is not { } consult)
        {
            return;
        }
        S.ConsultAgentId = null;
        if (S.Offers.For(consult, OfferKind.Consult) is { } offer)
        {
            await EndOfferAsync(offer, OfferOutcome.Withdrawn, "transfer-canceled");
            return;
        }
        if (S.Legs.LiveOf(consult, LegRole.Consult) is { } leg)
        {
            await HangUpLegAsync(leg);
        }
        await grains.GetGrain<IAgentGrain>(consult).CallEndedAsync(Id, 0);
    }
}
