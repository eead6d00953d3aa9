using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>
/// What the phone network reports. Callbacks arrive in bursts, twice and out of order (design rule 5): a leg's status
/// only moves forward and a conference callback already seen is dropped, so every handler is idempotent. A leg Acd has
/// ended that reports itself answered (a late answer, crossing Acd's hang-up) is hung up again at once.
/// </summary>
public sealed partial class CallGrain
{
    public Task<bool> WantsLegAsync(string legId) => Task.FromResult(S.Legs.Find(legId) is { IsLive: true, CallSid: null });

    public async Task LegCreatedAsync(string legId, string callSid)
    {
        var leg = S.Legs.Find(legId);
        if (leg is null || leg.CallSid == callSid)
        {
            return;
        }
        if (leg.CallSid is not null)
        {
            // Twilio made a second leg for one request: it is not Acd's to keep.
            logger.LogWarning("Call {CallId}: leg {LegId} was created twice ({CallSid} and {Duplicate}); hanging up the second", Id, legId, leg.CallSid, callSid);
            await telephony.EndLegAsync(LegRef(leg) with { CallSid = callSid });
            return;
        }
        leg.CallSid = callSid;
        if (!leg.IsLive)
        {
            // The offer ended while the leg was being created: now that it has a CallSid, hang it up.
            await HangUpLegAsync(leg);
        }
        else
        {
            S.Offers.Sent(legId, Now);
        }
        await SaveAsync();
    }

    public async Task LegFailedAsync(string legId, string reason, LegFailure failure)
    {
        var leg = S.Legs.Find(legId);
        if (leg is null || !leg.IsLive)
        {
            return;
        }
        logger.LogWarning("Call {CallId}: telephony could not create leg {LegId} ({Role} {AgentId}): {Reason}", Id, legId, leg.Role, leg.AgentId, reason);
        CallLegs.Report(leg, LegStatus.Failed, null);
        CallLegs.End(leg);
        if (failure == LegFailure.ConferenceGone && !S.Status.IsFinal())
        {
            // Twilio says the conference has ended: the customer has left, whatever callbacks were lost on the way.
            if (S.Offers.ForLeg(legId) is { } gone)
            {
                await EndOfferAsync(gone, OfferOutcome.Withdrawn, "conference-ended");
            }
            S.Teardown.ConferenceEnded = true;
            await ConferenceEndedAsync(null);
            return;
        }
        if (S.Offers.ForLeg(legId) is { } offer)
        {
            // A destination the network refuses is the agent's phone that cannot be rung (a miss, so an unreachable desk
            // goes to Break rather than take every call); an outage that outlasted the retries is not the agent's doing.
            var refused = failure == LegFailure.Refused;
            await OfferFailedAsync(offer, refused ? OfferOutcome.Missed : OfferOutcome.Withdrawn, refused ? "failed" : "telephony-failed");
            return;
        }
        if (leg.Role == LegRole.Customer && !S.Status.IsFinal() && CallbackPending)
        {
            await CallbackAttemptFailedAsync("failed", counts: true);
            return;
        }
        if (leg.Role == LegRole.Customer && !S.Status.IsFinal())
        {
            await OutboundFailedAsync("failed");
            return;
        }
        Emit(new OperationFailed($"{leg.Role} leg {legId}".ToLowerInvariant(), "telephony-failed"), leg.AgentId);
        await SaveAsync();
    }

    public async Task LegStatusAsync(LegStatusReport report)
    {
        if (!S.Exists)
        {
            return;
        }
        var leg = report.LegId is not null ? S.Legs.Find(report.LegId) : S.Legs.BySid(report.CallSid);
        if (leg is null)
        {
            return;
        }
        if (leg.CallSid is not null && leg.CallSid != report.CallSid)
        {
            // A second leg made for one request (a create that failed after Twilio had made it): not Acd's to keep.
            if (!report.Status.IsFinal())
            {
                logger.LogWarning("Call {CallId}: a second leg {Duplicate} reports for {LegId}; hanging it up", Id, report.CallSid, leg.LegId);
                await telephony.EndLegAsync(LegRef(leg) with { CallSid = report.CallSid });
            }
            return;
        }
        if (leg.CallSid is null)
        {
            leg.CallSid = report.CallSid;
            if (leg.Ended && !report.Status.IsFinal())
            {
                // Acd hung it up while it was being created, and its status callback came before the create's answer
                // (whose LegCreated would have sent the hang-up): now that its CallSid is known, the hang-up goes.
                await HangUpLegAsync(leg);
            }
        }
        await LegChangedAsync(leg, CallLegs.Report(leg, report.Status, report.SequenceNumber));
    }

