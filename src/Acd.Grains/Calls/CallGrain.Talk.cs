using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>From answer to the end: connecting, the caller or agent leaving, wrap-up, and how the call ended.</summary>
public sealed partial class CallGrain
{
    /// <summary>The offered agent answered: the call is connected to them.</summary>
    private async Task ConnectAsync(Offer offer)
    {
        await TakeOfferAsync(offer);
        if (S.Kind == CallKind.Outbound && S.Legs.Customer is null)
        {
            await DialCustomerAsync();
        }
        else if (S.Kind == CallKind.Callback && S.Callback!.ConnectedAt is null)
        {
            await DialCallbackAsync();
        }
        else if (F.OnHold)
        {
            // Back from a transfer: the customer was holding until this agent answered.
            await HoldCustomerAsync(false);
            await SaveAsync();
        }
    }

    /// <summary>The agent of <paramref name="offer"/> has the call: the others' offers end, and the agent is told.</summary>
    private async Task TakeOfferAsync(Offer offer)
    {
        var agentId = offer.AgentId;
        S.Offers.End(offer, OfferOutcome.Answered);
        // The rest of a ring group: their legs end at once (canceled while ringing), and it is not a miss of theirs.
        foreach (var other in S.Offers.Live.Where(o => o.Kind == OfferKind.Queue).ToList())
        {
            await EndOfferAsync(other, OfferOutcome.Withdrawn, "answered-elsewhere");
        }
        if (S.Legs.Find(offer.LegId) is { } leg)
        {
            CallLegs.Report(leg, LegStatus.InProgress, null);
        }
        S.AgentId = agentId;
        var wait = F.Answered(Now);
        R.ClearDeadlines();
        SetStatus(CallStatus.Connected);
        Emit(new ReservationAccepted(agentId, Round(wait)));
        await SaveAsync();
        await grains.GetGrain<IAgentGrain>(agentId).CallConnectedAsync(Id);
        LogConnected(Id, agentId, wait ?? 0);
    }

    /// <summary>An offer's leg answered: the call connects, or the consulted agent of a warm transfer comes on.</summary>
    private async Task OfferAnsweredAsync(Offer offer)
    {
        if (offer.Kind != OfferKind.Consult)
        {
            await ConnectAsync(offer);
            return;
        }
        S.Offers.End(offer, OfferOutcome.Answered);
        if (S.Legs.Find(offer.LegId) is { } leg)
        {
            CallLegs.Report(leg, LegStatus.InProgress, null);
        }
        F.ConsultAnswered(Now);
        Emit(new TransferAnswered(offer.AgentId), offer.AgentId);
        await SaveAsync();
        await grains.GetGrain<IAgentGrain>(offer.AgentId).CallConnectedAsync(Id);
    }

