using Acd.Grains.Abstractions;
using Acd.Grains.Agents;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Acd.Grains.Routing.Workflows;
using Acd.Grains.Telephony;
using Acd.Grains.Workspace;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>
/// Callbacks. A waiting caller of a queue that offers them presses * (Twilio runs no &lt;Gather&gt; in a conference's wait
/// music, so the caller's &lt;Dial&gt; has <c>hangupOnStar</c>): they leave their conference for Acd's menu, out of the
/// queue but keeping their place; they go back to wait in a new conference, or ask to be called back and hang up, and
/// the call goes back to its place as a callback (its age and priority unchanged). When it reaches an agent, the agent is
/// rung first and hears whom and how long they waited, then the customer is dialled into the agent's conference; an
/// attempt that does not reach the customer is tried again later, up to the queue's attempts.
/// </summary>
public sealed partial class CallGrain
{
    /// <summary>How often a caller in the callback menu is looked up (a hang-up at a &lt;Gather&gt; is reported to nobody).</summary>
    private static readonly TimeSpan MenuCheck = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A callback that has not reached its customer yet: nobody is on the line, so it has no max wait or step time-outs,
    /// keeps its place when its queue closes, and its agent is rung first. Once the customer has answered it is a call like
    /// any other (transferred back to a queue, the customer waits there on the line and may hang up).
    /// </summary>
    private bool CallbackPending => S.Kind == CallKind.Callback && S.Callback is { ConnectedAt: null };

    /// <summary>An inbound caller whose &lt;Dial&gt; lets them step out of the wait with *.</summary>
    private bool CallerMayStepOut => S.Kind == CallKind.Inbound && R.CallerCanStepOut && S.Status is CallStatus.Queued or CallStatus.Offered;

    public async Task<WaitExit> CallerLeftWaitAsync(string callSid)
    {
        if (!S.Exists || S.Legs.BySid(callSid) is not { Role: LegRole.Caller } leg)
        {
            return new WaitExit(WaitExitStep.Hangup);
        }
        if (S.Status is CallStatus.Canceled or CallStatus.Failed && VoicemailToLeave is { } voicemail)
        {
            // Given up on while waiting, by a queue that takes messages then: why, and the tone.
            return new WaitExit(WaitExitStep.Voicemail, Message: S.Message, VoicemailMaxLength: voicemail.MaxLengthSeconds);
        }
        if (S.Status is CallStatus.Canceled or CallStatus.Failed && S.Message is { } message)
        {
            return new WaitExit(WaitExitStep.Message, Message: message);
        }
        if (!CallerMayStepOut || !leg.IsLive)
        {
            // Answered, ended, or the conference ended under the caller: their <Dial> is over, and so is the call.
            return new WaitExit(WaitExitStep.Hangup);
        }
        await CallerAwayAsync();
        if (R.CallbackEligible || VoicemailInMenu)
        {
            return new WaitExit(WaitExitStep.Menu, Json.ReadString(S.AttributesJson, "From"), Callback: R.CallbackEligible, Voicemail: VoicemailInMenu);
        }
        return new WaitExit(WaitExitStep.Back, ConferenceName: await KeepWaitingAsync());
    }

    /// <summary>
    /// The caller left their conference while waiting (the * or a hang-up: the leave alone cannot tell): out of the queue
    /// with their place kept, any ringing offer withdrawn, and their leg looked up at once, so a hang-up is an abandon.
    /// </summary>
    private async Task CallerAwayAsync()
    {
        if (R.CallerAwayUntil is not null)
        {
            return;
        }
        if (S.Legs.Customer is not { IsLive: true })
        {
            // Their leg has ended already: they hung up, and did not step out.
            await CallerHungUpAsync();
            return;
        }
        var waited = (Now - F.CreatedAt).TotalSeconds;
        if (S.Status == CallStatus.Queued && R.QueueId is { } queueId)
        {
            var estimate = await grains.Router().GetEstimatedWaitAsync(Id);
            R.CallbackEligible = R.Callback?.OfferedTo(waited, estimate) == true;
            // False: a match is on its way; the offer finds the caller away and lets the agent go.
            await grains.GetGrain<IQueueGrain>(queueId).WithdrawAsync(Id);
        }
        else
        {
            // An agent was being rung: the wait is nearly over, so only the queue's time rule offers a callback.
            R.CallbackEligible = R.Callback?.OfferedTo(waited, 0) == true;
            foreach (var offer in S.Offers.Live.ToList())
            {
                await EndOfferAsync(offer, OfferOutcome.Withdrawn, "caller-away");
            }
            R.NextRingAt = null;
            SetStatus(CallStatus.Queued);
        }
        R.CallerAwayUntil = Now + MenuCheck;
        S.Teardown.ConferenceEnded = true; // the caller's leg ends it (endConferenceOnExit)
        await CheckCallerAsync();
        await SaveAsync();
    }

