using System.Text.Json;
using Acd.Grains.Abstractions;
using Acd.Grains.Infrastructure;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Telephony;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acd.Grains.Calls;

/// <summary>
/// A call's lifecycle. It orchestrates: it asks its queue to enqueue it, the agent to reserve itself, and
/// telephony to ring; the router and agents reach it only by one-way messages, so no cycle of waiting grains
/// can form. One offer at a time is held in <see cref="CallState.OfferedAgentId"/>, so a call is never offered
/// to two agents at once.
/// </summary>
public sealed partial class CallGrain(
    [PersistentState("call", "acd")] IPersistentState<CallState> state,
    IGrainFactory grains,
    ITelephony telephony,
    Events.IEventLog eventLog,
    TimeProvider time,
    IOptions<AcdOptions> options,
    ILogger<CallGrain> logger) : Grain, ICallGrain
{
    private DeadlineTimer? _offerTimer;
    private DeadlineTimer? _stepTimer;
    private DeadlineTimer? _maxWaitTimer;
    private DeadlineTimer? _pendingTimer;
    private readonly List<(string Type, object? Details, string? AlsoTo, string? AgentId)> _events = [];

    /// <summary>
    /// The call's workflow, loaded when the call starts or activates: an edited workflow applies to the steps a call
    /// has not taken yet; a deleted one leaves the call where it is.
    /// </summary>
    private WorkflowDefinition? _workflow;

    private CallState S => state.State;

    private string Id => this.GetPrimaryKeyString();

    private DateTimeOffset Now => time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.WorkflowId is { } workflowId && !S.Status.IsFinal())
        {
            _workflow = await grains.GetGrain<IWorkflowGrain>(workflowId).GetAsync();
        }
        Reconcile();
        ArmTimers();
    }

    /// <summary>
    /// The call was loaded from storage (a restart, a lost silo, or a long idle wait): what the network reported
    /// meanwhile may be lost, so the live legs and the conference are looked up again. An offer whose deadline passed
    /// while Acd was down waits a moment for that answer before it counts as missed: the agent may have answered.
    /// </summary>
    private void Reconcile()
    {
        if (!S.Exists || S.Status.IsFinal())
        {
            return;
        }
        // Legs Twilio may have created without Acd hearing of it (the response and the callbacks lost in the crash)
        // are looked up by their participant label.
        var live = S.Legs.Where(l => !IsTerminal(l.Status) && (l.CallSid is not null || l.Role != "caller")).Select(LegOf).ToList();
        var conferenceUnknown = S.ConferenceSid is null && S.Legs.Any(l => l.Role == "caller" && !IsTerminal(l.Status));
        if (live.Count == 0 && !conferenceUnknown)
        {
            return;
        }
        logger.LogInformation("Call {CallId} reloaded in {Status}: reconciling {Legs} live legs with the network", Id, S.Status, live.Count);
        if (S.Status == CallStatus.Offered && S.OfferDeadline is { } due && due < Now + ReconcileGrace)
        {
            S.OfferDeadline = Now + ReconcileGrace;
        }
        telephony.ReconcileAsync(new Reconciliation(Conference(), live)).Ignore();
    }

    /// <summary>How long a reloaded offer waits for the network's answer before it may time out.</summary>
    private static readonly TimeSpan ReconcileGrace = TimeSpan.FromSeconds(5);

    /// <summary>Nothing to do: being activated is the point (timers re-armed, legs reconciled).</summary>
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

        WorkflowDefinition? workflow = null;
        if (start.WorkflowId is { } named)
        {
            workflow = await grains.GetGrain<IWorkflowGrain>(named).GetAsync();
            if (workflow is null)
            {
                return Problem.NotFound($"No workflow '{named}'", "workflow");
            }
        }
        else if ((await grains.Workspace().GetWorkflowIdsAsync()) is [var first, ..])
        {
            workflow = await grains.GetGrain<IWorkflowGrain>(first).GetAsync();
        }

        S.Exists = true;
        S.CreatedAt = Now;
        S.AttributesJson = start.AttributesJson;
        S.WorkflowId = workflow?.Id;
        _workflow = workflow;
        S.Priority = start.Priority;
        S.ConferenceName = $"acd-{Id}-{Guid.NewGuid().ToString("N")[..8]}";
        S.ReservationTimeoutSeconds = workflow?.TaskReservationTimeout ?? options.Value.DefaultReservationTimeoutSeconds;
        S.WrapUpSeconds = options.Value.DefaultWrapUpSeconds;
        if (start.CallerCallSid is { } sid)
        {
            S.Legs.Add(new CallLeg { LegId = $"{Id}-caller", Role = "caller", CallSid = sid, Status = "in-progress" });
        }
        SetStatus(CallStatus.Created);
        Emit("task.created", new { workflow = workflow?.Id });

        if (workflow is null)
        {
            await FinishAsync(CallStatus.Canceled, "no-workflow", options.Value.NoRouteMessage);
            return View();
        }
        var firstStep = WorkflowPlans.Get(workflow).First(attributes, Now);
        await RouteAsync(firstStep, stayIn: null, giveUpReason: "no-matching-filter");
        return View();
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

    public Task<CallView?> GetAsync() => Task.FromResult(S.Exists ? View() : null);

    public async Task OfferMatchedAsync(string agentId, string queueId) => await OfferAsync(agentId, queueId, waitingInQueue: true);

    public async Task<Outcome<CallView>> AcceptAsync(string agentId)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status == CallStatus.Connected && S.AgentId == agentId)
        {
            return View();
        }
        if (S.Status != CallStatus.Offered || S.OfferedAgentId != agentId)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status} and not offered to '{agentId}'");
        }
        if (CurrentAgentLeg(agentId) is { CallSid: not null })
        {
            return Problem.Conflict($"The offer of '{Id}' rings {agentId}'s phone: it connects when they answer it");
        }
        await ConnectAsync(agentId);
        return View();
    }

    /// <summary>The offered agent answered: the call is connected.</summary>
    private async Task ConnectAsync(string agentId)
    {
        OfferTimer.Cancel();
        S.OfferDeadline = null;
        S.OfferedAgentId = null;
        S.AgentId = agentId;
        // The caller's wait: from calling in for the first answer; from entering a queue again after a cold transfer
        // to it. A transfer straight to an agent is the same answered call going on, not another answer.
        double? wait = S.ConnectedAt is null ? (Now - S.CreatedAt).TotalSeconds : S.QueuedAt is { } queued ? (Now - queued).TotalSeconds : null;
        S.WaitSeconds ??= wait;
        S.ConnectedAt = Now;
        S.FirstConnectedAt ??= Now;
        StartAgentPart(Now, HoldSoFar());
        if (CurrentAgentLeg(agentId) is { } leg && Rank(leg.Status) < Rank("in-progress"))
        {
            leg.Status = "in-progress";
        }
        StepTimer.Cancel();
        MaxWaitTimer.Cancel();
        S.StepDeadline = null;
        S.MaxWaitDeadline = null;
        SetStatus(CallStatus.Connected);
        Emit("reservation.accepted", new { agent_id = agentId, wait_seconds = wait is { } w ? Math.Round(w, 3) : (double?)null });
        await SaveAsync();
        await grains.GetGrain<IAgentGrain>(agentId).CallConnectedAsync(Id);
        LogConnected(Id, agentId, wait ?? 0);
        if (S.Direction == "outbound")
        {
            await DialCustomerAsync();
        }
        else if (CustomerHeld && CustomerLeg() is { CallSid: { } customer })
        {
            // Back from a transfer: the customer was holding until this agent answered.
            await HoldCustomerAsync(customer, false);
            await SaveAsync();
        }
    }

    public async Task<Outcome<CallView>> RejectAsync(string agentId)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status != CallStatus.Offered || S.OfferedAgentId != agentId)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status} and not offered to '{agentId}'");
        }
        await OfferFailedAsync(OfferEnd.Rejected, "rejected");
        return View();
    }

    public async Task WithdrawOfferAsync(string agentId)
    {
        if (S.Status == CallStatus.Offered && S.OfferedAgentId == agentId)
        {
            await OfferFailedAsync(OfferEnd.Withdrawn, "canceled");
        }
    }

    public async Task<Outcome<CallView>> CallerHungUpAsync()
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        switch (S.Status)
        {
            case CallStatus.Created or CallStatus.Queued or CallStatus.Offered:
                await StopRoutingAsync();
                S.WaitSeconds = S.ConnectedAt is null ? (Now - S.CreatedAt).TotalSeconds : (Now - (S.QueuedAt ?? Now)).TotalSeconds;
                await FinishAsync(CallStatus.Abandoned, "caller-hangup", null);
                LogAbandoned(Id, S.WaitSeconds ?? 0);
                break;
            case CallStatus.Connected:
                // The caller's leg carries endConferenceOnExit: the conference ends by itself.
                await EndTalkAsync("caller-hangup");
                break;
        }
        return View();
    }

    public async Task<Outcome<CallView>> HangUpAsync()
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        switch (S.Status)
        {
            case CallStatus.Created or CallStatus.Queued or CallStatus.Offered:
                await StopRoutingAsync();
                await telephony.EndConferenceAsync(Conference());
                await FinishAsync(CallStatus.Canceled, "canceled", null);
                break;
            case CallStatus.Connected:
                // Design rule 2: Acd ends the conference so the caller is never left alone on a silent line;
                // asked for before the ConferenceSid is known, it waits for it (rule 3).
                await DropConsultAsync(OfferEnd.Withdrawn);
                await ConferenceOperationAsync("end conference", endConference: true);
                await EndTalkAsync("agent-hangup");
                break;
        }
        return View();
    }

    public async Task<Outcome<CallView>> CompleteAsync()
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status == CallStatus.Completed)
        {
            return View();
        }
        if (S.Status != CallStatus.WrapUp)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status}, not in wrap-up");
        }
        if (S.AgentId is { } agentId)
        {
            await grains.GetGrain<IAgentGrain>(agentId).CompleteWrapUpAsync();
        }
        await FinishAsync(CallStatus.Completed, S.EndReason, null);
        return View();
    }

    public async Task WrapUpEndedAsync(string agentId, DateTimeOffset endedAt)
    {
        if (S.WrappingAfterTransfer.Remove(agentId, out var left))
        {
            // An agent who transferred the call away has finished wrapping it up: their part is complete.
            Emit("reservation.completed", new { agent_id = agentId, reason = "transferred", wrap_up_seconds = Round(Math.Max(0, (endedAt - left).TotalSeconds)) }, agentId: agentId);
            await SaveAsync();
        }
        if (S.Status == CallStatus.WrapUp && S.AgentId == agentId)
        {
            await FinishAsync(CallStatus.Completed, S.EndReason, null);
        }
    }

    public async Task OnDeadlineAsync(CallDeadline kind, DateTimeOffset due)
    {
        if (Now < due)
        {
            return;
        }
        logger.LogInformation("Call {CallId}: {Deadline} deadline {Due:O} reached in {Status}", Id, kind, due, S.Status);
        switch (kind)
        {
            case CallDeadline.Offer when S.Status == CallStatus.Offered && S.OfferDeadline == due && S.Direction == "outbound":
                await StopRoutingAsync();
                await OutboundFailedAsync("agent-no-answer");
                break;
            case CallDeadline.Offer when S.Status == CallStatus.Offered && S.OfferDeadline == due:
                LogOfferTimedOut(Id, S.OfferedAgentId);
                await OfferFailedAsync(OfferEnd.Missed, "no-answer");
                break;
            case CallDeadline.Step when S.Status == CallStatus.Queued && S.StepDeadline == due:
                await MoveOnAsync(overflow: false);
                break;
            case CallDeadline.MaxWait when S.Status == CallStatus.Queued && S.MaxWaitDeadline == due:
                await MoveOnAsync(overflow: true);
                break;
            case CallDeadline.Conference when S.PendingDeadline == due:
                await GiveUpWaitingForConferenceAsync();
                break;
        }
    }
}
