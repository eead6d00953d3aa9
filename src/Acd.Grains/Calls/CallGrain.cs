using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Acd.Grains.Infrastructure;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Telephony;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acd.Grains.Calls;

/// <summary>
/// A call's lifecycle, orchestrated: decisions live in the parts of its state (<see cref="CallLegs"/>,
/// <see cref="OfferBook"/>, <see cref="CallConference"/>, <see cref="CallFigures"/>, <see cref="CallRouting"/>); the grain
/// asks its queue to enqueue it, agents to reserve themselves, and telephony to ring, and turns the network's reports into
/// the parts' changes. The router and agents reach it only by one-way messages, so no cycle of waiting grains can form.
/// <para>
/// A step that spans grains writes the call's own truth first and tells the others after; if a step fails halfway the
/// activation is dropped (<see cref="ResetOnFailureAttribute"/>) and reloaded from what was stored, stored deadlines bring
/// the call back to the step, and agents verify the calls they hold (<see cref="VerifyAgentAsync"/>).
/// </para>
/// </summary>
[ResetOnFailure]
public sealed partial class CallGrain(
    [PersistentState("call", "acd")] IPersistentState<CallState> state,
    IGrainFactory grains,
    ITelephony telephony,
    IUnsettledCallStore unsettled,
    Events.IEventLog eventLog,
    TimeProvider time,
    IOptions<AcdOptions> options,
    Schedules.HolidayCalendar holidays,
    ILogger<CallGrain> logger) : Grain, ICallGrain
{
    /// <summary>How long a reloaded call's offer waits for the network's answer before it may time out.</summary>
    private static readonly TimeSpan ReconcileGrace = TimeSpan.FromSeconds(5);

    /// <summary>A call in wrap-up completes by itself this long after its wrap-up should have ended, should the agent never say so.</summary>
    private static readonly TimeSpan WrapUpGrace = TimeSpan.FromSeconds(30);

    private DeadlineTimer? _timer;
    private readonly List<(EventDetails Details, string? AlsoTo, string? AgentId)> _events = [];

    /// <summary>
    /// The call's workflow, loaded when the call starts or activates: an edited workflow applies to the steps a call
    /// has not taken yet; a deleted one leaves the call where it is.
    /// </summary>
    private WorkflowDefinition? _workflow;

    private CallState S => state.State;

    private CallRouting R => state.State.Routing;

    private CallFigures F => state.State.Figures;

    private string Id => this.GetPrimaryKeyString();

    private DateTimeOffset Now => time.GetUtcNow();

    private AcdOptions Settings => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StoredCallState.Upgrade(S, Now);
        if (R.WorkflowId is { } workflowId && !S.Status.IsFinal())
        {
            _workflow = await grains.GetGrain<IWorkflowGrain>(workflowId).GetAsync();
        }
        await ReconcileAsync();
        ArmTimer();
    }

    /// <summary>Nothing to do: being activated is the point (the deadline re-armed, legs reconciled).</summary>
    public Task WakeAsync() => Task.CompletedTask;

    public async Task<Outcome<CallView>> StartAsync(CallStart start)
    {
        if (S.Exists)
        {
            return View();
        }
        if (ReadAttributes(start.AttributesJson, out var attributes) is { } invalid)
        {
            return invalid;
        }
        var (workflow, unknown) = await FindWorkflowAsync(start.WorkflowId);
        if (unknown is not null)
        {
            return unknown;
        }

        // Nothing here is stored until routing has an answer: a failure on the way drops the activation, and a retried
        // webhook starts the call again rather than find a call that exists but nobody routes. It is listed as unsettled
        // first, so that whatever happens from here a restart finds it.
        await BeginAsync(CallKind.Inbound, start.AttributesJson, workflow, start.Priority);
        if (start.CallerCallSid is { } sid)
        {
            S.Legs.AddCaller(Id, sid);
        }
        SetStatus(CallStatus.Created);
        Emit(new TaskCreated(workflow?.Id));

        if (workflow is null)
        {
            await FinishAsync(CallStatus.Canceled, "no-workflow", Settings.NoRouteMessage);
            return View();
        }
        var plan = WorkflowPlans.Get(workflow);
        await RouteAsync(plan.First(attributes, Now, await LocalClockAsync(plan)), stayPut: false, giveUpReason: "no-matching-filter");
        return View();
    }

    /// <summary>The named workflow (a 404 naming it when there is none), or the workspace's first (null when it has none).</summary>
    private async Task<(WorkflowDefinition? Workflow, Problem? Unknown)> FindWorkflowAsync(string? named)
    {
        if (named is not null)
        {
            return await grains.GetGrain<IWorkflowGrain>(named).GetAsync() is { } found
                ? (found, null)
                : (null, Problem.NotFound($"No workflow '{named}'", "workflow"));
        }
        return (await grains.Workspace().GetWorkflowIdsAsync()) is [var first, ..]
            ? (await grains.GetGrain<IWorkflowGrain>(first).GetAsync(), null)
            : (null, null);
    }

    /// <summary>A new call's state: listed as unsettled first (whatever happens from here, a restart finds it), then its
    /// kind, attributes, workflow settings and a conference name of its own.</summary>
    private async Task BeginAsync(CallKind kind, string attributesJson, WorkflowDefinition? workflow, int priority)
    {
        await unsettled.AddAsync(Id);
        S.Exists = true;
        S.Shape = CallState.CurrentShape;
        S.Kind = kind;
        S.AttributesJson = attributesJson;
        F.CreatedAt = Now;
        R.WorkflowId = workflow?.Id;
        R.Priority = priority;
        R.ReservationTimeoutSeconds = workflow?.TaskReservationTimeout ?? Settings.DefaultReservationTimeoutSeconds;
        R.WrapUpSeconds = Settings.DefaultWrapUpSeconds;
        _workflow = workflow;
        S.Conference.Name = ConferenceNames.New(Id);
    }

    /// <summary>Reads a call's attributes, which must be a JSON object; what is wrong with them otherwise.</summary>
    private static Problem? ReadAttributes(string json, out JsonElement attributes)
    {
        try
        {
            attributes = Json.ParseElement(json);
        }
        catch (JsonException e)
        {
            attributes = default;
            return Problem.Invalid("attributes", $"Not valid JSON: {e.Message}");
        }
        return attributes.ValueKind == JsonValueKind.Object ? null : Problem.Invalid("attributes", "Must be a JSON object");
    }

    public Task<CallSummary?> GetSummaryAsync() => Task.FromResult(S.Exists ? CallViews.Summary(Id, S) : null);

    public async Task VerifyAgentAsync(string agentId, DateTimeOffset heldSince)
    {
        var standing = S.Offers.For(agentId) is not null ? AgentStanding.Offered
            : S.Status == CallStatus.Connected && (S.AgentId == agentId || (S.ConsultAgentId == agentId && S.Legs.LiveOf(agentId, LegRole.Consult) is { Answered: true }))
                ? AgentStanding.Connected
                : AgentStanding.None;
        await grains.GetGrain<IAgentGrain>(agentId).ConfirmAsync(Id, standing, heldSince);
    }

    /// <summary>The call's stored deadlines, one timer for the earliest: offers ringing out or never sent, the workflow
    /// step and the queue's maximum wait, operations waiting for the ConferenceSid, and wrap-up that never ended.</summary>
    private DateTimeOffset? NextDeadline()
    {
        if (!S.Exists)
        {
            return null;
        }
        DateTimeOffset? next = S.Teardown.CheckAt;
        void Consider(DateTimeOffset? at) => next = at is { } a && (next is null || a < next) ? a : next;
        if (S.Status.IsFinal())
        {
            return next;
        }
        Consider(S.Offers.NextDeadline);
        if (S.Status == CallStatus.Offered)
        {
            Consider(R.NextRingAt);
        }
        if (S.Status == CallStatus.Queued && R.CallerAwayUntil is { } away)
        {
            Consider(away);
        }
        else if (S.Status == CallStatus.Queued)
        {
            Consider(R.StepDeadline);
            Consider(R.MaxWaitDeadline);
            Consider(R.RecheckAt);
            Consider(R.CallerCheckAt);
        }
        if (S.Status == CallStatus.Scheduled)
        {
            Consider(S.Callback?.DueAt);
        }
        if (CustomerStillDialling)
        {
            Consider(R.CallerCheckAt);
        }
        if (S.Status == CallStatus.Connected)
        {
            Consider(R.TalkCheckAt);
        }
        if (S.Conference.Pending.Count > 0)
        {
            Consider(S.Conference.PendingDeadline);
        }
        if (S.Status == CallStatus.WrapUp && F.WrapUpSince is { } wrapping)
        {
            Consider(wrapping.AddSeconds(R.WrapUpSeconds) + WrapUpGrace);
        }
        return next;
    }

    private DeadlineTimer Timer => _timer ??= new DeadlineTimer(this, time);

    private void ArmTimer() => Timer.Arm(NextDeadline(), due => StepAsync(() => OnDeadlineAsync(due)));

    /// <summary>A stored deadline has come: each part whose time is up moves on.</summary>
    private async Task OnDeadlineAsync(DateTimeOffset due)
    {
        logger.LogDebug("Call {CallId}: deadline {Due:O} in {Status}", Id, due, S.Status);
        foreach (var (offer, outcome) in S.Offers.Due(Now))
        {
            if (offer.IsLive)
            {
                LogOfferEnded(Id, offer.AgentId, outcome == OfferOutcome.Missed ? "rang out" : "never rang");
                await OfferFailedAsync(offer, outcome, outcome == OfferOutcome.Missed ? "no-answer" : "not-sent");
            }
        }
        if (S.Status == CallStatus.Offered && R.NextRingAt <= Now)
        {
            await RingNextAsync();
        }
        if (S.Status == CallStatus.Queued && R.CallerAwayUntil <= Now)
        {
            // Still in the callback menu after half a minute: looked up (a hang-up there is an abandon), and again later.
            R.CallerAwayUntil = Now + MenuCheck;
            await CheckCallerAsync();
            await SaveAsync();
        }
        else if (S.Status == CallStatus.Scheduled && S.Callback?.DueAt <= Now)
        {
            await CallbackDueAsync();
        }
        else if (S.Status == CallStatus.Queued && R.CallerAwayUntil is not null)
        {
            // In the menu: the queue's deadlines wait until the caller is back.
        }
        else if (S.Status == CallStatus.Queued && R.MaxWaitDeadline <= Now)
        {
            await MoveOnAsync(overflow: true, inQueue: true, "max-wait");
        }
        else if (S.Status == CallStatus.Queued && (R.StepDeadline <= Now || R.RecheckAt <= Now))
        {
            await MoveOnAsync(overflow: false, inQueue: true, "no-route");
        }
        if ((S.Status == CallStatus.Queued && R.CallerAwayUntil is null || CustomerStillDialling) && R.CallerCheckAt <= Now)
        {
            await CheckCallerAsync();
        }
        if (S.Status == CallStatus.Connected && R.TalkCheckAt <= Now)
        {
            await CheckTalkAsync();
        }
        if (S.Conference.Pending.Count > 0 && S.Conference.PendingDeadline <= Now)
        {
            await GiveUpWaitingForConferenceAsync();
        }
        if (S.Status == CallStatus.WrapUp && F.WrapUpSince is { } wrapping && wrapping.AddSeconds(R.WrapUpSeconds) + WrapUpGrace <= Now)
        {
            logger.LogWarning("Call {CallId}: {AgentId} never said wrap-up ended; completing the call", Id, S.AgentId);
            await FinishAsync(CallStatus.Completed, S.EndReason, null);
        }
        if (S.Teardown.CheckAt <= Now)
        {
            await CheckTeardownAsync();
        }
        ArmTimer();
    }

    private void SetStatus(CallStatus status)
    {
        if (S.Status != status || S.StatusSince == default)
        {
            S.Status = status;
            S.StatusSince = Now;
            R.TalkCheckAt = status == CallStatus.Connected ? NextTalkCheck() : null;
        }
    }

    /// <summary>Writes the call, then tells the call list (one-way) and publishes the events the change made.</summary>
    private async Task SaveAsync()
    {
        S.Version++;
        await state.PersistAsync(this);
        grains.GetGrain<ICallDirectoryGrain>(RouterGrainKey.Default).UpdateAsync(CallViews.Summary(Id, S)).Ignore();
        ArmTimer();
        await PublishEventsAsync();
        Settled();
        if (S.Status.IsFinal() && S.Teardown.Done(S.Legs))
        {
            await UnlistAsync();
        }
    }

    /// <summary>Notes an event; it is published once the state it describes is written.</summary>
    private void Emit(EventDetails details, string? alsoTo = null, string? agentId = null) => _events.Add((details, alsoTo, agentId));

    private async Task PublishEventsAsync()
    {
        if (_events.Count == 0)
        {
            return;
        }
        var snapshot = CallViews.Snapshot(Id, S, withSupervisors: true);
        var forAgents = S.Legs.All.Any(l => l.Role == LegRole.Supervisor) ? CallViews.Snapshot(Id, S, withSupervisors: false) : snapshot;
        var concerned = S.Legs.All.Where(l => l.Role.IsAgentSide() && l.IsLive).Select(l => l.AgentId)
            .Concat(S.Offers.Live.Select(o => o.AgentId)).Append(S.AgentId).Append(S.ConsultAgentId).OfType<string>().ToList();
        var offered = S.Offers.Current(OfferKind.Queue, OfferKind.Transfer, OfferKind.Outbound)?.AgentId;
        var publications = _events.Select(e =>
        {
            var logged = EventTypes.Create(Now, e.Details, Id, e.AgentId ?? S.AgentId ?? offered ?? e.AlsoTo, R.QueueId, new Dictionary<string, object?> { ["call"] = snapshot });
            // A supervisor's doings reach only supervisors (and the supervisor concerned): a silent monitor stays silent.
            var agents = e.Details.SupervisorsOnly ? [e.AlsoTo] : concerned.Append(e.AlsoTo);
            var agentCopy = ReferenceEquals(forAgents, snapshot) || e.Details.SupervisorsOnly ? logged
                : logged with { DataJson = EventTypes.Serialize(e.Details, new Dictionary<string, object?> { ["call"] = forAgents }) };
            return new Events.Publication(logged, e.Details, [.. agents.OfType<string>()], agentCopy);
        }).ToList();
        _events.Clear();
        await Events.EventPublisher.PublishAsync(grains, eventLog, logger, publications);
    }

    private ConferenceReference Conference() => S.Conference.Reference(Id);

    private LegReference LegRef(Leg leg) => new(Id, leg.LegId, leg.CallSid, Conference(), leg.Label, leg.To, leg.RequestedAt, leg.Staged, leg.Answered);

    private CallView View() => CallViews.View(Id, S);

    private static double? Round(double? seconds) => seconds is { } x ? Math.Round(x, 3) : null;

    [LoggerMessage(LogLevel.Information, "Offer {CallId} to {AgentId} from {QueueId}")]
    private partial void LogOffered(string callId, string agentId, string? queueId);

    [LoggerMessage(LogLevel.Information, "Offer {CallId} to {AgentId} ended: {How}")]
    private partial void LogOfferEnded(string callId, string agentId, string how);

    [LoggerMessage(LogLevel.Information, "Agent {AgentId} refused {CallId} ({Reason}): back in the queue")]
    private partial void LogReservationRefused(string callId, string agentId, string? reason);

    [LoggerMessage(LogLevel.Information, "Call {CallId} connected to {AgentId} after {WaitSeconds:F1}s")]
    private partial void LogConnected(string callId, string agentId, double waitSeconds);

    [LoggerMessage(LogLevel.Information, "Call {CallId} abandoned after {WaitSeconds:F1}s")]
    private partial void LogAbandoned(string callId, double waitSeconds);
}