    public async Task<string?> KeepWaitingAsync()
    {
        if (!S.Exists || S.Kind != CallKind.Inbound || S.Legs.Customer is not { IsLive: true })
        {
            return null;
        }
        if (R.CallerAwayUntil is null)
        {
            // Asked twice: the same conference.
            return S.Status is CallStatus.Queued or CallStatus.Offered or CallStatus.Connected ? S.Conference.Name : null;
        }
        if (S.Status != CallStatus.Queued)
        {
            return null;
        }
        NewConference();
        R.CallerAwayUntil = null;
        R.CallerCheckAt = NextCallerCheck();
        await ReadmitAsync();
        return S.Conference.Name;
    }

    public async Task<Outcome<CallView>> RequestCallbackAsync(string number)
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Kind == CallKind.Callback && S.Callback?.Source == CallbackSource.Caller)
        {
            return View(); // asked twice
        }
        if (S.Kind != CallKind.Inbound || R.CallerAwayUntil is null || S.Status != CallStatus.Queued)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status} and its caller is not in the callback menu");
        }
        if (!R.CallbackEligible)
        {
            return Problem.Conflict($"Queue {R.QueueId} does not offer call '{Id}' a callback now");
        }
        if (!AgentValidation.IsPhoneNumber(number))
        {
            return Problem.Invalid("number", "An E.164 number such as +819012345678");
        }
        var retries = R.Callback!;
        CallerEndsInTwiml(); // the confirmation hangs up
        S.Kind = CallKind.Callback;
        S.Callback = new CallCallback
        {
            Number = number,
            RequestedAt = Now,
            Source = CallbackSource.Caller,
            MaxAttempts = retries.Attempts,
            RetrySeconds = retries.RetrySeconds,
            CallerId = Json.ReadString(S.AttributesJson, "To"),
            AgeFrom = F.CreatedAt,
        };
        // A callback waits in its queue until served: no overflow, no step timeout, nobody on the line to check.
        R.CallerAwayUntil = null;
        R.StepDeadline = null;
        R.MaxWaitDeadline = null;
        R.CallerCheckAt = null;
        NewConference();
        Emit(new CallbackRequested("caller", number, null, Round((Now - F.CreatedAt).TotalSeconds)));
        logger.LogInformation("Call {CallId}: the caller asked to be called back on {Number}; it keeps its place in {QueueId}", Id, number, R.QueueId);
        await ReadmitAsync();
        return View();
    }

    public async Task<Outcome<CallView>> StartCallbackAsync(CallbackStart start)
    {
        if (S.Exists)
        {
            return Problem.Conflict($"Call '{Id}' exists", "id");
        }
        if (!AgentValidation.IsPhoneNumber(start.Number))
        {
            return Problem.Invalid("to", "An E.164 number such as +819012345678");
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
        if (workflow is null)
        {
            return Problem.Conflict("The workspace has no workflow to route a callback", "workflow");
        }
        await BeginAsync(CallKind.Callback, start.AttributesJson, workflow, start.Priority);
        var due = start.At is { } at && at > Now ? at : (DateTimeOffset?)null;
        S.Callback = new CallCallback { Number = start.Number, RequestedAt = Now, Source = CallbackSource.Api, DueAt = due, CallerId = start.CallerId, AgeFrom = due ?? Now };
        SetStatus(CallStatus.Created);
        Emit(new TaskCreated(workflow.Id, "callback", start.Number));
        if (due is not null)
        {
            // Counted as requested in no queue yet (it has none until its time); its attempts count in the queue it enters.
            Emit(new CallbackRequested("api", start.Number, due, null));
            SetStatus(CallStatus.Scheduled);
            await SaveAsync();
            return View();
        }
        var plan = WorkflowPlans.Get(workflow);
        await RouteAsync(plan.First(attributes, Now, await LocalClockAsync(plan)), stayPut: false, giveUpReason: "no-matching-filter");
        if (!S.Status.IsFinal())
        {
            Emit(new CallbackRequested("api", start.Number, null, null)); // in its queue, and counted there
            await SaveAsync();
        }
        return View();
    }

    public async Task<Outcome<CallView>> CancelCallbackAsync(string? by)
    {
        if (!S.Exists || S.Callback is null)
        {
            return Problem.NotFound($"No callback '{Id}'");
        }
        if (S.Status.IsFinal())
        {
            return S.EndReason == "callback-canceled" ? View() : Problem.Conflict($"Callback '{Id}' has ended ({CallViews.Word(S.Status)})");
        }
        if (S.Callback.ConnectedAt is not null)
        {
            return Problem.Conflict($"Callback '{Id}' has reached its customer: hang up the call instead");
        }
        Emit(new CallbackCanceled(by));
        await StopRoutingAsync("callback-canceled");
        if (S.AgentId is { } agentId)
        {
            // The agent had taken it and the customer was ringing: both are let go.
            await EndAttemptAsync();
            await FinishAsync(CallStatus.Canceled, "callback-canceled", null);
            await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, 0);
            return View();
        }
        await FinishAsync(CallStatus.Canceled, "callback-canceled", null);
        return View();
    }

    /// <summary>The agent took the callback and is in its conference (or on the way): now the customer is dialled into it, by SID.</summary>
    private async Task DialCallbackAsync()
    {
        var callback = S.Callback!;
        callback.Attempts++;
        var leg = S.Legs.Add(Id, LegRole.Customer, null, callback.Number, Now);
        Emit(new CallbackAttempted(callback.Attempts, callback.Number, S.AgentId));
        R.CallerCheckAt = Now.AddSeconds(CustomerRingSeconds) + CustomerCheckGrace;
        await ConferenceOperationAsync($"call back {callback.Number}", add: new AddParticipant(
            LegRef(leg), callback.Number, leg.Label!, Muted: false, Coaching: false, null,
            StartConferenceOnEnter: true, EndConferenceOnExit: true, CustomerRingSeconds, Urgency.Normal, callback.CallerId));
    }

    /// <summary>The customer answered their callback.</summary>
    private void CallbackConnected()
    {
        var callback = S.Callback!;
        callback.ConnectedAt ??= Now;
        callback.DueAt = null;
        Emit(new CallbackConnected(callback.Attempts, Round((Now - callback.RequestedAt).TotalSeconds) ?? 0));
    }

    /// <summary>
    /// An attempt did not reach the customer (busy, no answer, failed) or the agent left before it did. The attempt's legs
    /// are hung up and its agent let go without wrap-up; the callback is tried again after the queue's retry time, keeping
    /// its place, or fails once it has been tried as often as the queue says. <paramref name="counts"/>: the customer was
    /// dialled and did not answer (an agent who left first does not use up an attempt; the callback goes straight back).
    /// </summary>
    private async Task CallbackAttemptFailedAsync(string reason, bool counts)
    {
        var callback = S.Callback!;
        callback.LastFailure = reason;
        var agentId = S.AgentId;
        await EndAttemptAsync();
        if (counts && callback.Attempts >= callback.MaxAttempts)
        {
            Emit(new CallbackFailed(callback.Attempts, reason));
            logger.LogInformation("Callback {CallId} to {Number} failed after {Attempts} attempts ({Reason})", Id, callback.Number, callback.Attempts, reason);
            await FinishAsync(CallStatus.Failed, "callback-failed", null);
        }
        else if (counts)
        {
            callback.DueAt = Now.AddSeconds(callback.RetrySeconds);
            Emit(new CallbackAttemptFailed(callback.Attempts, reason, callback.DueAt));
            SetStatus(CallStatus.Scheduled);
            await SaveAsync();
        }
        else
        {
            Emit(new CallbackAttemptFailed(callback.Attempts, reason, null));
            SetStatus(CallStatus.Queued);
            await ReadmitAsync();
        }
        if (agentId is not null)
        {
            await grains.GetGrain<IAgentGrain>(agentId).CallEndedAsync(Id, 0);
        }
    }

    /// <summary>Hangs up an attempt's legs and puts its conference aside: the next attempt has a conference of its own.</summary>
    private async Task EndAttemptAsync()
    {
        foreach (var offer in S.Offers.Live.ToList())
        {
            await EndOfferAsync(offer, OfferOutcome.Withdrawn, "callback-ended");
        }
        foreach (var leg in S.Legs.All.Where(l => l.IsLive).ToList())
        {
            await HangUpLegAsync(leg);
        }
        S.AgentId = null;
        R.CallerCheckAt = null;
        F.AttemptUndone();
        NewConference();
    }

    /// <summary>A scheduled callback's time, or its next attempt's, has come: into its queue (back to its place), or routed.</summary>
    private async Task CallbackDueAsync()
    {
        S.Callback!.DueAt = null;
        if (R.Waiting is not null)
        {
            SetStatus(CallStatus.Queued);
            await ReadmitAsync();
            return;
        }
        var plan = Plan();
        if (plan is null)
        {
            await FinishAsync(CallStatus.Canceled, "no-workflow", null);
            return;
        }
        await RouteAsync(plan.First(Json.ParseElement(S.AttributesJson), Now, await LocalClockAsync(plan)), stayPut: false, giveUpReason: "no-matching-filter");
    }

    /// <summary>
    /// The caller in the menu is done with Acd: the TwiML Acd answers hangs up (after a callback's confirmation, or a
    /// voicemail's recording), and nothing need say so: the caller is in no conference, and an inbound call's status reaches
    /// Acd only if its number has a status callback. Taken as done, so nothing is left to confirm (before this, such a call
    /// never settled and waited in the unsettled store for ever).
    /// </summary>
    private void CallerEndsInTwiml()
    {
        if (S.Legs.Customer is { Role: LegRole.Caller } callerLeg)
        {
            CallLegs.Report(callerLeg, LegStatus.Completed, null);
            CallLegs.End(callerLeg);
        }
    }

    /// <summary>A conference of the call's own under a new name (design rule 1: names are never reused).</summary>
    private void NewConference()
    {
        S.Conference.Replace(ConferenceNames.New(Id));
        S.Teardown.ConferenceEndAsked = false;
        S.Teardown.ConferenceEnded = false;
    }
}
