using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;

namespace Acd.Grains.Calls;

/// <summary>Upgrades a call's state stored in the flat shape of earlier versions to the lifecycle's parts.</summary>
public static class StoredCallState
{
    /// <summary>Moves the flat fields into the parts and clears them; false when the state is already current (or empty).</summary>
    public static bool Upgrade(CallState s, DateTimeOffset now)
    {
        if (s.Shape >= CallState.CurrentShape || !s.Exists)
        {
            s.Shape = CallState.CurrentShape;
            return false;
        }
        s.Kind = s.StoredDirection == "outbound" ? CallKind.Outbound : CallKind.Inbound;
        s.Routing = new CallRouting
        {
            WorkflowId = s.StoredWorkflowId,
            Step = s.StoredStep,
            FilterName = s.StoredFilterName,
            QueueId = s.StoredQueueId,
            Priority = s.StoredPriority,
            Sequence = s.StoredSequence,
            StepDeadline = s.StoredStepDeadline,
            MaxWaitDeadline = s.StoredMaxWaitDeadline,
            Waiting = s.StoredWaiting,
            OverflowMessage = s.StoredOverflowMessage,
            DeclinedBy = s.StoredDeclinedBy ?? [],
            ReservationTimeoutSeconds = s.StoredReservationTimeoutSeconds,
            WrapUpSeconds = s.StoredWrapUpSeconds,
        };
        s.Figures = new CallFigures
        {
            CreatedAt = s.StoredCreatedAt,
            QueuedAt = s.StoredQueuedAt,
            FirstConnectedAt = s.StoredFirstConnectedAt,
            ConnectedAt = s.StoredConnectedAt,
            AgentSince = s.StoredAgentSince,
            HoldAtAgentSince = s.StoredHoldAtAgentSince,
            HoldStartedAt = s.StoredHoldStartedAt,
            HoldSeconds = s.StoredHoldSeconds,
            ConsultAnsweredAt = s.StoredConsultAnsweredAt,
            HoldAtConsultAnswered = s.StoredHoldAtConsultAnswered,
            TalkEndedAt = s.StoredTalkEndedAt,
            WaitSeconds = s.StoredWaitSeconds,
            EndedAt = s.StoredEndedAt,
            WrapUpSince = s.Status == CallStatus.WrapUp ? s.StatusSince : null,
        };
        s.Conference = new CallConference
        {
            Name = s.StoredConferenceName ?? "",
            Sid = s.StoredConferenceSid,
            SidAt = s.StoredConferenceSidAt,
            Seen = s.StoredConferenceSequences ?? [],
            Pending = s.StoredPending ?? [],
            PendingDeadline = s.StoredPendingDeadline,
        };
        s.Legs = new CallLegs { Counter = s.StoredLegCounter, All = [.. (s.StoredLegs ?? []).Select(Leg)] };
        s.Offers = new OfferBook { Count = s.StoredOffers };
        if (s.Status == CallStatus.Offered && s.StoredOfferedAgentId is { } offered
            && s.Legs.All.LastOrDefault(l => l.Role == LegRole.Agent && l.AgentId == offered) is { } ringing)
        {
            // The flat state ran the ring time from the request: the offer counts as sent then.
            s.Offers.Live.Add(new Offer
            {
                AgentId = offered,
                LegId = ringing.LegId,
                Kind = s.Kind == CallKind.Outbound ? OfferKind.Outbound : s.Figures.QueuedAt is null && s.Figures.ConnectedAt is not null ? OfferKind.Transfer : OfferKind.Queue,
                QueueId = s.Routing.QueueId,
                CreatedAt = s.StatusSince,
                SentAt = s.StatusSince,
                Deadline = s.StoredOfferDeadline ?? now,
                RingSeconds = s.Routing.ReservationTimeoutSeconds,
            });
        }
        if (s.ConsultAgentId is { } consult && s.Legs.LiveOf(consult, LegRole.Consult) is { Status: < LegStatus.InProgress } consulting)
        {
            s.Offers.Live.Add(new Offer
            {
                AgentId = consult,
                LegId = consulting.LegId,
                Kind = OfferKind.Consult,
                CreatedAt = now,
                SentAt = now,
                Deadline = now.AddSeconds(s.Routing.ReservationTimeoutSeconds),
                RingSeconds = s.Routing.ReservationTimeoutSeconds,
            });
        }
        Clear(s);
        s.Shape = CallState.CurrentShape;
        return true;
    }

    private static Leg Leg(CallLeg stored)
    {
        var role = stored.Role switch
        {
            "caller" => LegRole.Caller,
            "customer" => LegRole.Customer,
            "consult" => LegRole.Consult,
            "supervisor" => LegRole.Supervisor,
            _ => LegRole.Agent,
        };
        var status = stored.Status switch
        {
            "initiated" => LegStatus.Initiated,
            "ringing" => LegStatus.Ringing,
            "in-progress" or "answered" => LegStatus.InProgress,
            "completed" => LegStatus.Completed,
            "busy" => LegStatus.Busy,
            "no-answer" => LegStatus.NoAnswer,
            "failed" => LegStatus.Failed,
            "canceled" => LegStatus.Canceled,
            _ => LegStatus.Queued,
        };
        return new Leg
        {
            LegId = stored.LegId,
            Role = role,
            AgentId = stored.AgentId,
            CallSid = stored.CallSid,
            Status = status,
            LastSequence = stored.LastSequence,
            Muted = stored.Muted,
            Hold = stored.Hold,
            Coaching = stored.Coaching,
            FlagsToApply = stored.FlagsToApply,
            Answered = status is LegStatus.InProgress or LegStatus.Completed,
            // The labels the flat state's legs were created with.
            Label = role switch
            {
                LegRole.Caller or LegRole.Customer => "customer",
                LegRole.Supervisor => $"supervisor-{stored.AgentId}",
                _ => $"agent-{stored.AgentId}",
            },
        };
    }

    private static void Clear(CallState s)
    {
        s.StoredWorkflowId = null;
        s.StoredStep = null;
        s.StoredFilterName = null;
        s.StoredQueueId = null;
        s.StoredPriority = 0;
        s.StoredCreatedAt = default;
        s.StoredQueuedAt = null;
        s.StoredSequence = 0;
        s.StoredStepDeadline = null;
        s.StoredMaxWaitDeadline = null;
        s.StoredOfferedAgentId = null;
        s.StoredOfferDeadline = null;
        s.StoredConnectedAt = null;
        s.StoredEndedAt = null;
        s.StoredWaitSeconds = null;
        s.StoredConferenceName = null;
        s.StoredConferenceSid = null;
        s.StoredLegs = null;
        s.StoredReservationTimeoutSeconds = 0;
        s.StoredWrapUpSeconds = 0;
        s.StoredLegCounter = 0;
        s.StoredWaiting = null;
        s.StoredOverflowMessage = null;
        s.StoredTalkEndedAt = null;
        s.StoredOffers = 0;
        s.StoredDeclinedBy = null;
        s.StoredConferenceSequences = null;
        s.StoredConferenceSidAt = null;
        s.StoredDirection = null;
        s.StoredPending = null;
        s.StoredPendingDeadline = null;
        s.StoredHoldStartedAt = null;
        s.StoredHoldSeconds = 0;
        s.StoredFirstConnectedAt = null;
        s.StoredAgentSince = null;
        s.StoredHoldAtAgentSince = 0;
        s.StoredConsultAnsweredAt = null;
        s.StoredHoldAtConsultAnswered = 0;
    }
}
