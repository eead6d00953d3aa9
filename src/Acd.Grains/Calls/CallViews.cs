using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;

namespace Acd.Grains.Calls;

/// <summary>How a call looks from outside: its view, its line in the call list, and the snapshot its events carry.</summary>
public static class CallViews
{
    /// <summary>The agent the call is offered to now (a routed offer, a transfer straight to them, or their outbound leg).</summary>
    public static Offer? OfferedTo(CallState s) => s.Offers.Current(OfferKind.Queue, OfferKind.Transfer, OfferKind.Outbound);

    public static CallView View(string id, CallState s)
    {
        var offer = OfferedTo(s);
        return new CallView(
            id, s.Status, s.StatusSince, s.AttributesJson, s.Routing.WorkflowId, s.Routing.FilterName, s.Routing.QueueId, s.Routing.Priority,
            s.Figures.CreatedAt, s.Figures.QueuedAt, offer?.AgentId, offer?.RingsUntil, s.AgentId, s.Figures.ConnectedAt, s.Figures.EndedAt,
            s.EndReason, s.Figures.WaitSeconds, s.Message, s.Conference.Name, s.Conference.Sid,
            [.. s.Legs.All.Select(l => l.View())], [.. s.Routing.DeclinedBy], s.Kind, s.ConsultAgentId,
            [.. s.Conference.Pending.Select(p => p.Description)], s.Figures.OnHold, s.WrapUpCodes, s.WrapUpCode,
            [.. s.Offers.Live.Where(o => o.Kind is OfferKind.Queue or OfferKind.Transfer or OfferKind.Outbound).Select(o => o.AgentId)],
            s.Callback?.View(), s.Kind == CallKind.Inbound && s.Routing.CallerCanStepOut, s.Routing.CallerAwayUntil is not null, s.Voicemail?.View());
    }

    public static CallSummary Summary(string id, CallState s) => new(
        id, s.Status, s.StatusSince, s.Routing.QueueId, s.AgentId ?? OfferedTo(s)?.AgentId, s.Routing.Priority, s.Figures.CreatedAt,
        s.Conference.Sid, s.Version, s.Figures.OnHold, [.. s.Legs.Supervisors.Select(l => l.AgentId!)], s.Kind);

    /// <summary>
    /// The call as its events carry it. <paramref name="withSupervisors"/>: supervisors' legs are shown (to supervisors and
    /// in the event log) or left out (in agents' feeds: a silent monitor stays silent).
    /// </summary>
    public static object Snapshot(string id, CallState s, bool withSupervisors) => new
    {
        id,
        status = Word(s.Status),
        direction = s.Voicemail is { FromCallId: not null } ? "voicemail" : Word(s.Kind),
        queue_id = s.Routing.QueueId,
        agent_id = s.AgentId,
        offered_to = OfferedTo(s)?.AgentId,
        ringing = s.Offers.Ringing,
        consult_agent_id = s.ConsultAgentId,
        conference_name = s.Conference.Name,
        conference_sid = s.Conference.Sid,
        on_hold = s.Figures.OnHold,
        priority = s.Routing.Priority,
        created_at = s.Figures.CreatedAt,
        callback = s.Callback is { } callback ? new
        {
            number = callback.Number,
            source = callback.Source == CallbackSource.Caller ? "caller" : "api",
            requested_at = callback.RequestedAt,
            attempts = callback.Attempts,
            due_at = callback.DueAt,
        } : null,
        legs = s.Legs.All.Where(l => withSupervisors || l.Role != LegRole.Supervisor).Select(l => new
        {
            leg_id = l.LegId,
            role = Word(l.Role),
            agent_id = l.AgentId,
            call_sid = l.CallSid,
            status = Word(l.Status),
            muted = l.Muted,
            hold = l.Hold,
            coaching = l.Coaching,
        }),
    };

    /// <summary>Acd's words for a call status in its API and events (<c>wrap_up</c>, <c>in-progress</c>, …).</summary>
    public static string Word(CallStatus status) => status == CallStatus.WrapUp ? "wrap_up" : status.ToString().ToLowerInvariant();

    public static string Word(CallKind kind) => kind.ToString().ToLowerInvariant();

    public static string Word(LegRole role) => role.ToString().ToLowerInvariant();

    public static string Word(LegStatus status) => status switch
    {
        LegStatus.InProgress => "in-progress",
        LegStatus.NoAnswer => "no-answer",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static string Word(SupervisorAction action) => action.ToString().ToLowerInvariant();
}
