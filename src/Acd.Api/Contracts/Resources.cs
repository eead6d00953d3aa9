using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Grains.Calls;

namespace Acd.Api.Contracts;

/// <summary>An agent activity (TaskRouter's Activity resource).</summary>
/// <param name="FriendlyName">The activity's name, its id.</param>
/// <param name="Available">Whether agents in it can be offered calls.</param>
public sealed record ActivityResource(string FriendlyName, bool Available)
{
    public static ActivityResource From(ActivityDefinition a) => new(a.Name, a.Available);
}

/// <summary>A queue (TaskRouter's TaskQueue), as sent and as returned.</summary>
/// <param name="Id">The queue id (from the URL when sent).</param>
/// <param name="FriendlyName">Display name.</param>
/// <param name="TargetWorkers">TaskRouter expression over agent attributes; <c>1==1</c> takes everyone.</param>
/// <param name="TaskOrder">FIFO (default) or LIFO within a priority.</param>
/// <param name="AgentSelection">longest_idle (default), order_by, fewest_calls, least_talk_time, round_robin, random; or a ring group: ring_all, ring_progressively.</param>
/// <param name="OrderBy">TaskRouter's order_by, e.g. <c>worker.skills.billing DESC</c>.</param>
/// <param name="MaxLength">Calls that may wait; 0 is no limit. A full queue sends callers to the workflow's next target.</param>
/// <param name="MaxWaitSeconds">Longest a caller waits here before overflowing; 0 is no limit.</param>
/// <param name="WrapUpSeconds">Wrap-up after each call answered from this queue.</param>
/// <param name="Closed">A closed queue takes no calls: they go to the next target or hear <c>closed_message</c>.</param>
/// <param name="OverflowMessage">Spoken when the queue is full or a caller waited the maximum and nothing else can take the call.</param>
/// <param name="ClosedMessage">Spoken when the queue is closed and nothing else can take the call; with a schedule, <c>{name}</c> and <c>{next}</c> are filled in.</param>
/// <param name="Schedule">A schedule of open hours: outside them new callers go to the next target or hear why it is closed and when it opens.</param>
/// <param name="AtClosing">When the schedule closes, the calls waiting: keep_serving (default) or play_message (they hear why and when it opens, and the call ends).</param>
/// <param name="WrapUpCodes">Disposition codes an agent chooses from when completing a call answered from this queue (at most 50); counted in the queue's statistics.</param>
/// <param name="MaxRing">A ring group's most agents rung for one call (1–50, default 10).</param>
/// <param name="RingStepSeconds">ring_progressively: seconds between one more agent and the next (1–300, default 5).</param>
/// <param name="AcceptWithKey">A ring group's agent hears the queue's name and presses 1 to take the call.</param>
/// <param name="Whisper">A ring group's agent hears the queue's name before being put through.</param>
/// <param name="MaxReservedWorkers">TaskRouter's multi-reservation: agents offered one call at once, in the queue's selection order (1–50, default 1).</param>
/// <param name="AnnounceEverySeconds">Tell waiting callers their estimated wait as they start waiting and then at most this often (30–3600; 0, the default: never).</param>
/// <param name="CallbackAfterSeconds">Offer waiting callers a callback that keeps their place once they have waited this long (0–86400; absent: not on time).</param>
/// <param name="CallbackWhenWaitExceedsSeconds">Offer it while a caller's estimated wait exceeds this (0–86400; absent: not on the estimate).</param>
/// <param name="CallbackAttempts">How often a callback's customer is dialled before it fails (1–10, default 3).</param>
/// <param name="CallbackRetrySeconds">Seconds between one attempt and the next (30–86400, default 300).</param>
/// <param name="VoicemailWhen">When callers may leave a voicemail: any of "closed" (turned away because the queue is closed), "full" (turned away because it is full), "menu" (a waiting caller presses * and 3).</param>
/// <param name="VoicemailMaxLength">The longest voicemail in seconds (5–600, default 120).</param>
public sealed record QueueResource(
    string? Id,
    string? FriendlyName,
    string? TargetWorkers,
    string? TaskOrder,
    AgentSelection? AgentSelection,
    string? OrderBy,
    int? MaxLength,
    int? MaxWaitSeconds,
    int? WrapUpSeconds,
    bool? Closed,
    string? OverflowMessage,
    string? ClosedMessage,
    string? Schedule = null,
    AtClosing? AtClosing = null,
    IReadOnlyList<string>? WrapUpCodes = null,
    int? MaxRing = null,
    int? RingStepSeconds = null,
    bool? AcceptWithKey = null,
    bool? Whisper = null,
    int? MaxReservedWorkers = null,
    int? AnnounceEverySeconds = null,
    int? CallbackAfterSeconds = null,
    int? CallbackWhenWaitExceedsSeconds = null,
    int? CallbackAttempts = null,
    int? CallbackRetrySeconds = null,
    IReadOnlyList<string>? VoicemailWhen = null,
    int? VoicemailMaxLength = null)
{
    public static QueueResource From(QueueDefinition q) => new(
        q.Id, q.FriendlyName, q.TargetWorkers, q.TaskOrder, q.Selection, q.OrderBy, q.MaxLength, q.MaxWaitSeconds,
        q.WrapUpSeconds, q.Closed, q.OverflowMessage, q.ClosedMessage, q.ScheduleId, q.AtClosing, q.WrapUpCodes ?? [],
        q.MaxRing, q.RingStepSeconds, q.AcceptWithKey, q.Whisper, q.MaxReservedWorkers, q.AnnounceEverySeconds,
        q.CallbackAfterSeconds, q.CallbackWhenWaitExceedsSeconds, q.CallbackAttempts, q.CallbackRetrySeconds, q.VoicemailWhen ?? [], q.VoicemailMaxLength);

    public QueueDefinition ToDefinition(string id)
    {
        var selection = AgentSelection ?? (string.IsNullOrWhiteSpace(OrderBy) ? Grains.Abstractions.AgentSelection.LongestIdle : Grains.Abstractions.AgentSelection.OrderBy);
        return new QueueDefinition(
            id,
            string.IsNullOrWhiteSpace(FriendlyName) ? id : FriendlyName,
            string.IsNullOrWhiteSpace(TargetWorkers) ? "1==1" : TargetWorkers,
            string.IsNullOrWhiteSpace(TaskOrder) ? "FIFO" : TaskOrder.ToUpperInvariant(),
            selection,
            string.IsNullOrWhiteSpace(OrderBy) ? null : OrderBy,
            MaxLength ?? 0,
            MaxWaitSeconds ?? 0,
            WrapUpSeconds,
            Closed ?? false,
            OverflowMessage,
            ClosedMessage,
            string.IsNullOrWhiteSpace(Schedule) ? null : Schedule,
            AtClosing ?? Grains.Abstractions.AtClosing.KeepServing,
            WrapUpCodes is { Count: > 0 } codes ? [.. codes] : null,
            MaxRing ?? QueueDefinition.DefaultMaxRing,
            RingStepSeconds ?? QueueDefinition.DefaultRingStepSeconds,
            AcceptWithKey ?? false,
            Whisper ?? false,
            MaxReservedWorkers ?? 1,
            AnnounceEverySeconds ?? 0,
            CallbackAfterSeconds,
            CallbackWhenWaitExceedsSeconds,
            CallbackAttempts ?? QueueDefinition.DefaultCallbackAttempts,
            CallbackRetrySeconds ?? QueueDefinition.DefaultCallbackRetrySeconds,
            VoicemailWhen is { Count: > 0 } when ? [.. when.Distinct(StringComparer.Ordinal)] : null,
            VoicemailMaxLength ?? QueueDefinition.DefaultVoicemailMaxLength);
    }
}

