using Acd.Grains.Abstractions;
using Acd.Grains.Agents;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Events.Types;
using Acd.Grains.Routing.Workflows;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Calls;

/// <summary>
/// Voicemail. A caller whom a queue turns away (closed or full) or who chooses it in the menu records a message
/// (<c>&lt;Record&gt;</c>); when Twilio says the recording is in, it becomes a call of its own, id the RecordingSid, waiting in
/// that queue with the caller's age and priority, like a callback nobody is on the line for. Its agent is rung first,
/// hears who left it and the recording, then presses 1 to call the customer back (dialled into the agent's conference,
/// as a callback, with its attempts) or 2 to mark it handled. Acd keeps Twilio's RecordingSid and URL, not the audio.
/// </summary>
public sealed partial class CallGrain
{
    /// <summary>Beyond the recording's length, what a voicemail's agent has to hear who left it and choose (the prompt waits 10 s).</summary>
    private const int VoicemailListenSeconds = 40;

    /// <summary>A voicemail's call: nobody on the line until its agent calls the customer back.</summary>
    private bool IsVoicemail => S.Callback is { Source: CallbackSource.Voicemail };

    /// <summary>A queue turned the caller away: they may leave a voicemail for it, if it takes them for this reason.</summary>
    private void VoicemailOnRefusal(string queueId, EnqueueResult result) =>
        OfferVoicemail(queueId, result.Callback, result.Outcome == EnqueueOutcome.Closed ? VoicemailWhen.Closed : VoicemailWhen.Full);

    /// <summary>
    /// The caller may leave a voicemail for <paramref name="queueId"/> if it takes them for <paramref name="reason"/>:
    /// a caller arriving hears the prompt in the webhook's answer; one who waits in their conference hears it when the
    /// call gives up on them and ends it, in their &lt;Dial&gt;'s action (every caller's has one).
    /// </summary>
    private void OfferVoicemail(string queueId, CallbackOffer? offer, VoicemailWhen reason)
    {
        if (CallerHearsFarewell && S.Voicemail is null && offer is not null && offer.Voicemail.HasFlag(reason))
        {
            S.Voicemail = new CallVoicemail { QueueId = queueId, MaxLengthSeconds = offer.VoicemailMaxLength };
        }
    }

    /// <summary>
    /// An inbound caller whom Acd can still tell why the call ends (and ask for a message): arriving, or waiting in their
    /// conference (not in the callback menu, where they are out of it).
    /// </summary>
    private bool CallerHearsFarewell => S.Kind == CallKind.Inbound
        && (S.Status == CallStatus.Created || (S.Legs.Customer is { Role: LegRole.Caller, IsLive: true } && R.CallerAwayUntil is null && S.Status is CallStatus.Queued or CallStatus.Offered));

    /// <summary>A voicemail offered to this call's caller and not yet recorded.</summary>
    private CallVoicemail? VoicemailToLeave => S.Voicemail is { FromCallId: null, VoicemailCallId: null } offered ? offered : null;

    /// <summary>Whether the waiting caller in the menu may leave a voicemail there (their queue's voicemail_when has "menu").</summary>
    private bool VoicemailInMenu => R.Callback is { } offer && offer.Voicemail.HasFlag(VoicemailWhen.Menu) && R.QueueId is not null;

    public async Task<Outcome<CallView>> LeaveVoicemailAsync()
    {
        if (!S.Exists)
        {
            return Problem.NotFound($"No call '{Id}'");
        }
        if (S.Status == CallStatus.Canceled && S.EndReason == "voicemail")
        {
            return View(); // asked twice
        }
        if (S.Kind != CallKind.Inbound || R.CallerAwayUntil is null || S.Status != CallStatus.Queued || !VoicemailInMenu)
        {
            return Problem.Conflict($"Call '{Id}' is {S.Status} and its caller cannot leave a voicemail now");
        }
        S.Voicemail = new CallVoicemail { QueueId = R.QueueId!, MaxLengthSeconds = R.Callback!.VoicemailMaxLength };
        CallerEndsInTwiml(); // the caller records and hangs up
        R.CallerAwayUntil = null;
        await FinishAsync(CallStatus.Canceled, "voicemail", null);
        return View();
    }

    public async Task<Outcome<CallView>> VoicemailRecordedAsync(VoicemailRecording recording)
    {
        if (!S.Exists || S.Voicemail is not { FromCallId: null } voicemail)
        {
            return Problem.NotFound($"Call '{Id}' was offered no voicemail");
        }
        if (voicemail.VoicemailCallId is { } made)
        {
            // Twilio's action and its recording callback both bring it, and either may come twice.
            return made == recording.RecordingSid
                ? await grains.GetGrain<ICallGrain>(made).GetAsync() is { } view ? view : Problem.NotFound($"No call '{made}'")
                : Problem.Conflict($"Call '{Id}' left voicemail {made} already", "RecordingSid");
        }
        if (S.Legs.Customer?.CallSid is { } callerSid && callerSid != recording.CallSid)
        {
            return Problem.Invalid("CallSid", $"Not the caller of call '{Id}'");
        }
        if (recording.DurationSeconds <= 0)
        {
            return Problem.Invalid("RecordingDuration", "The recording is empty: no voicemail");
        }
        var number = Json.ReadString(S.AttributesJson, "From");
        var retries = R.Callback;
        var start = new VoicemailStart(
            Id, voicemail.QueueId, S.AttributesJson, R.WorkflowId, R.Priority, F.CreatedAt,
            AgentValidation.IsPhoneNumber(number) ? number : null, Json.ReadString(S.AttributesJson, "To"), recording,
            retries?.Attempts ?? QueueDefinition.DefaultCallbackAttempts, retries?.RetrySeconds ?? QueueDefinition.DefaultCallbackRetrySeconds);
        var started = await grains.GetGrain<ICallGrain>(recording.RecordingSid).StartVoicemailAsync(start);
        if (started.Ok)
        {
            voicemail.VoicemailCallId = recording.RecordingSid;
            await SaveAsync();
        }
        return started;
    }

