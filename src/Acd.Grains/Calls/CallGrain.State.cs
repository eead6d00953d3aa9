using Acd.Grains.Abstractions;
using Acd.Grains.Infrastructure;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Telephony;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>State plumbing: saving, timers, views, logging.</summary>
public sealed partial class CallGrain
{
    private void SetStatus(CallStatus status)
    {
        if (S.Status != status || S.StatusSince == default)
        {
            S.Status = status;
            S.StatusSince = Now;
        }
    }

    private async Task SaveAsync()
    {
        S.Version++;
        await state.PersistAsync(this);
        grains.GetGrain<ICallDirectoryGrain>(Workspace.RouterGrainKey.Default).UpdateAsync(Summary()).Ignore();
        await PublishEventsAsync();
    }

    /// <summary>Notes an event; it is published once the state it describes is written.</summary>
    private void Emit(string type, object? details = null, string? alsoTo = null, string? agentId = null) => _events.Add((type, details, alsoTo, agentId));

    private async Task PublishEventsAsync()
    {
        if (_events.Count == 0)
        {
            return;
        }
        var snapshot = EventSnapshot();
        var concerned = S.Legs.Where(l => l.AgentId is not null && !IsTerminal(l.Status)).Select(l => l.AgentId)
            .Append(S.AgentId).Append(S.OfferedAgentId).Append(S.ConsultAgentId).ToList();
        var events = _events.Select(e => (
            Events.EventPublisher.Create(Now, e.Type, Id, e.AgentId ?? S.AgentId ?? S.OfferedAgentId ?? e.AlsoTo, S.QueueId, new { call = snapshot, details = e.Details }),
            (IEnumerable<string?>)concerned.Append(e.AlsoTo))).ToList();
        _events.Clear();
        await Events.EventPublisher.PublishAsync(grains, eventLog, logger, events);
    }

    /// <summary>The customer was put on hold or taken off it: hold time is counted for handle-time statistics.</summary>
    private void NoteHold(bool hold)
    {
        if (hold)
        {
            S.HoldStartedAt ??= Now;
        }
        else if (S.HoldStartedAt is { } since)
        {
            S.HoldSeconds += (Now - since).TotalSeconds;
            S.HoldStartedAt = null;
        }
    }

    private object EventSnapshot() => new
    {
        id = Id,
        status = S.Status.ToString().ToLowerInvariant() is "wrapup" ? "wrap_up" : S.Status.ToString().ToLowerInvariant(),
        direction = S.Direction,
        queue_id = S.QueueId,
        agent_id = S.AgentId,
        offered_to = S.OfferedAgentId,
        consult_agent_id = S.ConsultAgentId,
        conference_name = S.ConferenceName,
        conference_sid = S.ConferenceSid,
        on_hold = CustomerHeld,
        priority = S.Priority,
        created_at = S.CreatedAt,
        legs = S.Legs.Select(l => new { leg_id = l.LegId, role = l.Role, agent_id = l.AgentId, call_sid = l.CallSid, status = l.Status, muted = l.Muted, hold = l.Hold, coaching = l.Coaching }),
    };

    /// <summary>The customer's leg: the caller of an inbound call, the person dialled by an outbound one.</summary>
    private CallLeg? CustomerLeg() => S.Legs.Find(l => l.Role is "caller" or "customer");

    private DeadlineTimer OfferTimer => _offerTimer ??= new DeadlineTimer(this, time);

    private DeadlineTimer StepTimer => _stepTimer ??= new DeadlineTimer(this, time);

    private DeadlineTimer MaxWaitTimer => _maxWaitTimer ??= new DeadlineTimer(this, time);

    private DeadlineTimer PendingTimer => _pendingTimer ??= new DeadlineTimer(this, time);

    private void ArmTimers()
    {
        OfferTimer.Arm(S.Status == CallStatus.Offered ? S.OfferDeadline : null, due => OnDeadlineAsync(CallDeadline.Offer, due));
        StepTimer.Arm(S.Status == CallStatus.Queued ? S.StepDeadline : null, due => OnDeadlineAsync(CallDeadline.Step, due));
        MaxWaitTimer.Arm(S.Status == CallStatus.Queued ? S.MaxWaitDeadline : null, due => OnDeadlineAsync(CallDeadline.MaxWait, due));
        PendingTimer.Arm(S.Pending.Count > 0 ? S.PendingDeadline : null, due => OnDeadlineAsync(CallDeadline.Conference, due));
    }

    private WorkflowPlan? Plan() => _workflow is { } workflow ? WorkflowPlans.Get(workflow) : null;

    private CallLeg? CurrentAgentLeg(string agentId) => S.Legs.LastOrDefault(l => l.Role == "agent" && l.AgentId == agentId);

    private ConferenceReference Conference() => new(Id, S.ConferenceName, S.ConferenceSid);

    private LegReference LegOf(CallLeg leg) => new(Id, leg.LegId, leg.CallSid, Conference(), Answered: leg.Status is "in-progress" or "completed", LabelOf(leg));

    /// <summary>The participant label a leg has in the conference (Twilio finds a participant by it, too).</summary>
    private static string LabelOf(CallLeg leg) => leg.Role switch
    {
        "caller" or "customer" => "customer",
        "supervisor" => $"supervisor-{leg.AgentId}",
        _ => $"agent-{leg.AgentId}",
    };

    private CallSummary Summary() => new(
        Id, S.Status, S.StatusSince, S.QueueId, S.AgentId ?? S.OfferedAgentId, S.Priority, S.CreatedAt, S.ConferenceSid, S.Version,
        CustomerHeld,
        [.. S.Legs.Where(l => l.Role == "supervisor" && !IsTerminal(l.Status)).Select(l => l.AgentId!)],
        S.Direction);

    private CallView View() => new(
        Id,
        S.Status,
        S.StatusSince,
        S.AttributesJson,
        S.WorkflowId,
        S.FilterName,
        S.QueueId,
        S.Priority,
        S.CreatedAt,
        S.QueuedAt,
        S.OfferedAgentId,
        S.OfferDeadline,
        S.AgentId,
        S.ConnectedAt,
        S.EndedAt,
        S.EndReason,
        S.WaitSeconds,
        S.Message,
        S.ConferenceName,
        S.ConferenceSid,
        [.. S.Legs.Select(l => l.View())],
        [.. S.DeclinedBy],
        S.Direction,
        S.ConsultAgentId,
        [.. S.Pending.Select(p => p.Description)],
        CustomerHeld);

    [LoggerMessage(LogLevel.Information, "Offer {CallId} to {AgentId} from {QueueId}")]
    private partial void LogOffered(string callId, string agentId, string? queueId);

    [LoggerMessage(LogLevel.Information, "Offer {CallId} to {AgentId} timed out")]
    private partial void LogOfferTimedOut(string callId, string? agentId);

    [LoggerMessage(LogLevel.Information, "Agent {AgentId} refused {CallId} ({Reason}): back in the queue")]
    private partial void LogReservationRefused(string callId, string agentId, string? reason);

    [LoggerMessage(LogLevel.Information, "Call {CallId} connected to {AgentId} after {WaitSeconds:F1}s")]
    private partial void LogConnected(string callId, string agentId, double waitSeconds);

    [LoggerMessage(LogLevel.Information, "Call {CallId} abandoned after {WaitSeconds:F1}s")]
    private partial void LogAbandoned(string callId, double waitSeconds);
}