/// <summary>A workflow (TaskRouter's Workflow resource).</summary>
/// <param name="Id">The workflow id (from the URL when sent).</param>
/// <param name="FriendlyName">Display name.</param>
/// <param name="TaskReservationTimeout">Seconds an offer rings before it goes to someone else (default 30).</param>
/// <param name="Configuration">TaskRouter's configuration: <c>{"task_routing":{"filters":[…],"default_filter":{…}}}</c>, as an object or a JSON string.</param>
public sealed record WorkflowResource(string? Id, string? FriendlyName, int? TaskReservationTimeout, JsonElement? Configuration)
{
    public static WorkflowResource From(WorkflowDefinition w) =>
        new(w.Id, w.FriendlyName, w.TaskReservationTimeout, Acd.Grains.Json.ParseElement(w.Configuration));
}

/// <summary>An agent (TaskRouter's Worker) as sent: the contact URI is the <c>contact_uri</c> attribute, as in Flex.</summary>
/// <param name="FriendlyName">Display name.</param>
/// <param name="Attributes">Skills, languages, <c>contact_uri</c> and anything routing expressions read; an object or a JSON string.</param>
/// <param name="Activity">Activity to put the agent in (a new agent starts Offline otherwise).</param>
/// <param name="Capacity">Calls at once (voice: 1).</param>
public sealed record AgentRequest(string? FriendlyName, JsonElement? Attributes, string? Activity, int? Capacity);