    public async Task<Outcome<CallView>> StartVoicemailAsync(VoicemailStart start)
    {
        if (S.Exists)
        {
            return S.Voicemail?.FromCallId == start.FromCallId ? View() : Problem.Conflict($"Call '{Id}' exists", "RecordingSid");
        }
        var (workflow, _) = await FindWorkflowAsync(start.WorkflowId);
        var recording = start.Recording;
        var left = new VoicemailLeft(start.FromCallId, start.Number, recording.RecordingSid, recording.RecordingUrl, recording.DurationSeconds);
        await BeginAsync(CallKind.Callback, start.AttributesJson, workflow, start.Priority);
        S.Callback = new CallCallback
        {
            Number = start.Number ?? "",
            RequestedAt = Now,
            Source = CallbackSource.Voicemail,
            MaxAttempts = start.CallbackAttempts,
            RetrySeconds = start.CallbackRetrySeconds,
            CallerId = start.CallerId,
            AgeFrom = start.AgeFrom,
        };
        S.Voicemail = new CallVoicemail
        {
            QueueId = start.QueueId,
            FromCallId = start.FromCallId,
            RecordingSid = recording.RecordingSid,
            RecordingUrl = recording.RecordingUrl,
            DurationSeconds = recording.DurationSeconds,
            LeftAt = Now,
        };
        SetStatus(CallStatus.Created);
        Emit(new TaskCreated(workflow?.Id, "voicemail", start.Number));
        // Into the queue it was left for, whatever it is now (closed, full): the caller was told it would be heard there.
        var waiting = new WaitingCall(Id, start.QueueId, start.Priority, start.AgeFrom, 0, null, null, null, null, null);
        var result = await grains.GetGrain<IQueueGrain>(start.QueueId).EnqueueAsync(waiting, null, readmit: true);
        if (result.Outcome is not (EnqueueOutcome.Waiting or EnqueueOutcome.Matched))
        {
            logger.LogWarning("Voicemail {CallId}: queue {QueueId} is gone ({Outcome}): the workflow routes it", Id, start.QueueId, result.Outcome);
            var plan = Plan();
            if (plan is null)
            {
                await FinishAsync(CallStatus.Failed, "queue-deleted", null);
                return View();
            }
            await RouteAsync(plan.First(Json.ParseElement(S.AttributesJson), Now, await LocalClockAsync(plan)), stayPut: false, giveUpReason: "no-matching-filter");
            Emit(left);
            await SaveAsync();
            return View();
        }
        R.Step = new RoutingStep(-3, 0);
        EnterQueue(R.Step, new RoutingTarget(start.QueueId, null, null, null, null, null, null, null), "voicemail", waiting with { Sequence = result.Sequence }, result);
        Emit(left);
        logger.LogInformation("Voicemail {CallId} from call {FromCallId} ({Seconds}s) waits in {QueueId}", Id, start.FromCallId, recording.DurationSeconds, start.QueueId);
        await AfterAdmissionAsync(result, start.QueueId);
        return View();
    }

    /// <summary>
    /// A voicemail's agent answered their leg: they hear who left it and the recording, then press 1 (call back) or 2
    /// (handled). No key, or another: they leave it to someone else, and are not rung for it again.
    /// </summary>
    private async Task<StagedAnswer> VoicemailAnswerAsync(Offer offer, Leg leg, string? digits, bool whispered, string? queueName)
    {
        var number = S.Callback!.Number;
        var canCallBack = AgentValidation.IsPhoneNumber(number);
        if (!whispered)
        {
            // The agent listens now: the offer's ring time must not run out under them (a miss would hang them up mid-message).
            var listened = Now.AddSeconds((S.Voicemail?.DurationSeconds ?? 0) + VoicemailListenSeconds);
            offer.Deadline = offer.Deadline > listened ? offer.Deadline : listened;
            await SaveAsync();
            return new StagedAnswer(StagedStep.Voicemail, queueName, Number: canCallBack ? number : null, RecordingUrl: S.Voicemail?.RecordingUrl);
        }
        switch (digits)
        {
            case "1" when canCallBack:
                Handled("called-back");
                await ConnectAsync(offer);
                return new StagedAnswer(StagedStep.Join, queueName, S.Conference.Name, leg.Label);
            case "2":
                Handled("listened");
                await TakeOfferAsync(offer);
                // The leg hangs up in its TwiML after the words: nothing for Acd to end.
                CallLegs.Report(leg, LegStatus.Completed, null);
                CallLegs.End(leg);
                await EndTalkAsync("voicemail-handled");
                return new StagedAnswer(StagedStep.Handled, queueName);
            default:
                await OfferFailedAsync(offer, OfferOutcome.Rejected, "rejected");
                return new StagedAnswer(StagedStep.Declined, queueName);
        }

        void Handled(string how)
        {
            S.Voicemail!.HandledAt = Now;
            S.Voicemail.HandledHow = how;
            Emit(new VoicemailHandled(offer.AgentId, how));
        }
    }
}
