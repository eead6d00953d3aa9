using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Telephony;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>Routing through the workflow: enqueue, offer, readmit after a failed offer, move on, give up.</summary>
public sealed partial class CallGrain
{
    /// <summary>How long an offer may wait for its leg to be sent (the account's pace) before it is withdrawn, not missed.</summary>
    private static readonly TimeSpan DispatchLimit = TimeSpan.FromMinutes(2);

    /// <summary>A deadline that came while a match was on its way is looked at again this much later.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    private WorkflowPlan? Plan() => _workflow is { } workflow ? WorkflowPlans.Get(workflow) : null;

    /// <summary>
    /// What the workflow's expressions read in local time: the workspace's zone, Japan's holidays, and whether each
    /// schedule they name is open now (a schedule that does not exist is left out, so the key reads attributes).
    /// </summary>
    private async Task<Schedules.LocalClock> LocalClockAsync(WorkflowPlan? plan)
    {
        var open = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var id in plan?.ScheduleIds ?? [])
        {
            if (await grains.GetGrain<Schedules.IScheduleGrain>(id).StatusAsync() is { } status)
            {
                open[id] = status.Open;
            }
        }
        return new Schedules.LocalClock(Settings.Zone(), holidays.On, open);
    }

    /// <summary>
    /// Tries <paramref name="candidate"/> and the workflow's later steps until a queue takes the call. When none does:
    /// with <paramref name="stayPut"/> the call goes back where it waited (a target timed out but nothing better exists,
    /// as TaskRouter does), else it ends with the last refusal's message.
    /// </summary>
    /// <remarks>
    /// <paramref name="overflowed"/>: the call waited in its queue past its maximum wait; given up, the caller hears
    /// <paramref name="giveUpMessage"/> (unless a later queue refused them with its own) and may leave a voicemail for the
    /// queue they waited in, if it takes them when full.
    /// </remarks>
    private async Task RouteAsync((RoutingStep Step, RoutingTarget Target, string FilterName)? candidate, bool stayPut, string giveUpReason, string? giveUpMessage = null, bool overflowed = false)
    {
        var plan = Plan();
        var task = Json.ParseElement(S.AttributesJson);
        var local = await LocalClockAsync(plan);
        string? message = null;
        var reason = giveUpReason;
        while (candidate is var (step, target, filterName))
        {
            var knownId = WorkflowPlan.ResolveKnownWorker(target.KnownWorkerId, task);
            var knownName = WorkflowPlan.ResolveKnownWorker(target.KnownWorkerFriendlyName, task);
            if ((target.KnownWorkerId is not null && knownId is null) || (target.KnownWorkerFriendlyName is not null && knownName is null))
            {
                candidate = plan?.Next(step, task, Now, local); // the call names no known agent: this target does not apply
                continue;
            }
            if (target.ScheduleId is { } scheduleId && local.IsClosed(scheduleId))
            {
                candidate = plan?.Next(step, task, Now, local); // outside the target's hours: it does not apply now
                continue;
            }
            var waiting = new WaitingCall(
                Id, target.QueueId, target.Priority ?? R.Priority, S.Callback?.AgeFrom ?? F.CreatedAt, R.Sequence,
                target.Expression?.UsesTask == true ? S.AttributesJson : null, target.Expression?.Source, knownId, knownName,
                target.OrderBy?.Source, R.DeclinedBy.Count > 0 ? [.. R.DeclinedBy] : null);
            var result = await grains.GetGrain<IQueueGrain>(target.QueueId).EnqueueAsync(waiting, target.SkipIf?.Source);
            switch (result.Outcome)
            {
                case EnqueueOutcome.Waiting or EnqueueOutcome.Matched:
                    EnterQueue(step, target, filterName, waiting with { Sequence = result.Sequence }, result);
                    await AfterAdmissionAsync(result, target.QueueId);
                    return;
                case EnqueueOutcome.Full:
                    (reason, message) = ("queue-full", result.Message ?? Settings.OverflowMessage);
                    VoicemailOnRefusal(target.QueueId, result);
                    break;
                case EnqueueOutcome.Closed:
                    (reason, message) = ("queue-closed", result.Message ?? Settings.ClosedMessage);
                    VoicemailOnRefusal(target.QueueId, result);
                    break;
                case EnqueueOutcome.UnknownQueue:
                    logger.LogWarning("Call {CallId}: workflow {WorkflowId} names queue {QueueId}, which does not exist", Id, R.WorkflowId, target.QueueId);
                    break;
            }
            candidate = plan?.Next(step, task, Now, local);
        }
        if (stayPut && R.Waiting is not null)
        {
            if (VoicemailToLeave is not null)
            {
                S.Voicemail = null; // a later target refused them, and they wait on where they were
            }
            await ReadmitAsync();
            return;
        }
        if (overflowed && R.QueueId is { } waitedIn)
        {
            OfferVoicemail(waitedIn, R.Callback, VoicemailWhen.Full);
        }
        F.GaveUp(Now);
        await FinishAsync(CallStatus.Canceled, reason, message ?? giveUpMessage ?? Settings.NoRouteMessage);
    }

    private void EnterQueue(RoutingStep step, RoutingTarget target, string filterName, WaitingCall waiting, EnqueueResult result)
    {
        var queueChanged = R.QueueId != target.QueueId;
        if (R.Step != step)
        {
            R.StepDeadline = target.TimeoutSeconds is { } timeout ? Now.AddSeconds(timeout) : null;
        }
        R.Step = step;
        R.FilterName = filterName;
        R.QueueId = target.QueueId;
        R.Priority = waiting.Priority;
        R.Sequence = result.Sequence;
        R.Waiting = waiting;
        R.WrapUpSeconds = result.WrapUpSeconds ?? Settings.DefaultWrapUpSeconds;
        R.OverflowMessage = result.Message;
        R.Ring = result.Ring;
        R.Callback = result.Callback;
        R.RecheckAt = null;
        if (S.Kind == CallKind.Inbound)
        {
            R.CallerCheckAt ??= NextCallerCheck();
            // The caller's TwiML is answered after this: with hangupOnStar when this queue offers callbacks.
            R.CallerCanStepOut |= S.Status == CallStatus.Created && result.Callback is { OffersMenu: true };
            if (VoicemailToLeave is not null)
            {
                S.Voicemail = null; // a queue refused them first, but a later target took them
            }
        }
        if (queueChanged || F.QueuedAt is null)
        {
            F.QueuedAt = Now;
            R.MaxWaitDeadline = result.MaxWaitSeconds > 0 && !CallbackPending ? Now.AddSeconds(result.MaxWaitSeconds) : null;
            Emit(new QueueEntered(target.QueueId, filterName, waiting.Priority));
        }
        if (CallbackPending)
        {
            // A callback waits until it is served (or canceled): nobody is on the line to overflow.
            R.StepDeadline = null;
            if (S.Callback is { Source: CallbackSource.Api } callback && result.Callback is { } retries)
            {
                callback.MaxAttempts = retries.Attempts;
                callback.RetrySeconds = retries.RetrySeconds;
            }
        }
        SetStatus(CallStatus.Queued);
    }

    /// <summary>The queue took the call: it waits (stored), or was matched at once and becomes an offer.</summary>
    private async Task AfterAdmissionAsync(EnqueueResult result, string queueId)
    {
        if (result.Outcome == EnqueueOutcome.Matched)
        {
            await OfferAsync(result.AgentId!, queueId, waitingInQueue: false);
        }
        else
        {
            await SaveAsync();
        }
    }

    /// <summary>
    /// Puts the call back in its queue with its original age and place, after an offer that did not connect. It was
    /// admitted already, so it keeps its place even if the queue has since closed or filled; a queue that was deleted
    /// meanwhile sends it on through the workflow.
    /// </summary>
    private async Task ReadmitAsync()
    {
        var waiting = R.Waiting!;
        SetStatus(CallStatus.Queued);
        var result = await grains.GetGrain<IQueueGrain>(waiting.QueueId).EnqueueAsync(waiting, null, readmit: true);
        await AfterReadmissionAsync(result, waiting.QueueId);
    }

    private async Task AfterReadmissionAsync(EnqueueResult result, string queueId)
    {
        if (result.Outcome is EnqueueOutcome.Waiting or EnqueueOutcome.Matched)
        {
            R.RecheckAt = null;
            await AfterAdmissionAsync(result, queueId);
            return;
        }
        logger.LogWarning("Call {CallId}: queue {QueueId} is gone ({Outcome}): the workflow decides what next", Id, queueId, result.Outcome);
        await MoveOnAsync(overflow: true, inQueue: false, "queue-deleted");
    }

    /// <summary>
    /// Leaves the current step: a target's timeout moves to the next target (staying put when there is none, as
    /// TaskRouter does); the queue's maximum wait, or a queue that is gone, moves to the next target or ends the call.
    /// <paramref name="inQueue"/>: the call waits in its queue and must be taken out first.
    /// </summary>
    private async Task MoveOnAsync(bool overflow, bool inQueue, string giveUpReason)
    {
        if (inQueue && R.QueueId is { } queueId && !await grains.GetGrain<IQueueGrain>(queueId).WithdrawAsync(Id))
        {
            // Not waiting any more: the router has matched the call and the match is on its way. Let it be offered, and
            // look again shortly, in case that message was lost.
            logger.LogInformation("Call {CallId}: not moved on from {QueueId}: a match is on its way", Id, queueId);
            R.RecheckAt = Now + Recheck;
            await SaveAsync();
            return;
        }
        R.RecheckAt = null;
        var plan = Plan();
        var next = plan is not null && R.Step is { Filter: >= 0 } step ? plan.Next(step, Json.ParseElement(S.AttributesJson), Now, await LocalClockAsync(plan)) : null;
        if (overflow)
        {
            R.MaxWaitDeadline = null;
            F.QueuedAt = null;
            var maxWait = giveUpReason == "max-wait"; // not a queue that is gone
            await RouteAsync(next, stayPut: false, giveUpReason, maxWait ? R.OverflowMessage ?? Settings.OverflowMessage : null, overflowed: maxWait);
        }
        else
        {
            R.StepDeadline = null;
            await RouteAsync(next, stayPut: true, giveUpReason);
        }
    }

    public async Task OfferMatchedAsync(string agentId, string queueId) => await OfferAsync(agentId, queueId, waitingInQueue: true);

    public async Task QueueClosedAsync(string queueId, string message)
    {
        if (S.Status != CallStatus.Queued || R.QueueId != queueId || CallbackPending)
        {
            return; // offered, connected or moved on meanwhile: it is not waiting there (and a callback keeps its place)
        }
        if (!await grains.GetGrain<IQueueGrain>(queueId).WithdrawAsync(Id))
        {
            return; // the router has matched it with an agent on the way: the caller is served
        }
        F.GaveUp(Now);
        OfferVoicemail(queueId, R.Callback, VoicemailWhen.Closed);
        await FinishAsync(CallStatus.Canceled, "queue-closed", message);
    }

    /// <summary>
    /// The router paired this call with an agent (or the enqueue matched at once). The agent confirms atomically; a
    /// refusal (the router's view was a moment old) puts the call straight back, with its age and place.
    /// <paramref name="waitingInQueue"/>: the queue grain holds the call as waiting (it was matched later, not at once).
    /// </summary>
    private async Task OfferAsync(string agentId, string queueId, bool waitingInQueue)
    {
        while (true)
        {
            if (S.Status != CallStatus.Queued || R.QueueId != queueId || R.Waiting is not { } waiting || R.CallerAwayUntil is not null)
            {
                // A stale match (the caller left, the call moved on): the agent is freed, and the queue forgets a call
                // that does not wait in it.
                await grains.Router().ReleaseMatchAsync(Id, agentId, null);
                await grains.GetGrain<IQueueGrain>(queueId).RemoveAsync(Id);
                if (!S.Exists)
                {
                    DeactivateOnIdle();
                }
                return;
            }
            Reservation reservation;
            try
            {
                reservation = await grains.GetGrain<IAgentGrain>(agentId).TryReserveAsync(Id);
            }
            catch
            {
                // Whether the agent took it is unknown: the router gives both back now (a reservation the agent did make
                // is let go when it verifies it), rather than after its lost-match expiry.
                await grains.Router().ReleaseMatchAsync(Id, agentId, waiting);
                throw;
            }
            if (reservation.Accepted)
            {
                if (waitingInQueue)
                {
                    await grains.GetGrain<IQueueGrain>(queueId).RemoveAsync(Id);
                }
                await StartOfferAsync(agentId, OfferKind.Queue, reservation, Urgency.CallerWaiting);
                await RingGroupStartsAsync();
                return;
            }
            LogReservationRefused(Id, agentId, reservation.Reason);
            var result = await grains.GetGrain<IQueueGrain>(queueId).ReturnAsync(waiting, agentId);
            if (result.Outcome != EnqueueOutcome.Matched)
            {
                await AfterReadmissionAsync(result, queueId);
                return;
            }
            agentId = result.AgentId!;
            waitingInQueue = false;
        }
    }

    /// <summary>Rings an agent who has reserved themselves for the call. Their ring time starts when the leg is sent.</summary>
    private async Task<Offer> StartOfferAsync(string agentId, OfferKind kind, Reservation reservation, Urgency urgency)
    {
        var leg = S.Legs.Add(Id, kind == OfferKind.Consult ? LegRole.Consult : LegRole.Agent, agentId, reservation.ContactUri ?? $"client:{agentId}", Now);
        var ringSeconds = R.ReservationTimeoutSeconds;
        var offer = S.Offers.Open(agentId, leg.LegId, kind, kind == OfferKind.Queue ? R.QueueId : null, Now, ringSeconds, sentAtOnce: !telephony.AnswersOnTheNetwork, DispatchLimit);
        // A ring group's legs answer into Acd's TwiML: nobody hears the caller before they have taken the call.
        // So does a callback's: the agent hears whom they call back before the customer is dialled.
        offer.Group = leg.Staged = kind == OfferKind.Queue && (R.Ring is not null || CallbackPending);
        if (kind is OfferKind.Queue or OfferKind.Transfer)
        {
            SetStatus(CallStatus.Offered);
        }
        if (kind != OfferKind.Consult)
        {
            Emit(new ReservationCreated(agentId, offer.RingsUntil, kind == OfferKind.Outbound ? true : null), agentId, agentId);
        }
        await SaveAsync();
        LogOffered(Id, agentId, R.QueueId);
        var ring = new RingAgent(LegRef(leg), agentId, leg.To!, leg.Label!, ringSeconds, urgency, Json.ReadString(S.AttributesJson, "To"));
        if (kind == OfferKind.Outbound)
        {
            // The agent's leg is the outbound conference's first participant: it fixes region and callbacks (rule 7).
            // It does not end the conference when it leaves: the customer's leg does, so a transfer keeps the customer.
            await telephony.AddParticipantAsync(new AddParticipant(
                ring.Leg, ring.ContactUri, ring.Label, Muted: false, Coaching: false, null,
                StartConferenceOnEnter: true, EndConferenceOnExit: false, ringSeconds, Urgency.Normal, S.OutboundCallerId));
        }
        else
        {
            await telephony.RingAgentAsync(ring);
        }
        return offer;
    }

    /// <summary>
    /// Ends an offer that did not connect: its leg is hung up if live, the agent is told (a miss counts as one), and the
    /// outcome is announced. What happens to the call next is the caller's to decide.
    /// </summary>
    private async Task EndOfferAsync(Offer offer, OfferOutcome outcome, string reason)
    {
        S.Offers.End(offer, outcome);
        if (S.Legs.Find(offer.LegId) is { IsLive: true } leg)
        {
            await HangUpLegAsync(leg);
        }
        if (offer.Kind == OfferKind.Consult)
        {
            Emit(new TransferFailed(offer.AgentId, reason), offer.AgentId);
        }
        else
        {
            // Each reservation's event names its own agent (a ring group has several).
            Emit(outcome switch
            {
                OfferOutcome.Missed => new ReservationTimedOut(offer.AgentId, reason),
                OfferOutcome.Rejected => new ReservationRejected(offer.AgentId, reason),
                _ => new ReservationCanceled(offer.AgentId, reason),
            }, offer.AgentId, offer.AgentId);
        }
        if (outcome == OfferOutcome.Rejected)
        {
            R.Declined(offer.AgentId);
        }
        await grains.GetGrain<IAgentGrain>(offer.AgentId).OfferEndedAsync(Id, outcome switch
        {
            OfferOutcome.Missed => OfferEnd.Missed,
            OfferOutcome.Rejected => OfferEnd.Rejected,
            _ => OfferEnd.Withdrawn,
        });
    }

    /// <summary>An offer failed (missed, rejected, withdrawn, refused by the network): the offer ends and the call goes on.</summary>
    private async Task OfferFailedAsync(Offer offer, OfferOutcome outcome, string reason)
    {
        await EndOfferAsync(offer, outcome, reason);
        switch (offer.Kind)
        {
            case OfferKind.Outbound:
                await OutboundFailedAsync(outcome == OfferOutcome.Missed ? "agent-no-answer" : $"agent-{reason}");
                return;
            case OfferKind.Consult:
                S.ConsultAgentId = null;
                await HoldCustomerAsync(false);
                await SaveAsync();
                return;
        }
        if (S.Status != CallStatus.Offered)
        {
            await SaveAsync();
            return;
        }
        if (offer.Kind == OfferKind.Queue && S.Offers.Ringing.Count > 0)
        {
            // The rest of its ring group still rings.
            await SaveAsync();
            return;
        }
        R.NextRingAt = null;
        SetStatus(CallStatus.Queued);
        if (R.Waiting is null)
        {
            // A transfer straight to an agent of a call that never waited in a queue: there is no place to go back to.
            F.GaveUp(Now);
            await FinishAsync(CallStatus.Canceled, "transfer-failed", Settings.NoRouteMessage);
        }
        else if (R.MaxWaitDeadline <= Now)
        {
            await MoveOnAsync(overflow: true, inQueue: false, "max-wait");
        }
        else if (R.StepDeadline <= Now)
        {
            await MoveOnAsync(overflow: false, inQueue: false, "no-route");
        }
        else
        {
            await ReadmitAsync();
        }
        if (S.Status == CallStatus.Queued)
        {
            // The offer ended without an answer: the caller may have gone without Acd hearing of it.
            await CheckCallerAsync();
        }
    }

    /// <summary>
    /// Looks the waiting caller's leg (or an outbound customer's, still ringing) up at Twilio; the answer comes back as
    /// the leg's status. Twilio tells of a waiting caller's hang-up by one callback (the conference's participant-leave)
    /// and does not send it again if it is lost: unchecked, such a caller would be offered to agent after agent for ever.
    /// The next check's time is kept in memory until the call is next written; a reload reconciles the legs anyway.
    /// </summary>
    private async Task CheckCallerAsync()
    {
        R.CallerCheckAt = NextCallerCheck();
        if (S.Legs.Customer is { CallSid: not null, IsLive: true } leg)
        {
            await telephony.ReconcileAsync(new Reconciliation(Conference(), [LegRef(leg)], ConferenceEndAsked: false));
        }
    }

    private DateTimeOffset? NextCallerCheck() => Settings.CallerCheckSeconds > 0 ? Now.AddSeconds(Settings.CallerCheckSeconds) : null;

    /// <summary>
    /// Looks a connected call's live legs up at Twilio; the answers come back as the legs' status, so a hang-up whose
    /// callbacks were lost ends the talk as it would have (the agent's: Acd ends the conference, rule 2).
    /// </summary>
    private async Task CheckTalkAsync()
    {
        R.TalkCheckAt = NextTalkCheck();
        var legs = S.Legs.All.Where(l => l is { IsLive: true, CallSid: not null }).Select(LegRef).ToList();
        if (legs.Count > 0)
        {
            await telephony.ReconcileAsync(new Reconciliation(Conference(), legs, ConferenceEndAsked: false));
        }
    }

    private DateTimeOffset? NextTalkCheck() => Settings.TalkCheckSeconds > 0 ? Now.AddSeconds(Settings.TalkCheckSeconds) : null;

    /// <summary>Takes the call out of routing: out of its queue, and every offer withdrawn.</summary>
    private async Task StopRoutingAsync(string reason)
    {
        if (S.Status == CallStatus.Queued && R.QueueId is { } queueId)
        {
            await grains.GetGrain<IQueueGrain>(queueId).WithdrawAsync(Id);
        }
        foreach (var offer in S.Offers.Live.ToList())
        {
            await EndOfferAsync(offer, OfferOutcome.Withdrawn, reason);
        }
        if (S.ConsultAgentId is not null)
        {
            await DropConsultAsync();
        }
    }
}