/// <summary>An agent as returned.</summary>
public sealed record AgentResource(
    string Id,
    string FriendlyName,
    JsonElement Attributes,
    string? ContactUri,
    string Activity,
    DateTimeOffset ActivitySince,
    bool Available,
    int Capacity,
    IReadOnlyList<string> Offers,
    IReadOnlyList<string> Calls,
    DateTimeOffset? LastCallEndedAt,
    int ConsecutiveMissedOffers,
    int CallsToday,
    double TalkSecondsToday,
    DateTimeOffset? WrapUpEndsAt,
    string? WrapUpCallId)
{
    public static AgentResource From(AgentView a) => new(
        a.Id, a.FriendlyName, Acd.Grains.Json.ParseElement(a.AttributesJson), a.ContactUri, a.Activity, a.ActivitySince,
        a.Available, a.Capacity, a.Offers, a.Calls, a.LastCallEndedAt, a.ConsecutiveMissedOffers, a.CallsToday,
        Math.Round(a.TalkSecondsToday, 3), a.WrapUpEndsAt, a.WrapUpCallId);
}

/// <summary>A change of activity.</summary>
/// <param name="Activity">The activity's friendly name: Available, Break, Offline or a configured one.</param>
public sealed record ActivityChange(string? Activity);

/// <summary>A call to route (what the voice webhook does for a real call).</summary>
/// <param name="Id">Optional id; one is made when absent.</param>
/// <param name="Attributes">Task attributes the workflow's filters read (From, To, digits, language, …).</param>
/// <param name="Workflow">Workflow id; the workspace's first workflow when absent.</param>
/// <param name="Priority">Initial priority (targets may override it).</param>
public sealed record CreateCallRequest(string? Id, JsonElement? Attributes, string? Workflow, int? Priority);

/// <summary>A callback as a client sees it (on its call resource).</summary>
/// <param name="Number">Whom Acd calls back.</param>
/// <param name="RequestedAt">When it was asked for (by the caller in the menu, or through the API).</param>
/// <param name="Source">caller or api.</param>
/// <param name="Attempts">Times the customer has been dialled.</param>
/// <param name="MaxAttempts">Times they will be dialled at most (the queue's callback_attempts).</param>
/// <param name="DueAt">When it next enters its queue (a scheduled callback, or the next attempt); null while it waits there.</param>
/// <param name="ConnectedAt">When the customer answered.</param>
/// <param name="LastFailure">Why the last attempt did not reach them (busy, no_answer, failed, agent-hangup).</param>
public sealed record CallbackResource(
    string Number, DateTimeOffset RequestedAt, string Source, int Attempts, int MaxAttempts, DateTimeOffset? DueAt, DateTimeOffset? ConnectedAt, string? LastFailure);

/// <summary>A callback asked for through the API (a web form's "call me", or one at a time).</summary>
/// <param name="Id">The call's id (generated when absent).</param>
/// <param name="To">The number to call back, E.164 (+819012345678).</param>
/// <param name="Workflow">The workflow that routes it (the workspace's first when absent).</param>
/// <param name="Attributes">The call's attributes for routing, as a caller's would be.</param>
/// <param name="Priority">Its priority in the queue (default 0; a scheduled callback enters with it at its time).</param>
/// <param name="At">When to call back (absent or past: now); at most 30 days ahead.</param>
/// <param name="CallerId">The number the customer sees (Twilio:CallerId when absent).</param>
public sealed record CreateCallbackRequest(string? Id, string? To, string? Workflow, JsonElement? Attributes, int? Priority, DateTimeOffset? At, string? CallerId);

