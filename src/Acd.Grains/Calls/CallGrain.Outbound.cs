using Acd.Grains.Abstractions;
using Acd.Grains.Agents;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Acd.Grains.Telephony;

namespace Acd.Grains.Calls;

/// <summary>
/// An agent's outbound call (design rule 4): the agent's leg creates a fresh conference through the Participants API;
/// once it has answered, the customer's leg is added by the conference's SID, never by name, so a conference that
/// ended (the agent hung up, the customer was busy) is never silently recreated with one person alone in it.
/// The customer's leg, like an inbound caller's, is the one that ends the conference when it leaves: the agent's does
/// not, so the agent can hand the call on (a transfer) without ending it.
/// </summary>
public sealed partial class CallGrain
{
    private const int OutboundRingSeconds = 30;

    private const int CustomerRingSeconds = 60;

    /// <summary>How long after the customer's ring time Acd looks their leg up, when no final status has come.</summary>
    private static readonly TimeSpan CustomerCheckGrace = TimeSpan.FromSeconds(15);

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
        await unsettled.AddAsync(Id);
        S.Exists = true;
        S.Shape = CallState.CurrentShape;
        S.Kind = CallKind.Outbound;
        S.AttributesJson = start.AttributesJson;
        S.OutboundTo = start.To;
        S.OutboundCallerId = start.CallerId;
        S.Conference.Name = ConferenceNames.New(Id);
        F.CreatedAt = Now;
        R.ReservationTimeoutSeconds = OutboundRingSeconds;
        R.WrapUpSeconds = Settings.DefaultWrapUpSeconds;
        SetStatus(CallStatus.Offered);
        Emit(new TaskCreated(null, "outbound", start.To));
        await StartOfferAsync(start.AgentId, OfferKind.Outbound, reservation, Urgency.Normal);
        return View();
    }

    /// <summary>The agent answered their outbound call: now the customer is dialled into the same conference, by SID.</summary>
    private async Task DialCustomerAsync()
    {
        var leg = S.Legs.Add(Id, LegRole.Customer, null, S.OutboundTo!, Now);
        Emit(new OutboundDialing(S.OutboundTo));
        R.CallerCheckAt = Now.AddSeconds(CustomerRingSeconds) + CustomerCheckGrace;
        await ConferenceOperationAsync($"dial {S.OutboundTo}", add: new AddParticipant(
            LegRef(leg), S.OutboundTo!, leg.Label!, Muted: false, Coaching: false, null,
            StartConferenceOnEnter: true, EndConferenceOnExit: true, CustomerRingSeconds, Urgency.Normal, S.OutboundCallerId));
    }

    /// <summary>
    /// The customer's leg was dialled and has not answered: its final status (busy, no answer, failed) comes by one status
    /// callback, which Twilio does not send again if it is lost. Without a look-up the agent would sit in a call with
    /// nobody on the other end; so past its ring time the leg is looked up, and again every caller check until it ends.
    /// </summary>
    private bool CustomerStillDialling => S.Kind is CallKind.Outbound or CallKind.Callback && S.Legs.Customer is { Role: LegRole.Customer, IsLive: true, Answered: false };

    /// <summary>Busy, no answer, failed: the conference is ended and the agent is told why.</summary>
    private async Task OutboundFailedAsync(string reason)
    {
        Emit(new OutboundFailed(reason, S.OutboundTo));
        await EndConferenceNowAsync();
        foreach (var offer in S.Offers.Live.ToList())
        {
            await EndOfferAsync(offer, OfferOutcome.Withdrawn, reason);
        }
        foreach (var leg in S.Legs.All.Where(l => l.IsLive))
        {
            CallLegs.End(leg);
        }
        if (S.AgentId is { } agentId)
        {
            await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, 0);
        }
        await FinishAsync(CallStatus.Failed, reason, null);
    }
}
