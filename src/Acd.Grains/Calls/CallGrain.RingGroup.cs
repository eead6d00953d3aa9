using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Telephony;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>
/// Ring groups: one call offered to several agents at once (ring_all, TaskRouter's max_reserved_workers) or to one more
/// every few seconds (ring_progressively). Each agent's leg answers into Acd's TwiML, never into the caller's conference;
/// the first to take the call is put through, the others' legs end then and it is not a miss of theirs.
/// </summary>
public sealed partial class CallGrain
{
    /// <summary>The call's first offer of a ring group is out: the rest of the group now, or one by one.</summary>
    private async Task RingGroupStartsAsync()
    {
        if (R.Ring is not { } ring || S.Status != CallStatus.Offered)
        {
            return;
        }
        if (ring.StepSeconds > 0)
        {
            R.NextRingAt = ring.Size > 1 ? Now.AddSeconds(ring.StepSeconds) : null;
            await SaveAsync();
            return;
        }
        await RingMoreAsync(ring.Size - 1);
    }

    /// <summary>ring_progressively's step: one more agent, and the next step's time while the group can grow.</summary>
    private async Task RingNextAsync()
    {
        var ring = R.Ring;
        R.NextRingAt = null;
        await RingMoreAsync(1);
        if (ring is { StepSeconds: > 0 } && S.Status == CallStatus.Offered && S.Offers.Ringing.Count < ring.Size)
        {
            R.NextRingAt = Now.AddSeconds(ring.StepSeconds);
        }
        await SaveAsync();
    }

    /// <summary>
    /// Rings up to <paramref name="wanted"/> more free eligible agents (fewer when the account's pace cannot send their legs
    /// soon): the router holds them for this call, each agent reserves themself, and their legs go out behind every
    /// waiting caller's first leg.
    /// </summary>
    private async Task RingMoreAsync(int wanted)
    {
        if (R.Ring is not { } ring || R.Waiting is not { } waiting || S.Status != CallStatus.Offered)
        {
            return;
        }
        var ringing = S.Offers.Ringing;
        var room = Math.Min(wanted, ring.Size - ringing.Count);
        if (room <= 0)
        {
            return;
        }
        var agents = await grains.Router().MatchMoreAsync(waiting with { ExcludedAgents = [.. R.DeclinedBy] }, ringing, room);
        if (agents.Count == 0)
        {
            return;
        }
        // Free agents the account's pace cannot ring soon are let go again (and counted for the queue).
        var granted = telephony.RingGroupRoom(waiting.QueueId, agents.Count);
        foreach (var unrung in agents.Skip(granted))
        {
            await grains.Router().ReleaseMatchAsync(Id, unrung, null);
        }
        foreach (var agentId in agents.Take(granted))
        {
            Reservation reservation;
            try
            {
                reservation = await grains.GetGrain<IAgentGrain>(agentId).TryReserveAsync(Id);
            }
            catch (Exception e)
            {
                // Whether the agent took it is unknown: the router lets them go now, and an agent who did reserve lets go
                // when they verify it (this call has no offer for them).
                logger.LogWarning("Call {CallId}: reserving {AgentId} for its ring group failed: {Reason}", Id, agentId, e.Message);
                await grains.Router().ReleaseMatchAsync(Id, agentId, null);
                continue;
            }
            if (!reservation.Accepted || S.Status != CallStatus.Offered)
            {
                if (reservation.Accepted)
                {
                    await grains.GetGrain<IAgentGrain>(agentId).OfferEndedAsync(Id, OfferEnd.Withdrawn);
                }
                await grains.Router().ReleaseMatchAsync(Id, agentId, null);
                continue;
            }
            await StartOfferAsync(agentId, OfferKind.Queue, reservation, Urgency.RingGroup);
        }
    }

    public async Task<StagedAnswer> StagedAnswerAsync(string legId, string callSid, string? digits, bool whispered)
    {
        var leg = S.Exists ? S.Legs.Find(legId) : null;
        if (leg is null || (leg.CallSid is { } known && known != callSid))
        {
            return new StagedAnswer(StagedStep.Taken);
        }
        leg.CallSid ??= callSid;
        // Answered, so it was sent (its creation's answer may not have come back yet).
        S.Offers.Sent(legId, Now);
        // A callback has nobody on the line until its agent has taken it; a ring group's caller must still be there.
        var callback = CallbackPending;
        if (S.Offers.ForLeg(legId) is not { Group: true } offer || S.Status != CallStatus.Offered || (!callback && !S.Legs.CustomerOnLine))
        {
            // Taken by someone else a moment ago, or the caller has gone: this leg is told so and hung up by its TwiML.
            if (leg.IsLive)
            {
                CallLegs.End(leg);
                await SaveAsync();
            }
            LogStagedTaken(Id, leg.AgentId);
            return new StagedAnswer(StagedStep.Taken, R.Ring?.QueueName);
        }
        CallLegs.Report(leg, LegStatus.InProgress, null);
        var queueName = R.Ring?.QueueName ?? R.Callback?.QueueName;
        var waited = callback ? Round((Now - S.Callback!.AgeFrom).TotalSeconds) : null;
        if (IsVoicemail && callback)
        {
            return await VoicemailAnswerAsync(offer, leg, digits, whispered, queueName);
        }
        var acceptWithKey = R.Ring?.AcceptWithKey == true;
        if (acceptWithKey && digits is null)
        {
            await SaveAsync();
            return new StagedAnswer(StagedStep.AskKey, queueName, CallbackWaitedSeconds: waited);
        }
        if (acceptWithKey && digits != "1")
        {
            await OfferFailedAsync(offer, OfferOutcome.Rejected, "rejected");
            return new StagedAnswer(StagedStep.Declined, queueName);
        }
        // A callback's agent always hears whom they call back, and how long they have waited, before the customer is dialled.
        if (!acceptWithKey && (callback || R.Ring!.Whisper) && !whispered)
        {
            await SaveAsync();
            return new StagedAnswer(StagedStep.Whisper, queueName, CallbackWaitedSeconds: waited);
        }
        // The first of the group to get here takes the call: the others' legs end now, and this one joins the caller
        // (a callback's customer is dialled into the conference the agent joins).
        await ConnectAsync(offer);
        return new StagedAnswer(StagedStep.Join, queueName, S.Conference.Name, leg.Label);
    }

    [LoggerMessage(LogLevel.Information, "Call {CallId}: {AgentId} answered its ring group after the call was taken (or the caller left)")]
    private partial void LogStagedTaken(string callId, string? agentId);
}
