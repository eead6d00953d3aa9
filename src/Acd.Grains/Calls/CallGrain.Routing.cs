using Acd.Grains.Abstractions;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Telephony;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>Routing through the workflow: enqueue, offer, requeue, move on, give up.</summary>
public sealed partial class CallGrain
{
    /// <summary>
    /// Tries <paramref name="candidate"/> and the workflow's later steps until a queue takes the call.
    /// When none does: back to <paramref name="stayIn"/> if given (a target timed out but nothing better exists,
    /// so the caller keeps waiting where they were), else the call ends with the last refusal's message.
    /// </summary>
    private async Task RouteAsync((RoutingStep Step, RoutingTarget Target, string FilterName)? candidate, WaitingCall? stayIn, string giveUpReason)
    {
        var plan = Plan();
        var task = Json.ParseElement(S.AttributesJson);
        string? message = null;
        var reason = giveUpReason;
        while (candidate is var (step, target, filterName))
        {
            var knownId = WorkflowPlan.ResolveKnownWorker(target.KnownWorkerId, task);
            var knownName = WorkflowPlan.ResolveKnownWorker(target.KnownWorkerFriendlyName, task);
            if ((target.KnownWorkerId is not null && knownId is null) || (target.KnownWorkerFriendlyName is not null && knownName is null))
            {
                candidate = plan?.Next(step, task, Now); // the call names no known agent: this target does not apply
                continue;
            }
            var waiting = new WaitingCall(
                Id,
                target.QueueId,
                target.Priority ?? S.Priority,
                S.CreatedAt,
                S.Sequence,
                target.Expression?.UsesTask == true ? S.AttributesJson : null,
                target.Expression?.Source,
                knownId,
                knownName,
                target.OrderBy?.Source,
                S.DeclinedBy.Count > 0 ? [.. S.DeclinedBy] : null);
            var result = await grains.GetGrain<IQueueGrain>(target.QueueId).EnqueueAsync(waiting, target.SkipIf?.Source);
            switch (result.Outcome)
            {
                case EnqueueOutcome.Waiting or EnqueueOutcome.Matched:
                    EnterQueue(step, target, filterName, waiting with { Sequence = result.Sequence }, result);
                    if (result.Outcome == EnqueueOutcome.Matched)
                    {
                        await OfferAsync(result.AgentId!, target.QueueId, waitingInQueue: false);
                    }
                    else
                    {
                        await SaveAsync();
                        ArmTimers();
                    }
                    return;
                case EnqueueOutcome.Full:
                    (reason, message) = ("queue-full", result.Message ?? options.Value.OverflowMessage);
                    break;
                case EnqueueOutcome.Closed:
                    (reason, message) = ("queue-closed", result.Message ?? options.Value.ClosedMessage);
                    break;
                case EnqueueOutcome.UnknownQueue:
                    logger.LogWarning("Call {CallId}: workflow {WorkflowId} names queue {QueueId}, which does not exist", Id, S.WorkflowId, target.QueueId);
                    break;
            }
            candidate = plan?.Next(step, task, Now);
        }

        if (stayIn is not null)
        {
            S.StepDeadline = null;
            await RequeueAsync(stayIn);
            return;
        }
        S.WaitSeconds = (Now - S.CreatedAt).TotalSeconds;
        await FinishAsync(CallStatus.Canceled, reason, message ?? options.Value.NoRouteMessage);
    }

    private void EnterQueue(RoutingStep step, RoutingTarget target, string filterName, WaitingCall waiting, EnqueueResult result)
    {
        var queueChanged = S.QueueId != target.QueueId;
        if (S.Step != step)
        {
            S.StepDeadline = target.TimeoutSeconds is { } timeout ? Now.AddSeconds(timeout) : null;
        }
        S.Step = step;
        S.FilterName = filterName;
        S.QueueId = target.QueueId;
        S.Priority = waiting.Priority;
        S.Sequence = result.Sequence;
        S.Waiting = waiting;
        S.WrapUpSeconds = result.WrapUpSeconds ?? options.Value.DefaultWrapUpSeconds;
        S.OverflowMessage = result.Message;
        if (queueChanged || S.QueuedAt is null)
        {
            S.QueuedAt = Now;
            S.MaxWaitDeadline = result.MaxWaitSeconds > 0 ? Now.AddSeconds(result.MaxWaitSeconds) : null;
            Emit("task-queue.entered", new { queue_id = target.QueueId, filter = filterName, priority = waiting.Priority });
        }
        SetStatus(CallStatus.Queued);
    }

    /// <summary>Puts the call back in its queue with its original age and arrival order.</summary>
    private async Task RequeueAsync(WaitingCall waiting)
    {
        SetStatus(CallStatus.Queued);
        var result = await grains.GetGrain<IQueueGrain>(waiting.QueueId).EnqueueAsync(waiting, null);
        await AfterRequeueAsync(waiting, result);
    }