    public async Task ConferenceEventAsync(ConferenceEventReport report)
    {
        if (!S.Exists)
        {
            return;
        }
        switch (S.Conference.Take(report.ConferenceSid, report.SequenceNumber, Now, report.FriendlyName))
        {
            case ConferenceMatch.Duplicate:
                return;
            case ConferenceMatch.Other when report.Event == ConferenceEvent.Join && S.Legs.BySid(report.CallSid) is { Staged: true, IsLive: true } staged && !S.Status.IsFinal():
                // Design rule 4's trap, by TwiML: a ring group's agent took the call and <Dial><Conference> joined them by
                // name, but the caller's conference had ended (the caller left; the callback saying so was lost), so
                // Twilio made a new one with the agent alone in it. The caller is gone: the agent is hung up and the
                // call ends as its conference did.
                logger.LogWarning("Call {CallId}: {AgentId} joined a new conference {Other} under the call's name: the caller's {ConferenceSid} has ended", Id, staged.AgentId, report.ConferenceSid, S.Conference.Sid);
                await HangUpLegAsync(staged);
                S.Teardown.ConferenceEnded = true;
                await ConferenceEndedAsync(null);
                return;
            case ConferenceMatch.Other:
                // Design rule 4's trap: a second conference under the same name. Acd never reuses names, so this is
                // someone else's conference or a late event of an old one: it changes nothing here.
                logger.LogWarning("Call {CallId}: event {Event} from conference {Other}, not the call's {ConferenceSid}", Id, report.Event, report.ConferenceSid, S.Conference.Sid);
                return;
            case ConferenceMatch.Learned:
                logger.LogInformation("Call {CallId}: conference is {ConferenceSid}", Id, report.ConferenceSid);
                Emit(new ConferenceKnown(report.ConferenceSid));
                await RunPendingAsync();
                break;
        }
        var leg = S.Legs.BySid(report.CallSid);
        switch (report.Event)
        {
            case ConferenceEvent.Hold or ConferenceEvent.Unhold or ConferenceEvent.Mute or ConferenceEvent.Unmute or ConferenceEvent.Modify when leg is not null:
                leg.Hold = report.Hold ?? leg.Hold;
                leg.Muted = report.Muted ?? leg.Muted;
                leg.Coaching = report.Coaching ?? leg.Coaching;
                Emit(new ParticipantChanged(leg.LegId, CallViews.Word(leg.Role), leg.AgentId, leg.Hold, leg.Muted, leg.Coaching), leg.Role == LegRole.Supervisor ? leg.AgentId : null);
                break;
            case ConferenceEvent.Join when leg is not null:
                // Joining is answering, whichever of the two callbacks comes first.
                await LegChangedAsync(leg, CallLegs.Report(leg, LegStatus.InProgress, null));
                return;
            case ConferenceEvent.Leave when leg is { Role: LegRole.Caller, Status: LegStatus.InProgress } && CallerMayStepOut:
                // With hangupOnStar the caller may have left for the callback menu, not hung up: they are looked up.
                await CallerAwayAsync();
                return;
            case ConferenceEvent.Leave when leg is { Status: LegStatus.InProgress }:
                await LegChangedAsync(leg, CallLegs.Report(leg, LegStatus.Completed, null));
                return;
            case ConferenceEvent.End when !S.Teardown.ConferenceEnded:
                S.Teardown.ConferenceEnded = true;
                await ConferenceEndedAsync(report);
                return;
        }
        await SaveAsync();
    }

