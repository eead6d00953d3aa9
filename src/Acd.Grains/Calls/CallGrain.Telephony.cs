using Acd.Grains.Abstractions;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>
/// What the phone network reports. Twilio's callbacks arrive in bursts, twice and out of order (design rule 5):
/// each handler is idempotent, a leg's status never goes backwards, and a conference callback already seen
/// (same SequenceNumber) is dropped.
/// </summary>
public sealed partial class CallGrain
{
    private const int SequencesKept = 200;

    public async Task LegCreatedAsync(string legId, string callSid)
    {
        var leg = S.Legs.Find(l => l.LegId == legId);
        if (leg is null || leg.CallSid == callSid)
        {
            return;
        }
        if (leg.CallSid is not null)
        {
            // A retried request created a second leg for the same offer: hang the extra one up.
            logger.LogWarning("Call {CallId}: leg {LegId} was created twice ({CallSid} and {Duplicate}); hanging up the second", Id, legId, leg.CallSid, callSid);
            await telephony.CancelLegAsync(LegOf(new CallLeg { LegId = legId, CallSid = callSid, Status = "queued" }));
            return;
        }
        leg.CallSid = callSid;
        if (IsTerminal(leg.Status))
        {
            // The offer ended while the leg was being created: now that it has a CallSid, hang it up.
            await telephony.CancelLegAsync(LegOf(leg));
        }
        await SaveAsync();
    }

    public async Task LegFailedAsync(string legId, string reason)
    {
        var leg = S.Legs.Find(l => l.LegId == legId);
        if (leg is null || IsTerminal(leg.Status))
        {
            return;
        }
        logger.LogWarning("Call {CallId}: telephony could not create leg {LegId} for {AgentId}: {Reason}", Id, legId, leg.AgentId, reason);
        leg.Status = "failed";
        if (S.Status == CallStatus.Offered && leg.AgentId == S.OfferedAgentId && leg == CurrentAgentLeg(leg.AgentId!))
        {
            await OfferFailedAsync(OfferEnd.Missed, "failed");
        }
        else
        {
            await SaveAsync();
        }
    }

    public async Task LegStatusAsync(LegStatusReport report)
    {
        if (!S.Exists)
        {
            return;
        }
        var leg = report.LegId is not null
            ? S.Legs.Find(l => l.LegId == report.LegId)
            : S.Legs.Find(l => l.CallSid == report.CallSid);
        if (leg is null)
        {
            return;
        }
        var status = report.Status == "answered" ? "in-progress" : report.Status;
        if (report.SequenceNumber is { } sequence && sequence <= leg.LastSequence)
        {
            return; // a duplicate, or older than what is known
        }
        if (Rank(status) < Rank(leg.Status) || (IsTerminal(leg.Status) && IsTerminal(status)))
        {
            return; // statuses only move forward; the first final word stands
        }
        leg.LastSequence = report.SequenceNumber ?? leg.LastSequence;
        leg.CallSid ??= report.CallSid;
        var previous = leg.Status;
        leg.Status = status;

        switch (leg.Role)
        {
            case "caller" when IsTerminal(status):
                await CallerHungUpAsync();
                return;
            case "customer":
                await CustomerLegAsync(leg, previous, status);
                return;
            case "consult":
                await ConsultLegAsync(leg, previous, status);
                return;
            case "supervisor":
                if (status == "in-progress" && previous != "in-progress")
                {
                    Emit("call.supervisor.joined", new { supervisor_id = leg.AgentId });
                    if (leg.FlagsToApply && leg.CallSid is { } supervisorSid)
                    {
                        leg.FlagsToApply = false;
                        await ConferenceOperationAsync($"supervisor {leg.AgentId} mode", update: SupervisorMode(supervisorSid, leg));
                    }
                }
                else if (IsTerminal(status))
                {
                    Emit("call.supervisor.left", new { supervisor_id = leg.AgentId, status });
                }
                break;
            case "agent" when leg.AgentId is { } agentId:
                var isOffer = S.Status == CallStatus.Offered && S.OfferedAgentId == agentId && leg == CurrentAgentLeg(agentId);
                if (isOffer && status == "in-progress")
                {
                    await ConnectAsync(agentId);
                    return;
                }
                if (isOffer && status == "completed")
                {
                    // Twilio says "completed" only of a call that was answered: the "answered" callback is late or lost.
                    await ConnectAsync(agentId);
                    await AgentLeftAsync();
                    return;
                }
                if (isOffer && IsTerminal(status) && status != "canceled")
                {
                    LogLegEnded(Id, agentId, status);
                    await OfferFailedAsync(OfferEnd.Missed, status);
                    return;
                }
                if (S.Status == CallStatus.Connected && S.AgentId == agentId && previous == "in-progress" && IsTerminal(status))
                {
                    await AgentLeftAsync();
                    return;
                }
                break;
        }
        await SaveAsync();
    }

