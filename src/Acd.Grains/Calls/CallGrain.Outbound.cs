using Acd.Grains.Abstractions;
using Acd.Grains.Agents;
using Acd.Grains.Telephony;

namespace Acd.Grains.Calls;

/// <summary>
/// An agent's outbound call (design rule 4): the agent's leg creates a fresh conference through the Participants API;
/// once it has answered, the customer's leg is added by the conference's SID, never by name, so a conference that
/// ended (the agent hung up, the customer was busy) is never silently recreated with one person alone in it.
/// </summary>
public sealed partial class CallGrain
{
    private const int OutboundRingSeconds = 30;

    public async Task<Outcome<CallView>> StartOutboundAsync(OutboundStart start)
    {
        if (S.Exists)
        {
            return Problem.Conflict($"Call '{Id}' exists", "id");
        }
        if (!AgentValidation.IsContactUri(start.To))
        {
            return Problem.Invalid("to", "Must be an E.164 number such as +81312345678, sip:… or client:…");
        }
        if (ReadAttributes(start.AttributesJson, out _) is { } invalid)
        {
            return invalid;
        }
        var reservation = await grains.GetGrain<IAgentGrain>(start.AgentId).TryReserveOutboundAsync(Id);
        if (!reservation.Accepted)
        {
            return Problem.Conflict($"Agent '{start.AgentId}' cannot call out: {reservation.Reason}", "agent_id");
        }

        S.Exists = true;
        S.Direction = "outbound";
        S.CreatedAt = Now;
        S.AttributesJson = start.AttributesJson;
        S.OutboundTo = start.To;
        S.OutboundCallerId = start.CallerId;
        S.ConferenceName = $"acd-{Id}-{Guid.NewGuid().ToString("N")[..8]}";
        S.ReservationTimeoutSeconds = OutboundRingSeconds;
        S.WrapUpSeconds = options.Value.DefaultWrapUpSeconds;
        SetStatus(CallStatus.Created);
        Emit("task.created", new { direction = "outbound", to = start.To });

        var leg = NewAgentLeg(start.AgentId, "agent");
        S.OfferedAgentId = start.AgentId;
        S.OfferDeadline = Now.AddSeconds(OutboundRingSeconds);
        SetStatus(CallStatus.Offered);
        Emit("reservation.created", new { agent_id = start.AgentId, outbound = true });
        await SaveAsync();
        ArmTimers();
        // The agent's leg is the conference's first participant: it fixes region and callbacks (rule 7), and, as the
        // owner of an outbound call, ends the conference when it leaves.
        await telephony.AddParticipantAsync(new AddParticipant(
            LegOf(leg), reservation.ContactUri ?? $"client:{start.AgentId}", $"agent-{start.AgentId}", Muted: false, Coaching: false, null,
            StartConferenceOnEnter: true, EndConferenceOnExit: true, OutboundRingSeconds, Urgency.Normal, start.CallerId));
        return View();
    }

    /// <summary>The agent answered their outbound call: now the customer is dialled into the same conference, by SID.</summary>
    private async Task DialCustomerAsync()
    {
        var leg = new CallLeg { LegId = $"{Id}-c{++S.LegCounter}", Role = "customer", Status = "queued" };
        S.Legs.Add(leg);
        Emit("call.outbound.dialing", new { to = S.OutboundTo });
        await ConferenceOperationAsync($"dial {S.OutboundTo}", add: new AddParticipant(
            LegOf(leg), S.OutboundTo!, "customer", Muted: false, Coaching: false, null,
            StartConferenceOnEnter: true, EndConferenceOnExit: true, 60, Urgency.Normal, S.OutboundCallerId));
    }

    /// <summary>Busy, no-answer, failed: the conference is ended and the agent is told why.</summary>
    private async Task OutboundFailedAsync(string reason)
    {
        Emit("call.outbound.failed", new { reason, to = S.OutboundTo });
        await telephony.EndConferenceAsync(Conference());
        foreach (var leg in S.Legs.Where(l => !IsTerminal(l.Status)))
        {
            leg.Status = leg.Status == "in-progress" ? "completed" : "canceled";
        }
        if (S.AgentId is { } agentId)
        {
            await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, 0);
        }
        else if (S.OfferedAgentId is { } offered)
        {
            S.OfferedAgentId = null;
            await grains.GetGrain<IAgentGrain>(offered).OfferEndedAsync(Id, OfferEnd.Withdrawn);
        }
        await FinishAsync(CallStatus.Failed, reason, null);
    }
}