/// <summary>An agent acting on an offer.</summary>
/// <param name="AgentId">The agent the call is offered to.</param>
public sealed record OfferResponse(string? AgentId);

/// <summary>Wrap-up done.</summary>
/// <param name="WrapUpCode">The disposition: one of the call's <c>wrap_up_codes</c> (its queue's), or none.</param>
/// <param name="AgentId">The agent completing it (the token's own when absent), as the other call actions take it.</param>
public sealed record CompleteRequest(string? WrapUpCode, string? AgentId = null);

/// <summary>A leg in the call's conference.</summary>
public sealed record LegResource(string LegId, string Role, string? AgentId, string? CallSid, string Status, bool Muted, bool Hold, bool Coaching);

/// <summary>A call as returned.</summary>
public sealed record CallResource(
    string Id,
    CallStatus Status,
    DateTimeOffset StatusSince,
    double SecondsInStatus,
    JsonElement Attributes,
    string? Workflow,
    string? Filter,
    string? QueueId,
    int Priority,
    DateTimeOffset CreatedAt,
    double AgeSeconds,
    DateTimeOffset? QueuedAt,
    string? OfferedTo,
    DateTimeOffset? OfferExpiresAt,
    string? AgentId,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset? EndedAt,
    string? EndReason,
    double? WaitSeconds,
    string? Message,
    string ConferenceName,
    string? ConferenceSid,
    IReadOnlyList<LegResource> Legs,
    IReadOnlyList<string> DeclinedBy,
    string Direction,
    string? ConsultAgentId,
    bool OnHold,
    IReadOnlyList<string> Monitors,
    IReadOnlyList<string> PendingOperations,
    IReadOnlyList<string> WrapUpCodes,
    string? WrapUpCode,
    IReadOnlyList<string> Ringing,
    double? EstimatedWaitSeconds = null,
    CallbackResource? Callback = null,
    bool CallbackOffered = false,
    bool CallerInMenu = false,
    VoicemailView? Voicemail = null)
{
    /// <summary>
    /// The call as a client sees it. <paramref name="supervisor"/>: a supervisor (or admin) sees supervisors' legs and who
    /// monitors; an agent does not (a silent monitor stays silent).
    /// </summary>
    public static CallResource From(CallView c, DateTimeOffset now, bool supervisor = true)
    {
        var legs = c.Legs.Where(l => supervisor || l.Role != LegRole.Supervisor).ToList();
        return new(
            c.Id, c.Status, c.StatusSince, Seconds(now - c.StatusSince), Acd.Grains.Json.ParseElement(c.AttributesJson), c.WorkflowId,
            c.FilterName, c.QueueId, c.Priority, c.CreatedAt, Seconds((c.EndedAt ?? now) - c.CreatedAt), c.QueuedAt,
            c.OfferedAgentId, c.OfferExpiresAt, c.AgentId, c.ConnectedAt, c.EndedAt, c.EndReason,
            c.WaitSeconds is { } w ? Math.Round(w, 3) : null, c.Message, c.ConferenceName, c.ConferenceSid,
            [.. legs.Select(l => new LegResource(l.LegId, CallViews.Word(l.Role), l.AgentId, l.CallSid, CallViews.Word(l.Status), l.Muted, l.Hold, l.Coaching))],
            c.DeclinedBy,
            c.Voicemail is { FromCallId: not null } ? "voicemail" : CallViews.Word(c.Kind),
            c.ConsultAgentId,
            c.OnHold,
            [.. legs.Where(l => l.Role == LegRole.Supervisor && !l.Status.IsFinal()).Select(l => l.AgentId!)],
            c.PendingOperations ?? [],
            c.WrapUpCodes ?? [],
            c.WrapUpCode,
            c.OfferedToAll ?? [],
            null,
            c.Callback is { } b ? new CallbackResource(b.Number, b.RequestedAt, b.Source, b.Attempts, b.MaxAttempts, b.DueAt, b.ConnectedAt, b.LastFailure) : null,
            c.CallbackOffered,
            c.CallerInMenu,
            c.Voicemail);
    }

    private static double Seconds(TimeSpan span) => Math.Round(Math.Max(0, span.TotalSeconds), 3);
}