    public async Task ConferenceEventAsync(ConferenceEventReport report)
    {
        if (!S.Exists || (report.SequenceNumber is { } seq && S.ConferenceSequences.Contains(seq)))
        {
            return;
        }
        if (report.SequenceNumber is { } sequence)
        {
            S.ConferenceSequences.Add(sequence);
            if (S.ConferenceSequences.Count > SequencesKept)
            {
                S.ConferenceSequences.RemoveAt(0);
            }
        }
        var learned = false;
        if (S.ConferenceSid is null)
        {
            S.ConferenceSid = report.ConferenceSid;
            S.ConferenceSidAt = Now;
            learned = true;
            LogConferenceSid(Id, report.ConferenceSid);
            Emit("call.conference", new { conference_sid = report.ConferenceSid });
        }
        else if (S.ConferenceSid != report.ConferenceSid)
        {
            // Design rule 4's trap: a second conference under the same name. Acd never reuses names, so this is
            // someone else's conference or a late event of an old one: it changes nothing here.
            logger.LogWarning("Call {CallId}: event {Event} from conference {Other}, not the call's {ConferenceSid}", Id, report.Event, report.ConferenceSid, S.ConferenceSid);
            await SaveAsync();
            return;
        }

        if (learned)
        {
            await RunPendingAsync();
        }
        var leg = report.CallSid is null ? null : S.Legs.Find(l => l.CallSid == report.CallSid);
        if (leg is not null && report.Event is "participant-hold" or "participant-unhold" or "participant-mute" or "participant-unmute" or "participant-modify")
        {
            leg.Hold = report.Hold ?? leg.Hold;
            leg.Muted = report.Muted ?? leg.Muted;
            leg.Coaching = report.Coaching ?? leg.Coaching;
            Emit("call.participant", new { leg_id = leg.LegId, role = leg.Role, agent_id = leg.AgentId, hold = leg.Hold, muted = leg.Muted, coaching = leg.Coaching });
        }
        switch (report.Event)
        {
            case "participant-join" when leg is { Role: "agent", AgentId: { } outboundAgent } && S.Direction == "outbound"
                && S.Status == CallStatus.Offered && S.OfferedAgentId == outboundAgent:
                await ConnectAsync(outboundAgent);
                return;
            case "participant-join" when leg is { Role: "consult" } && leg.Status != "in-progress":
                await ConsultLegAsync(leg, leg.Status, "in-progress");
                return;
            case "participant-leave" when leg is { Role: "customer" } && !IsTerminal(leg.Status):
                var before = leg.Status;
                leg.Status = "completed";
                await CustomerLegAsync(leg, before, "completed");
                return;
            case "participant-join" when leg is { Role: "agent", AgentId: { } agentId }
                && S.Status == CallStatus.Offered && S.OfferedAgentId == agentId && leg == CurrentAgentLeg(agentId):
                await ConnectAsync(agentId);
                return;
            case "participant-leave" when leg is { Role: "caller" }:
                leg.Status = "completed";
                await CallerHungUpAsync();
                return;
            case "participant-leave" when leg is { Role: "agent", AgentId: { } agentId } && S.Status == CallStatus.Connected && S.AgentId == agentId:
                leg.Status = "completed";
                await AgentLeftAsync();
                return;
            case "conference-end" when S.Status == CallStatus.Connected:
                var ending = S.Legs.Find(l => l.CallSid is not null && l.CallSid == report.CallSidEndingConference);
                await EndTalkAsync(ending?.Role switch
                {
                    "caller" => "caller-hangup",
                    "agent" => "agent-hangup",
                    _ => S.Legs.Any(l => l.Role == "caller" && l.Status == "completed") ? "caller-hangup" : "conference-ended",
                });
                return;
            case "conference-end" when S.Status is CallStatus.Created or CallStatus.Queued or CallStatus.Offered:
                await CallerHungUpAsync();
                return;
        }
        await SaveAsync();
    }