    public async Task ConferenceNotLiveAsync()
    {
        if (S.Exists && S.Conference.Sid is null && S.Teardown.ConferenceEndAsked && !S.Teardown.ConferenceEnded)
        {
            // Never started, or ended without a word reaching Acd: either way the hang-up asked for is done.
            S.Teardown.ConferenceEnded = true;
            await SaveAsync();
        }
    }

    /// <summary>The conference ended (Twilio's conference-end, or a fetch after a restart): nobody is on the line any more.</summary>
    private async Task ConferenceEndedAsync(ConferenceEventReport? report)
    {
        // A waiting caller whose <Dial> has hangupOnStar may have left it for the callback menu (the conference ended
        // because they left it): their leg is looked up, not taken for ended.
        var steppedOut = S.Status is CallStatus.Queued or CallStatus.Offered && CallerMayStepOut ? S.Legs.Customer : null;
        foreach (var leg in S.Legs.All.Where(l => l.IsLive && l.Status == LegStatus.InProgress && l != steppedOut))
        {
            // Everyone in it has left with it; their own callbacks may trail.
            CallLegs.Report(leg, LegStatus.Completed, null);
        }
        switch (S.Status)
        {
            case CallStatus.Connected:
                var ending = S.Legs.BySid(report?.CallSidEndingConference);
                await EndTalkAsync(ending?.Role switch
                {
                    LegRole.Caller => "caller-hangup",
                    LegRole.Customer => "customer-hangup",
                    LegRole.Agent => "agent-hangup",
                    _ => S.Legs.Customer is { Status: LegStatus.Completed } ? "caller-hangup" : "conference-ended",
                });
                return;
            case CallStatus.Queued or CallStatus.Offered when CallerMayStepOut:
                await CallerAwayAsync();
                return;
            case CallStatus.Created or CallStatus.Queued or CallStatus.Offered or CallStatus.Scheduled when CallbackPending:
                break; // a conference of an attempt that is over: the callback waits for its next
            case CallStatus.Created or CallStatus.Queued or CallStatus.Offered when S.Kind == CallKind.Inbound || S.Legs.Customer is { Answered: true }:
                await CallerHungUpAsync();
                return;
            case CallStatus.Offered or CallStatus.Queued:
                await OutboundFailedAsync("conference-ended");
                return;
        }
        await SaveAsync();
    }

    /// <summary>A leg's status moved (a callback, a join or leave, or what reconciliation found): what it means for the call.</summary>
    private async Task LegChangedAsync(Leg leg, LegChange change)
    {
        if (!change.Moved)
        {
            return;
        }
        if (leg.Ended)
        {
            if (change.Answered)
            {
                // Answered after Acd hung it up (the answer crossed the hang-up): hung up again, at once. The call has
                // moved on (it may be ringing someone else), and nobody else may hear the caller.
                logger.LogWarning("Call {CallId}: leg {LegId} of {AgentId} answered after its offer ended; hanging it up", Id, leg.LegId, leg.AgentId);
                Emit(new LateAnswerHungUp(leg.LegId, leg.AgentId), leg.AgentId);
                await HangUpLegAsync(leg);
                await SaveAsync();
            }
            else if (change.Ended)
            {
                // The network confirms a hang-up Acd asked for: stored, so a reload does not ask again, and a call that
                // has ended and now settled leaves the unsettled store (it would otherwise wait for its next check).
                await SaveAsync();
            }
            return;
        }
        switch (leg.Role)
        {
            case LegRole.Caller when change.Ended && S.Kind == CallKind.Callback:
                break; // the caller who asked to be called back hung up, as they were told to
            case LegRole.Caller when change.Ended:
                await CallerHungUpAsync();
                return;
            case LegRole.Customer:
                await CustomerLegAsync(leg, change);
                return;
            case LegRole.Supervisor:
                await SupervisorLegAsync(leg, change);
                return;
            case LegRole.Agent or LegRole.Consult when S.Offers.ForLeg(leg.LegId) is { } offer:
                switch (S.Offers.OnLeg(leg.LegId, change, Now))
                {
                    case OfferVerdict.Answered when offer.Group:
                        // A ring group's agent picked up: they are in Acd's TwiML, and take the call there (StagedAnswerAsync).
                        break;
                    case OfferVerdict.AnsweredAndLeft when offer.Group:
                        // Picked up and hung up without taking the call: for this call, a miss.
                        LogOfferEnded(Id, offer.AgentId, "hung up before taking it");
                        await OfferFailedAsync(offer, OfferOutcome.Missed, "hung-up");
                        return;
                    case OfferVerdict.Answered:
                        await OfferAnsweredAsync(offer);
                        return;
                    case OfferVerdict.AnsweredAndLeft:
                        await OfferAnsweredAsync(offer);
                        await AgentLegEndedAsync(leg);
                        return;
                    case OfferVerdict.Missed:
                        LogOfferEnded(Id, offer.AgentId, CallViews.Word(change.Current));
                        await OfferFailedAsync(offer, OfferOutcome.Missed, CallViews.Word(change.Current));
                        return;
                    case OfferVerdict.Withdrawn:
                        await OfferFailedAsync(offer, OfferOutcome.Withdrawn, CallViews.Word(change.Current));
                        return;
                }
                break;
            case LegRole.Agent or LegRole.Consult when change.Ended:
                await AgentLegEndedAsync(leg);
                return;
        }
        await SaveAsync();
    }