    private async Task AfterRequeueAsync(WaitingCall waiting, EnqueueResult result)
    {
        switch (result.Outcome)
        {
            case EnqueueOutcome.Matched:
                await OfferAsync(result.AgentId!, waiting.QueueId, waitingInQueue: false);
                break;
            case EnqueueOutcome.Waiting:
                await SaveAsync();
                ArmTimers();
                break;
            default:
                // The queue closed or filled while the call was ringing someone: the workflow decides what next.
                await MoveOnAsync(overflow: true);
                break;
        }
    }

    /// <summary>
    /// The router paired this call with an agent (or the enqueue matched at once). The agent confirms atomically;
    /// a refusal (the router's view was a moment old) puts the call straight back, with its age and place.
    /// <paramref name="waitingInQueue"/>: the queue grain holds the call as waiting (it was matched later, not at once).
    /// </summary>
    private async Task OfferAsync(string agentId, string queueId, bool waitingInQueue)
    {
        while (true)
        {
            if (S.Status != CallStatus.Queued || S.QueueId != queueId || S.Waiting is not { } waiting)
            {
                // Stale match (the caller left, the call moved on): free the agent.
                await grains.GetGrain<IRouterGrain>(Workspace.RouterGrainKey.Default).ReleaseMatchAsync(Id, agentId, null);
                if (!S.Exists)
                {
                    // A call whose start was never stored (storage failed half-way): the queue forgets it too.
                    await grains.GetGrain<IQueueGrain>(queueId).RemoveAsync(Id);
                    DeactivateOnIdle();
                }
                return;
            }
            var reservation = await grains.GetGrain<IAgentGrain>(agentId).TryReserveAsync(Id);
            if (reservation.Accepted)
            {
                if (waitingInQueue)
                {
                    await grains.GetGrain<IQueueGrain>(queueId).RemoveAsync(Id);
                }
                await RingAsync(agentId, reservation);
                return;
            }
            LogReservationRefused(Id, agentId, reservation.Reason);
            var result = await grains.GetGrain<IQueueGrain>(queueId).ReturnAsync(waiting, agentId);
            if (result.Outcome != EnqueueOutcome.Matched)
            {
                await AfterRequeueAsync(waiting, result);
                return;
            }
            agentId = result.AgentId!;
            waitingInQueue = false;
        }
    }

    private async Task RingAsync(string agentId, Reservation reservation)
    {
        var leg = NewAgentLeg(agentId, "agent");
        S.OfferedAgentId = agentId;
        S.OfferDeadline = Now.AddSeconds(S.ReservationTimeoutSeconds);
        S.Offers++;
        SetStatus(CallStatus.Offered);
        Emit("reservation.created", new { agent_id = agentId, expires_at = S.OfferDeadline });
        await SaveAsync();
        ArmTimers();
        LogOffered(Id, agentId, S.QueueId);
        await RingLegAsync(leg, reservation, Urgency.CallerWaiting);
    }

    /// <summary>The offer ended without a connection: the agent is told (a miss counts), the call goes back.</summary>
    private async Task OfferFailedAsync(OfferEnd how, string legStatus)
    {
        var agentId = S.OfferedAgentId!;
        Emit(how switch
        {
            OfferEnd.Missed => "reservation.timeout",
            OfferEnd.Rejected => "reservation.rejected",
            _ => "reservation.canceled",
        }, new { agent_id = agentId, reason = legStatus }, agentId);
        if (S.Direction == "outbound")
        {
            await OutboundFailedAsync(legStatus == "no-answer" ? "agent-no-answer" : $"agent-{legStatus}");
            return;
        }
        var leg = CurrentAgentLeg(agentId);
        OfferTimer.Cancel();
        S.OfferedAgentId = null;
        S.OfferDeadline = null;
        if (leg is not null && leg.Status is "queued" or "initiated" or "ringing")
        {
            leg.Status = legStatus;
            await telephony.CancelLegAsync(LegOf(leg));
        }
        await grains.GetGrain<IAgentGrain>(agentId).OfferEndedAsync(Id, how);
        if (how == OfferEnd.Rejected && !S.DeclinedBy.Contains(agentId))
        {
            S.DeclinedBy.Add(agentId);
            S.Waiting = S.Waiting! with { ExcludedAgents = [.. S.DeclinedBy] };
        }
        if (S.MaxWaitDeadline <= Now)
        {
            await MoveOnAsync(overflow: true);
        }
        else if (S.StepDeadline <= Now)
        {
            await MoveOnAsync(overflow: false);
        }
        else
        {
            await RequeueAsync(S.Waiting!);
        }
    }