    /// <summary>The agent hung up first: Acd ends the conference so the caller is not left alone on a silent line (rule 2).</summary>
    private async Task AgentLeftAsync()
    {
        if (S.ConsultAgentId is { } consult && ActiveLegOf(consult) is { Status: "in-progress" } && S.AgentId is { } leaving)
        {
            // The first agent hung up during a warm transfer the consulted agent has answered: the transfer completes.
            Emit("call.transfer.completed", new { from = leaving, to_agent = consult }, leaving);
            S.AgentId = null;
            await EndAgentPartAsync(leaving);
            ConsultTakesOver(consult);
            if (CustomerLeg() is { CallSid: { } customer })
            {
                await HoldCustomerAsync(customer, false);
            }
            await SaveAsync();
            return;
        }
        await DropConsultAsync(OfferEnd.Withdrawn);
        await ConferenceOperationAsync("end conference", endConference: true);
        await EndTalkAsync("agent-hangup");
    }

    /// <summary>An outbound call's customer leg: answered, or ended before (busy, no-answer, failed) or after answering.</summary>
    private async Task CustomerLegAsync(CallLeg leg, string previous, string status)
    {
        if (status == "in-progress" && previous != "in-progress")
        {
            Emit("call.outbound.answered", new { to = S.OutboundTo });
        }
        else if (IsTerminal(status) && previous != "in-progress" && !S.Status.IsFinal())
        {
            await OutboundFailedAsync(status == "completed" ? "no-answer" : status);
            return;
        }
        else if (IsTerminal(status) && S.Status == CallStatus.Connected)
        {
            await EndTalkAsync("customer-hangup");
            return;
        }
        await SaveAsync();
    }

    /// <summary>The consulted agent's leg in a warm transfer.</summary>
    private async Task ConsultLegAsync(CallLeg leg, string previous, string status)
    {
        if (leg.AgentId is not { } consult || S.ConsultAgentId != consult)
        {
            await SaveAsync();
            return;
        }
        leg.Status = status;
        if (status == "in-progress" && previous != "in-progress")
        {
            await grains.GetGrain<IAgentGrain>(consult).CallConnectedAsync(Id);
            S.ConsultAnsweredAt = Now;
            S.HoldAtConsultAnswered = HoldSoFar();
            Emit("call.transfer.answered", new { to_agent = consult }, consult);
        }
        else if (IsTerminal(status))
        {
            Emit("call.transfer.failed", new { to_agent = consult, reason = status }, consult);
            S.ConsultAgentId = null;
            if (previous == "in-progress")
            {
                await grains.GetGrain<IAgentGrain>(consult).CallEndedAsync(Id, 0);
            }
            else
            {
                await grains.GetGrain<IAgentGrain>(consult).OfferEndedAsync(Id, status is "canceled" ? OfferEnd.Withdrawn : OfferEnd.Missed);
            }
            if (CustomerLeg() is { CallSid: { } customer })
            {
                await HoldCustomerAsync(customer, false);
            }
        }
        await SaveAsync();
    }

    private static int Rank(string status) => status switch
    {
        "queued" => 0,
        "initiated" => 1,
        "ringing" => 2,
        "in-progress" or "answered" => 3,
        _ => 4,
    };

    private static bool IsTerminal(string status) => Rank(status) == 4;

    [LoggerMessage(LogLevel.Information, "Call {CallId}: conference is {ConferenceSid}")]
    private partial void LogConferenceSid(string callId, string conferenceSid);

    [LoggerMessage(LogLevel.Information, "Call {CallId}: {AgentId}'s leg ended {Status} before answering")]
    private partial void LogLegEnded(string callId, string agentId, string status);
}