    /// <summary>An answered agent's leg ended: the connected agent left, or the consulted one hung up before taking over.</summary>
    private async Task AgentLegEndedAsync(Leg leg)
    {
        CallLegs.End(leg);
        if (S.Status == CallStatus.Connected && leg.Role == LegRole.Agent && leg.AgentId == S.AgentId)
        {
            await AgentLeftAsync();
        }
        else if (leg.Role == LegRole.Consult && leg.AgentId is { } consult && consult == S.ConsultAgentId)
        {
            Emit(new TransferFailed(consult, "hung-up"), consult);
            S.ConsultAgentId = null;
            await grains.GetGrain<IAgentGrain>(consult).CallEndedAsync(Id, 0);
            await HoldCustomerAsync(false);
            await SaveAsync();
        }
        else
        {
            await SaveAsync();
        }
    }

    /// <summary>
    /// An outbound call's customer leg: answered, or ended before (busy, no answer, failed) or after answering. Once
    /// answered, the customer is the call's caller: leaving while the call waits for an agent (a transfer to a queue)
    /// abandons it, as an inbound caller's hang-up does.
    /// </summary>
    private async Task CustomerLegAsync(Leg leg, LegChange change)
    {
        if (change.Answered && S.Kind == CallKind.Callback)
        {
            CallbackConnected();
        }
        else if (change.Answered)
        {
            Emit(new OutboundAnswered(S.OutboundTo));
        }
        else if (change.Ended && !leg.Answered && !S.Status.IsFinal() && S.Kind == CallKind.Callback)
        {
            await CallbackAttemptFailedAsync(CallViews.Word(change.Current), counts: true);
            return;
        }
        else if (change.Ended && !leg.Answered && !S.Status.IsFinal())
        {
            await OutboundFailedAsync(CallViews.Word(change.Current));
            return;
        }
        else if (change.Ended && S.Status == CallStatus.Connected)
        {
            await EndTalkAsync("customer-hangup");
            return;
        }
        else if (change.Ended && S.Status is CallStatus.Queued or CallStatus.Offered)
        {
            await CallerHungUpAsync();
            return;
        }
        await SaveAsync();
    }

    private async Task SupervisorLegAsync(Leg leg, LegChange change)
    {
        if (change.Answered)
        {
            Emit(new SupervisorJoined(leg.AgentId!), leg.AgentId);
            if (leg.FlagsToApply && leg.CallSid is { } supervisorSid)
            {
                // The mode chosen while the leg still rang is applied now.
                leg.FlagsToApply = false;
                await ConferenceOperationAsync($"supervisor {leg.AgentId} mode", update: SupervisorMode(supervisorSid, leg));
                return;
            }
        }
        else if (change.Ended)
        {
            Emit(new SupervisorLeft(leg.AgentId!, CallViews.Word(change.Current)), leg.AgentId);
        }
        await SaveAsync();
    }
}