    /// <summary>
    /// Leaves the current step: a target's timeout moves to the next target (staying put when there is none,
    /// as TaskRouter does); the queue's maximum wait overflows to the next target or ends with the queue's message.
    /// </summary>
    private async Task MoveOnAsync(bool overflow)
    {
        if (S.QueueId is { } queueId && S.Status == CallStatus.Queued
            && !await grains.GetGrain<IQueueGrain>(queueId).WithdrawAsync(Id))
        {
            // Not waiting any more: a match is on its way to this call; let it be offered.
            logger.LogInformation("Call {CallId}: not moved on from {QueueId}: a match is on its way", Id, queueId);
            return;
        }
        var plan = Plan();
        var next = plan is not null && S.Step is { } step ? plan.Next(step, Json.ParseElement(S.AttributesJson), Now) : null;
        if (overflow)
        {
            S.MaxWaitDeadline = null;
            S.QueuedAt = null;
            await RouteAsync(next, stayIn: null, giveUpReason: "max-wait");
            if (S.Status == CallStatus.Canceled && S.EndReason == "max-wait")
            {
                S.Message = S.OverflowMessage ?? options.Value.OverflowMessage;
                await SaveAsync();
            }
        }
        else
        {
            S.StepDeadline = null;
            await RouteAsync(next, stayIn: S.Waiting, giveUpReason: "no-route");
        }
    }

    /// <summary>Takes the call out of routing: out of its queue, or its ringing offer cancelled.</summary>
    private async Task StopRoutingAsync()
    {
        if (S.Status == CallStatus.Queued && S.QueueId is { } queueId)
        {
            await grains.GetGrain<IQueueGrain>(queueId).WithdrawAsync(Id);
        }
        if (S.Status == CallStatus.Offered && S.OfferedAgentId is { } agentId)
        {
            if (CurrentAgentLeg(agentId) is { } leg)
            {
                leg.Status = "canceled";
                await telephony.CancelLegAsync(LegOf(leg));
            }
            S.OfferedAgentId = null;
            S.OfferDeadline = null;
            Emit("reservation.canceled", new { agent_id = agentId, reason = "caller-gone" }, agentId);
            await grains.GetGrain<IAgentGrain>(agentId).OfferEndedAsync(Id, OfferEnd.Withdrawn);
        }
    }

    private async Task EndTalkAsync(string reason)
    {
        S.TalkEndedAt = Now;
        NoteHold(false);
        S.EndReason = reason;
        foreach (var leg in S.Legs.Where(l => l.Status == "in-progress"))
        {
            leg.Status = "completed";
        }
        var wrapping = S.AgentId is { } agentId
            && await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, S.WrapUpSeconds);
        if (wrapping)
        {
            SetStatus(CallStatus.WrapUp);
            Emit("task.wrapup", new { reason, wrap_up_seconds = S.WrapUpSeconds });
            await SaveAsync();
        }
        else
        {
            await FinishAsync(CallStatus.Completed, reason, null);
        }
    }

    private async Task FinishAsync(CallStatus status, string? reason, string? message)
    {
        // The figures statistics are computed from: wait until answered or abandoned, talk (hold included), hold, wrap-up.
        var wrapUp = S.Status == CallStatus.WrapUp ? (Now - S.StatusSince).TotalSeconds : 0;
        // Talk is the customer's conversation, from the first answer across any transfers; the agent's figures are
        // the last agent's part (earlier agents' parts were counted when they handed the call on).
        var talkEnded = S.TalkEndedAt ?? Now;
        double? talk = (S.FirstConnectedAt ?? S.ConnectedAt) is { } connected ? (talkEnded - connected).TotalSeconds : null;
        double? agentTalk = (S.AgentSince ?? S.ConnectedAt) is { } agentSince ? (talkEnded - agentSince).TotalSeconds : null;
        Emit(status switch
        {
            CallStatus.Completed => "task.completed",
            CallStatus.Failed => "task.failed",
            _ => "task.canceled",
        }, new
        {
            status = status.ToString().ToLowerInvariant(),
            reason,
            agent_id = S.AgentId,
            wait_seconds = Round(S.WaitSeconds),
            talk_seconds = Round(talk),
            hold_seconds = Round(S.HoldSeconds),
            wrap_up_seconds = Round(wrapUp),
            agent_talk_seconds = Round(agentTalk),
            agent_hold_seconds = agentTalk is null ? null : Round(S.HoldSeconds - S.HoldAtAgentSince),
        });
        if (status is CallStatus.Canceled && S.ConferenceSid is not null && CustomerLeg() is { } customer && !IsTerminal(customer.Status))
        {
            // The customer is in their conference and Acd is giving up on them: end it rather than leave them holding.
            await telephony.EndConferenceAsync(Conference());
        }
        S.EndedAt ??= Now;
        S.EndReason = reason;
        S.Message = message ?? S.Message;
        S.StepDeadline = null;
        S.MaxWaitDeadline = null;
        S.OfferDeadline = null;
        OfferTimer.Cancel();
        StepTimer.Cancel();
        MaxWaitTimer.Cancel();
        SetStatus(status);
        await SaveAsync();
    }

    private static double? Round(double? seconds) => seconds is { } x ? Math.Round(x, 3) : null;
}