/// <summary>A line of the call list.</summary>
public sealed record CallSummaryResource(
    string Id, CallStatus Status, DateTimeOffset StatusSince, double SecondsInStatus, string? QueueId, string? AgentId,
    int Priority, DateTimeOffset CreatedAt, double AgeSeconds, string? ConferenceSid, bool OnHold, IReadOnlyList<string> Monitors, string Direction)
{
    public static CallSummaryResource From(CallSummary c, DateTimeOffset now) => new(
        c.Id, c.Status, c.StatusSince, Math.Round(Math.Max(0, (now - c.StatusSince).TotalSeconds), 3), c.QueueId, c.AgentId,
        c.Priority, c.CreatedAt, Math.Round(Math.Max(0, (now - c.CreatedAt).TotalSeconds), 3), c.ConferenceSid, c.OnHold, c.Monitors ?? [], CallViews.Word(c.Kind));
}

/// <summary>Agents in one activity among a queue's eligible agents (TaskRouter's activity_statistics).</summary>
public sealed record ActivityStatistic(string FriendlyName, int Workers);

/// <summary>A queue's realtime statistics, with TaskRouter's names where it has them.</summary>
/// <param name="QueueId">The queue.</param>
/// <param name="CallsWaiting">Calls waiting in the queue now.</param>
/// <param name="LongestTaskWaitingAge">Seconds the oldest waiting call has waited (its age, kept across requeues).</param>
/// <param name="ActivityStatistics">Eligible agents by activity.</param>
/// <param name="TotalEligibleWorkers">Agents matching the queue's target_workers.</param>
/// <param name="TotalAvailableWorkers">Eligible agents free to take a call now.</param>
/// <param name="WaitingCallIds">Waiting calls in the order they will be served.</param>
/// <param name="TelephonyBacklog">Twilio requests waiting for the account's calls-per-second pace (design rule 8); null without Twilio.</param>
/// <param name="EstimatedWaitSeconds">The estimated wait of a caller arriving now (README, "Estimated wait"); null with nobody at work.</param>
/// <param name="HandleSeconds">The queue's recent handle time the estimate uses.</param>
/// <param name="AgentsAtWork">Eligible agents at work, each counted as its share among the queues it serves.</param>
public sealed record QueueStatsResource(
    string QueueId,
    int CallsWaiting,
    double LongestTaskWaitingAge,
    IReadOnlyList<ActivityStatistic> ActivityStatistics,
    int TotalEligibleWorkers,
    int TotalAvailableWorkers,
    IReadOnlyList<string> WaitingCallIds,
    Acd.Api.Twilio.TelephonyBacklog? TelephonyBacklog,
    double? EstimatedWaitSeconds = null,
    double HandleSeconds = 0,
    double AgentsAtWork = 0)
{
    public static QueueStatsResource From(QueueRealtime r, Acd.Api.Twilio.TelephonyBacklog? backlog) => new(
        r.QueueId, r.Waiting, Math.Round(r.LongestWaitingSeconds, 3),
        [.. r.AgentsByActivity.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new ActivityStatistic(a.Key, a.Value))],
        r.EligibleAgents, r.AvailableAgents, r.WaitingCallIds, backlog, r.EstimatedWaitSeconds, r.HandleSeconds, r.AgentsAtWork);
}

/// <summary>An agent's outbound call.</summary>
/// <param name="To">The number (E.164), SIP address or client to call.</param>
/// <param name="CallerId">Caller ID shown to the called party; Twilio:CallerId when absent.</param>
/// <param name="Attributes">Attributes to keep with the call.</param>
public sealed record OutboundRequest(string? To, string? CallerId, System.Text.Json.JsonElement? Attributes);

/// <summary>An event as clients receive it (server-sent events and the event log).</summary>
public sealed record EventResource(long Sequence, string Type, DateTimeOffset Time, string? CallId, string? AgentId, string? QueueId, System.Text.Json.JsonElement Data)
{
    public static EventResource From(AcdEvent e) => new(e.Sequence, e.Type, e.Time, e.CallId, e.AgentId, e.QueueId, Acd.Grains.Json.ParseElement(e.DataJson));
}
