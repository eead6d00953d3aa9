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
        await state.WriteStateAsync();
        grains.GetGrain<ICallDirectoryGrain>(Workspace.RouterGrainKey.Default).UpdateAsync(Summary()).Ignore();
    }

    private DeadlineTimer OfferTimer => _offerTimer ??= new DeadlineTimer(this, time);

    private DeadlineTimer StepTimer => _stepTimer ??= new DeadlineTimer(this, time);

    private DeadlineTimer MaxWaitTimer => _maxWaitTimer ??= new DeadlineTimer(this, time);

    private void ArmTimers()
    {
        OfferTimer.Arm(S.Status == CallStatus.Offered ? S.OfferDeadline : null, due => OnDeadlineAsync(CallDeadline.Offer, due));
        StepTimer.Arm(S.Status == CallStatus.Queued ? S.StepDeadline : null, due => OnDeadlineAsync(CallDeadline.Step, due));
        MaxWaitTimer.Arm(S.Status == CallStatus.Queued ? S.MaxWaitDeadline : null, due => OnDeadlineAsync(CallDeadline.MaxWait, due));
    }

    private WorkflowPlan? Plan() => _workflow is { } workflow ? WorkflowPlans.Get(workflow) : null;

    private CallLeg? CurrentAgentLeg(string agentId) => S.Legs.LastOrDefault(l => l.Role == "agent" && l.AgentId == agentId);

    private ConferenceReference Conference() => new(Id, S.ConferenceName, S.ConferenceSid);

    private LegReference LegOf(CallLeg leg) => new(Id, leg.LegId, leg.CallSid, Conference(), Answered: leg.Status is "in-progress" or "completed");

    private CallSummary Summary() => new(
        Id, S.Status, S.StatusSince, S.QueueId, S.AgentId ?? S.OfferedAgentId, S.Priority, S.CreatedAt, S.ConferenceSid, S.Version);

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
        [.. S.DeclinedBy]);

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