    public async Task<Outcome<CallView>> AcceptAsync(string agentId)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status == CallStatus.Connected && S.AgentId == agentId)
        {
            return View();
        }
        if (S.Offers.For(agentId, OfferKind.Queue, OfferKind.Transfer) is not { } offer)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status} and not offered to '{agentId}'");
        }
        if (telephony.AnswersOnTheNetwork)
        {
            // The offer rings the agent's phone (or will, once its request leaves): answering it connects the call.
            // Accepting here would connect the call with nobody on the line.
            return Problem.Conflict($"The offer of '{Id}' rings {agentId}'s phone: it connects when they answer it");
        }
        await ConnectAsync(offer);
        return View();
    }

    public async Task<Outcome<CallView>> RejectAsync(string agentId)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Offers.For(agentId, OfferKind.Queue, OfferKind.Transfer, OfferKind.Consult) is not { } offer)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status} and not offered to '{agentId}'");
        }
        await OfferFailedAsync(offer, OfferOutcome.Rejected, "rejected");
        return View();
    }

    public async Task WithdrawOfferAsync(string agentId)
    {
        if (S.Offers.For(agentId, OfferKind.Queue, OfferKind.Transfer, OfferKind.Consult) is { } offer)
        {
            await OfferFailedAsync(offer, OfferOutcome.Withdrawn, "agent-unavailable");
        }
    }

    public async Task<Outcome<CallView>> CallerHungUpAsync()
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        switch (S.Status)
        {
            case CallStatus.Created or CallStatus.Queued or CallStatus.Offered when CallbackPending:
                break; // nobody is on the line: the callback waits for its agent
            case CallStatus.Created or CallStatus.Queued or CallStatus.Offered:
                await StopRoutingAsync("caller-gone");
                F.Abandoned(Now);
                await FinishAsync(CallStatus.Abandoned, "caller-hangup", null);
                LogAbandoned(Id, F.WaitSeconds ?? 0);
                break;
            case CallStatus.Connected:
                // The caller's leg carries endConferenceOnExit: the conference ends by itself.
                await EndTalkAsync("caller-hangup");
                break;
        }
        return View();
    }

    public async Task<Outcome<CallView>> HangUpAsync()
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        switch (S.Status)
        {
            case CallStatus.Created or CallStatus.Queued or CallStatus.Offered:
                await StopRoutingAsync("canceled");
                await EndConferenceNowAsync();
                await FinishAsync(CallStatus.Canceled, "canceled", null);
                break;
            case CallStatus.Scheduled:
                await FinishAsync(CallStatus.Canceled, "canceled", null);
                break;
            case CallStatus.Connected when CallbackDialling:
                // The agent gives up on this attempt before the customer answered: the callback goes back to its place.
                await CallbackAttemptFailedAsync("agent-hangup", counts: false);
                break;
            case CallStatus.Connected:
                // Design rule 2: Acd ends the conference so the caller is never left alone on a silent line; asked for
                // before the ConferenceSid is known, it waits for it (rule 3).
                await DropConsultAsync();
                await EndTalkAsync("agent-hangup", endConference: true);
                break;
        }
        return View();
    }

    /// <summary>The connected agent's leg ended: Acd ends the conference so the caller is not left alone (rule 2).</summary>
    private async Task AgentLeftAsync()
    {
        if (S.ConsultAgentId is { } consult && S.Legs.LiveOf(consult, LegRole.Consult) is { Status: LegStatus.InProgress } && S.AgentId is { } leaving)
        {
            // The first agent hung up during a warm transfer the consulted agent has answered: the transfer completes.
            Emit(new TransferCompleted(leaving, consult), leaving);
            S.AgentId = null;
            await EndAgentPartAsync(leaving);
            ConsultTakesOver(consult);
            await HoldCustomerAsync(false);
            await SaveAsync();
            return;
        }
        if (CallbackDialling)
        {
            await CallbackAttemptFailedAsync("agent-hangup", counts: false);
            return;
        }
        await DropConsultAsync();
        await EndTalkAsync("agent-hangup", endConference: true);
    }

    /// <summary>A callback's agent has taken it and its customer has not answered yet.</summary>
    private bool CallbackDialling => S.Kind == CallKind.Callback && S.Status == CallStatus.Connected && S.Callback!.ConnectedAt is null;

    /// <summary>
    /// The conversation is over. The call's own truth is written first (wrap-up, or completed), then its agent is told;
    /// if that fails, the call completes by itself when its wrap-up time has run out (and the agent verifies it).
    /// With <paramref name="endConference"/> (Acd hangs up, design rule 2), the end of the conference is written in the
    /// same write and asked of Twilio right after it (a lost request is sent again when the call is reloaded), or waits
    /// for the ConferenceSid (rule 3): one write where there were two.
    /// </summary>
    private async Task EndTalkAsync(string reason, bool endConference = false)
    {
        var endNow = endConference && NowOrKept(new PendingOperation { Description = "end conference", EndConference = true }) is not null;
        if (endNow)
        {
            ConferenceEnding(); // stored with the end of the talk
        }
        F.TalkEnds(Now);
        S.EndReason = reason;
        if (S.ConsultAgentId is { } consult)
        {
            // A warm transfer under way ends with the talk (the caller hung up while the agents consulted): the
            // consulted agent is let go, without wrap-up, since the call never became theirs.
            if (S.Offers.For(consult, OfferKind.Consult) is null)
            {
                Emit(new TransferFailed(consult, reason), consult);
            }
            await DropConsultAsync();
        }
        foreach (var leg in S.Legs.All.Where(l => l.IsLive))
        {
            // The conference is ending with the call: a leg that reports itself answered from now on is a late answer,
            // and one still up when the check comes is hung up.
            CallLegs.End(leg);
            S.Teardown.Asked(Now);
        }
        var agentId = S.AgentId;
        if (agentId is null)
        {
            await FinishAsync(CallStatus.Completed, reason, null);
        }
        else
        {
            SetStatus(CallStatus.WrapUp);
            F.WrapUpSince = Now;
            S.WrapUpCodes = await WrapUpCodesAsync();
            if (R.WrapUpSeconds > 0)
            {
                Emit(new TaskWrapUp(reason, R.WrapUpSeconds));
            }
            await SaveAsync();
        }
        if (endNow)
        {
            await telephony.EndConferenceAsync(Conference());
        }
        if (agentId is not null && !await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, R.WrapUpSeconds))
        {
            await FinishAsync(CallStatus.Completed, reason, null);
        }
    }

    /// <summary>
    /// The codes of the queue the call was answered from, read as the talk ends. A queue that cannot be read then leaves
    /// the call without codes (the agent completes it without one) rather than fail the hang-up halfway.
    /// </summary>
    private async Task<List<string>?> WrapUpCodesAsync()
    {
        if (R.QueueId is not { } queueId)
        {
            return null;
        }
        try
        {
            return (await grains.GetGrain<IQueueGrain>(queueId).GetAsync())?.WrapUpCodes is { Count: > 0 } codes ? [.. codes] : null;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Call {CallId}: queue {QueueId}'s wrap-up codes could not be read; wrap-up goes on without them", Id, queueId);
            return null;
        }
    }

    public async Task<Outcome<CallView>> CompleteAsync(string? wrapUpCode = null)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status == CallStatus.Completed)
        {
            // Asked twice: the same answer. A code that comes after the wrap-up time ran out is not taken silently.
            return wrapUpCode is null || wrapUpCode == S.WrapUpCode
                ? View()
                : Problem.Conflict($"Call '{Id}' was completed {(S.WrapUpCode is null ? "without a code" : $"with code '{S.WrapUpCode}'")} when its wrap-up ended", "wrap_up_code");
        }
        if (S.Status != CallStatus.WrapUp)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status}, not in wrap-up");
        }
        if (wrapUpCode is not null && S.WrapUpCodes?.Contains(wrapUpCode, StringComparer.Ordinal) != true)
        {
            return Problem.Invalid("wrap_up_code", S.WrapUpCodes is { Count: > 0 } codes
                ? $"'{wrapUpCode}' is not one of queue {R.QueueId}'s wrap_up_codes: {string.Join(", ", codes)}"
                : $"Queue {R.QueueId ?? "(none)"} has no wrap_up_codes");
        }
        S.WrapUpCode = wrapUpCode;
        if (S.AgentId is { } agentId)
        {
            await grains.GetGrain<IAgentGrain>(agentId).CompleteWrapUpAsync();
        }
        await FinishAsync(CallStatus.Completed, S.EndReason, null);
        return View();
    }

    public async Task WrapUpEndedAsync(string agentId, DateTimeOffset endedAt)
    {
        if (S.WrappingAfterTransfer.Remove(agentId, out var left))
        {
            // An agent who transferred the call away has finished wrapping it up: their part is complete.
            Emit(new ReservationCompleted(agentId, "transferred", Round(Math.Max(0, (endedAt - left).TotalSeconds))), agentId: agentId);
            await SaveAsync();
        }
        if (S.Status == CallStatus.WrapUp && S.AgentId == agentId)
        {
            await FinishAsync(CallStatus.Completed, S.EndReason, null);
        }
    }

    private async Task FinishAsync(CallStatus status, string? reason, string? message)
    {
        var (talk, agentTalk, agentHold, wrapUp) = F.Final(Now);
        var wrapped = S.Status == CallStatus.WrapUp ? wrapUp : 0;
        if (status == CallStatus.Completed && S.Kind is CallKind.Inbound or CallKind.Callback && R.QueueId is { } answeredFrom && talk is { } talked)
        {
            // The queue's handle time, for the estimated wait of the callers behind (one-way: never holds the call up).
            grains.Router().RecordHandleTimeAsync(answeredFrom, talked + wrapped).Ignore();
        }
        var name = status.ToString().ToLowerInvariant();
        var wait = Round(F.WaitSeconds);
        Emit(status switch
        {
            CallStatus.Completed => new TaskCompleted(name, reason, S.AgentId, wait, Round(talk), Round(F.HoldSeconds), Round(wrapped), Round(agentTalk), Round(agentHold), S.WrapUpCode),
            CallStatus.Failed => new TaskFailed(name, reason, S.AgentId, wait, Round(talk), Round(F.HoldSeconds), Round(wrapped), Round(agentTalk), Round(agentHold)),
            _ => new TaskCanceled(name, reason, S.AgentId, wait, Round(talk), Round(F.HoldSeconds), Round(wrapped), Round(agentTalk), Round(agentHold)),
        });
        // A caller given up on hears why (and may leave a voicemail): as they arrive, in the webhook's answer; waiting, in
        // their <Dial>'s action once their conference ends. Either way their own TwiML hangs up, not Acd.
        var farewell = status is CallStatus.Canceled or CallStatus.Failed && (message is not null || VoicemailToLeave is not null) && CallerHearsFarewell;
        if (status is CallStatus.Canceled or CallStatus.Failed && S.Status != CallStatus.Created && S.Legs.Customer is { IsLive: true })
        {
            // The customer is in their conference and Acd is giving up on them: end it rather than leave them holding.
            // Its SID may never have come (a conference nobody started reports little, and callbacks get lost): it is
            // found by its name.
            await EndConferenceNowAsync();
        }
        var turnedAway = S.Status == CallStatus.Created;
        foreach (var leg in S.Legs.All.Where(l => l.IsLive))
        {
            if ((turnedAway || farewell) && leg.Role == LegRole.Caller)
            {
                continue; // the caller's TwiML tells them why and hangs up: nothing for Acd to end
            }
            CallLegs.End(leg);
            if (leg.CallSid is not null)
            {
                S.Teardown.Asked(Now); // until the network says it ended, the call checks
            }
        }
        F.EndedAt ??= Now;
        S.EndReason = reason;
        S.Message = message ?? S.Message;
        R.ClearDeadlines();
        SetStatus(status);
        await SaveAsync();
    }
}
