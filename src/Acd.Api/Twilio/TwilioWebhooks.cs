using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Acd.Api.Http;
using Acd.Grains.Abstractions;
using Acd.Grains.Agents;
using Acd.Grains.Calls.Lifecycle;
using Acd.Grains.Workspace;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Acd.Api.Twilio;

/// <summary>
/// Twilio's webhooks: form-encoded POSTs (and GETs for wait music), each authenticated by its signature alone
/// (<see cref="TwilioSignatureFilter"/>). Thin: parse, call the call grain, answer TwiML or 200.
/// </summary>
public static class TwilioWebhooks
{
    /// <summary>Query parameters that steer routing rather than describe the caller.</summary>
    private static readonly HashSet<string> Steering = new(StringComparer.OrdinalIgnoreCase) { "workflow", "attributes", "priority" };

    public static RouteGroupBuilder MapTwilioWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/twilio").WithTags("Twilio webhooks").AddEndpointFilter<TwilioSignatureFilter>().DisableAntiforgery();

        group.MapPost("/voice/incoming", IncomingAsync)
            .WithSummary("A call arrives (the number's voice webhook, or a redirect from an IVR with attributes): routes it and answers TwiML that greets the caller and puts them into the call's own conference in jp1.");
        group.MapMethods("/voice/wait", ["GET", "POST"], WaitAsync)
            .WithSummary("Wait music for a caller in their conference, after their place in the queue.");
        group.MapPost("/voice/wait-exit", WaitExitAsync)
            .WithSummary("The caller's <Dial> action: they pressed * to leave the wait (queues that offer callbacks), or their conference ended. Answers the callback menu, the wait again, or a hang-up.");
        group.MapPost("/voice/callback", CallbackMenuAsync)
            .WithSummary("The callback menu's steps (step=choose|confirm|reconfirm|enter|entered|back): book a callback that keeps the caller's place, or go back to waiting.");
        group.MapPost("/voice/voicemail", VoicemailRecordedAsync)
            .WithSummary("The voicemail's <Record> action: the caller has recorded a message (RecordingUrl, RecordingDuration). It becomes a call of its own, routed to the queue's agents.");
        group.MapPost("/voice/recording", RecordingStatusAsync)
            .WithSummary("The voicemail's recordingStatusCallback (RecordingSid, RecordingUrl, RecordingStatus, RecordingDuration): a completed recording becomes a call of its own, if the action has not made it one already.");
        group.MapMethods("/voice/hold", ["GET", "POST"], (CallerTwiml twiml) => Xml(twiml.Hold()))
            .WithSummary("Hold music.");
        group.MapPost("/conference/status", ConferenceStatusAsync)
            .WithSummary("Conference status callbacks (start, end, join, leave): the first gives the ConferenceSid.");
        group.MapPost("/agent/answer", StagedAnswerAsync)
            .WithSummary("A ring group's agent leg answered (its Url; then after the whisper, or with the key pressed): the first to take the call joins the caller's conference, the others hear it was taken.");
        group.MapPost("/call/status", CallStatusAsync)
            .WithSummary("Status callbacks of legs Acd created (and of the caller's leg when the number's status callback points here).");
        return group;
    }

    private static async Task<IResult> IncomingAsync(HttpRequest request, IGrainFactory grains, CallerTwiml twiml, IOptions<AcdOptions> acd)
    {
        var form = await request.ReadFormAsync();
        var callSid = form["CallSid"].ToString();
        if (string.IsNullOrEmpty(callSid) || !Ids.IsValid(callSid))
        {
            return Problems.Invalid("CallSid", "Required: the call's SID");
        }
        var attributes = new JsonObject();
        foreach (var (key, values) in form)
        {
            attributes[key] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray([.. values.Select(v => JsonValue.Create(v))]);
        }
        foreach (var (key, values) in request.Query)
        {
            if (!Steering.Contains(key))
            {
                attributes[key] = JsonValue.Create(values.ToString());
            }
        }
        // An IVR built elsewhere hands over attributes as JSON, the way <Enqueue><Task> hands them to TaskRouter.
        var handed = request.Query["attributes"].FirstOrDefault() ?? form["attributes"].FirstOrDefault();
        if (!string.IsNullOrWhiteSpace(handed))
        {
            try
            {
                if (JsonNode.Parse(handed) is JsonObject extra)
                {
                    foreach (var (key, value) in extra)
                    {
                        attributes[key] = value?.DeepClone();
                    }
                }
            }
            catch (JsonException)
            {
                return Problems.Invalid("attributes", "Must be a JSON object");
            }
        }
        var workflow = request.Query["workflow"].FirstOrDefault();
        if (workflow is not null && !Ids.IsValid(workflow))
        {
            return Problems.Invalid("workflow", Ids.Rule);
        }
        var priority = int.TryParse(request.Query["priority"].FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0;

        var outcome = await grains.GetGrain<ICallGrain>(callSid).StartAsync(new CallStart(attributes.ToJsonString(), workflow, callSid, priority));
        if (!outcome.Ok)
        {
            return Xml(twiml.Message(acd.Value.NoRouteMessage));
        }
        var call = outcome.Value!;
        return call.Status switch
        {
            CallStatus.Canceled when call.Voicemail is { VoicemailCallId: null } voicemail =>
                Xml(twiml.Voicemail(call.Id, call.Message ?? acd.Value.NoRouteMessage, voicemail.MaxLengthSeconds)),
            CallStatus.Canceled or CallStatus.Failed => Xml(twiml.Message(call.Message ?? acd.Value.NoRouteMessage)),
            CallStatus.Abandoned or CallStatus.Completed or CallStatus.WrapUp => Xml(twiml.Message(acd.Value.NoRouteMessage)),
            _ => Xml(twiml.Conference(call.Id, call.ConferenceName, stepOut: call.CallbackOffered)),
        };
    }

    private static async Task<IResult> WaitAsync(HttpRequest request, IGrainFactory grains, CallerTwiml twiml, WaitAnnouncements announcements)
    {
        var callId = request.Query["callId"].FirstOrDefault();
        var wait = callId is not null && Ids.IsValid(callId) ? await grains.Router().GetWaitAsync(callId) : null;
        // The estimated wait as the caller starts waiting, then at most every announce_every_seconds of their queue.
        var tell = wait is { EstimatedWaitSeconds: { } estimate } && announcements.Due(callId!, wait.AnnounceEverySeconds) ? estimate : (double?)null;
        // Only a caller whose <Dial> has hangupOnStar can leave for the menu: the wait URL says so.
        var star = request.Query["star"].FirstOrDefault() == "1";
        return Xml(twiml.Wait(wait?.Position ?? 0, tell, star && wait is { CallbackOffered: true }, star && wait is { VoicemailOffered: true }));
    }

    private static async Task<IResult> WaitExitAsync(HttpRequest request, IGrainFactory grains, CallerTwiml twiml, IOptions<AcdOptions> acd)
    {
        var form = await request.ReadFormAsync();
        var callSid = form["CallSid"].ToString();
        if (string.IsNullOrEmpty(callSid) || !Ids.IsValid(callSid))
        {
            return Problems.Invalid("CallSid", "Required: the caller's SID");
        }
        var callId = request.Query["callId"].FirstOrDefault();
        if (callId is null || !Ids.IsValid(callId))
        {
            return Problems.Invalid("callId", Ids.Rule);
        }
        var call = grains.GetGrain<ICallGrain>(callId);
        if (form["CallStatus"].ToString() == "completed")
        {
            // Twilio asks a <Dial>'s action even after the caller hung up: that is the word that they have gone.
            await call.LegStatusAsync(new LegStatusReport(null, callSid, LegStatus.Completed, null, Time(form["Timestamp"])));
            return Xml(twiml.Hangup());
        }
        var exit = await call.CallerLeftWaitAsync(callSid);
        return exit.Step switch
        {
            WaitExitStep.Menu => Xml(twiml.CallbackMenu(callId, exit.Callback, exit.Voicemail)),
            WaitExitStep.Back when exit.ConferenceName is { } name => Xml(twiml.BackToWait(callId, name, apology: false)),
            WaitExitStep.Message => Xml(twiml.Message(exit.Message ?? acd.Value.NoRouteMessage)),
            WaitExitStep.Voicemail => Xml(twiml.Voicemail(callId, exit.Message, exit.VoicemailMaxLength)),
            _ => Xml(twiml.Hangup()),
        };
    }

    private static async Task<IResult> CallbackMenuAsync(HttpRequest request, IGrainFactory grains, CallerTwiml twiml, IOptions<TwilioOptions> options)
    {
        var form = await request.ReadFormAsync();
        var callId = request.Query["callId"].FirstOrDefault();
        if (callId is null || !Ids.IsValid(callId))
        {
            return Problems.Invalid("callId", Ids.Rule);
        }
        var call = grains.GetGrain<ICallGrain>(callId);
        var digits = form["Digits"].ToString();
        var number = request.Query["number"].FirstOrDefault();
        switch (request.Query["step"].FirstOrDefault())
        {
            case "choose" when digits == "3":
                var left = await call.LeaveVoicemailAsync();
                return left is { Ok: true, Value.Voicemail: { } voicemail }
                    ? Xml(twiml.Voicemail(callId, null, voicemail.MaxLengthSeconds))
                    : await BackAsync(apology: false);
            case "choose" when digits == "1":
                var from = NullIfEmpty(form["From"].ToString());
                return Xml(from is not null && AgentValidation.IsPhoneNumber(from) ? twiml.CallbackConfirm(callId, from) : twiml.CallbackEnter(callId, refused: false));
            case "confirm" or "reconfirm" when digits == "1" && number is not null:
                var booked = await call.RequestCallbackAsync(number);
                if (booked.Ok)
                {
                    return Xml(twiml.CallbackBooked());
                }
                if (booked.Problem?.Field == "number")
                {
                    return Xml(twiml.CallbackEnter(callId, refused: true));
                }
                return await BackAsync(apology: true);
            case "confirm" or "reconfirm" when digits == "2":
                return Xml(twiml.CallbackEnter(callId, refused: false));
            case "reconfirm" when digits.Length == 0 && number is not null:
                return Xml(twiml.CallbackConfirm(callId, number, again: true));
            case "entered":
                return CallbackNumbers.FromKeyed(digits, options.Value.CallbackCountryCode) is { } keyed
                    ? Xml(twiml.CallbackConfirm(callId, keyed))
                    : Xml(twiml.CallbackEnter(callId, refused: true));
            case "choose" or "confirm" or "reconfirm" or "back":
                return await BackAsync(apology: false);
            default:
                return Problems.Invalid("step", "One of choose, confirm, reconfirm, entered, back");
        }

        async Task<IResult> BackAsync(bool apology) =>
            await call.KeepWaitingAsync() is { } conference ? Xml(twiml.BackToWait(callId, conference, apology)) : Xml(twiml.Hangup());
    }

    private static async Task<IResult> VoicemailRecordedAsync(HttpRequest request, IGrainFactory grains, CallerTwiml twiml, ILoggerFactory logs)
    {
        var form = await request.ReadFormAsync();
        var callId = request.Query["callId"].FirstOrDefault();
        if (callId is null || !Ids.IsValid(callId))
        {
            return Problems.Invalid("callId", Ids.Rule);
        }
        // The action brings the recording's URL, whose last segment is its SID; its status callback brings both.
        var url = form["RecordingUrl"].ToString();
        var address = WebAddress(url);
        var sid = NullIfEmpty(form["RecordingSid"].ToString()) ?? address?.Segments[^1].Trim('/');
        if (address is not null && sid is not null && Ids.IsValid(sid) && Int(form["RecordingDuration"]) is > 0 and var duration)
        {
            var made = await grains.GetGrain<ICallGrain>(callId).VoicemailRecordedAsync(new VoicemailRecording(sid, url, duration, form["CallSid"].ToString()));
            if (!made.Ok)
            {
                logs.CreateLogger(typeof(TwilioWebhooks)).LogWarning("Voicemail of call {CallId} ({RecordingSid}) not taken: {Problem}", callId, sid, made.Problem?.Detail);
            }
        }
        return Xml(twiml.VoicemailSaved());
    }

    private static async Task<IResult> RecordingStatusAsync(HttpRequest request, IGrainFactory grains)
    {
        var form = await request.ReadFormAsync();
        var callId = request.Query["callId"].FirstOrDefault();
        if (callId is null || !Ids.IsValid(callId))
        {
            return Problems.Invalid("callId", Ids.Rule);
        }
        var sid = form["RecordingSid"].ToString();
        if (string.IsNullOrEmpty(sid) || !Ids.IsValid(sid))
        {
            return Problems.Invalid("RecordingSid", "Required: the recording's SID");
        }
        var status = form["RecordingStatus"].ToString();
        if (status is not ("completed" or "absent" or "failed" or "in-progress"))
        {
            return Problems.Invalid("RecordingStatus", string.IsNullOrEmpty(status) ? "Required" : $"Not a recording status: '{status}'");
        }
        var url = form["RecordingUrl"].ToString();
        if (status == "completed" && Int(form["RecordingDuration"]) is > 0 and var duration)
        {
            if (WebAddress(url) is null)
            {
                return Problems.Invalid("RecordingUrl", "Required: the recording's http(s) URL");
            }
            var made = await grains.GetGrain<ICallGrain>(callId).VoicemailRecordedAsync(new VoicemailRecording(sid, url, duration, form["CallSid"].ToString()));
            if (made.Problem is { } problem)
            {
                return problem.ToResult();
            }
        }
        // Absent (nothing was said), failed, or a recording not worth a call: nothing to route.
        return Results.Ok();
    }

    private static async Task<IResult> ConferenceStatusAsync(HttpRequest request, IGrainFactory grains)
    {
        var form = await request.ReadFormAsync();
        var conferenceSid = form["ConferenceSid"].ToString();
        var statusEvent = form["StatusCallbackEvent"].ToString();
        if (string.IsNullOrEmpty(conferenceSid))
        {
            return Problems.Invalid("ConferenceSid", "Required");
        }
        if (string.IsNullOrEmpty(statusEvent))
        {
            return Problems.Invalid("StatusCallbackEvent", "Required");
        }
        var callId = request.Query["callId"].FirstOrDefault() ?? ConferenceNames.CallIdOf(form["FriendlyName"].ToString());
        if (callId is null || !Ids.IsValid(callId))
        {
            return Problems.Invalid("callId", "Required in the callback URL (Acd puts it there)");
        }
        if (TwilioWords.ConferenceEvent(statusEvent) is not { } known)
        {
            return Results.Ok(); // an event Acd does not use (design rule 5)
        }
        var report = new ConferenceEventReport(
            conferenceSid,
            known,
            NullIfEmpty(form["CallSid"]),
            Int(form["SequenceNumber"]),
            Time(form["Timestamp"]),
            NullIfEmpty(form["ParticipantLabel"]),
            Bool(form["Hold"]),
            Bool(form["Muted"]),
            Bool(form["Coaching"]),
            NullIfEmpty(form["FriendlyName"]),
            NullIfEmpty(form["CallSidEndingConference"]));
        await grains.GetGrain<ICallGrain>(callId).ConferenceEventAsync(report);
        return Results.Ok();
    }

    private static async Task<IResult> CallStatusAsync(HttpRequest request, IGrainFactory grains)
    {
        var form = await request.ReadFormAsync();
        var callSid = form["CallSid"].ToString();
        var status = form["CallStatus"].ToString();
        if (string.IsNullOrEmpty(callSid) || !Ids.IsValid(callSid))
        {
            return Problems.Invalid("CallSid", "Required");
        }
        if (TwilioWords.LegStatus(status) is not { } known)
        {
            return Problems.Invalid("CallStatus", string.IsNullOrEmpty(status) ? "Required" : $"Not a call status: '{status}'");
        }
        // Legs Acd created carry callId and legId in their callback URL; the caller's own leg is the call's id.
        var callId = request.Query["callId"].FirstOrDefault() ?? callSid;
        if (!Ids.IsValid(callId))
        {
            return Problems.Invalid("callId", Ids.Rule);
        }
        var report = new LegStatusReport(request.Query["legId"].FirstOrDefault(), callSid, known, Int(form["SequenceNumber"]), Time(form["Timestamp"]));
        await grains.GetGrain<ICallGrain>(callId).LegStatusAsync(report);
        return Results.Ok();
    }

    private static async Task<IResult> StagedAnswerAsync(HttpRequest request, IGrainFactory grains, CallerTwiml twiml, IServiceProvider services)
    {
        var form = await request.ReadFormAsync();
        var callSid = form["CallSid"].ToString();
        if (string.IsNullOrEmpty(callSid) || !Ids.IsValid(callSid))
        {
            return Problems.Invalid("CallSid", "Required: the leg's SID");
        }
        var callId = request.Query["callId"].FirstOrDefault();
        var legId = request.Query["legId"].FirstOrDefault();
        if (callId is null || !Ids.IsValid(callId))
        {
            return Problems.Invalid("callId", Ids.Rule);
        }
        if (legId is null || !Ids.IsValid(legId))
        {
            return Problems.Invalid("legId", Ids.Rule);
        }
        var digits = NullIfEmpty(form["Digits"].ToString());
        var whispered = request.Query["whispered"].FirstOrDefault() == "1";
        var call = grains.GetGrain<ICallGrain>(callId);
        // The agent joins the caller's conference by name: if it has ended (the caller left and the word was lost), Twilio
        // would make a new one with the agent alone in it. Asked first, so the call learns that its caller has gone.
        if (services.GetService<ITwilioLookups>() is { } twilio && await call.GetAsync() is { Status: CallStatus.Offered, Callback: null } view
            && await twilio.ConferenceEndedAsync(view.ConferenceName, view.ConferenceSid))
        {
            await call.LegFailedAsync(legId, "the caller's conference has ended", LegFailure.ConferenceGone);
            return Xml(twiml.Staged(callId, legId, new StagedAnswer(StagedStep.Taken)));
        }
        var answer = await call.StagedAnswerAsync(legId, callSid, digits, whispered);
        return Xml(twiml.Staged(callId, legId, answer));
    }

    /// <summary>An absolute http(s) address (a recording's URL is shown to agents: nothing else may pass for one).</summary>
    private static Uri? WebAddress(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var address) && address.Scheme is "https" or "http" ? address : null;

    private static IResult Xml(string twiml) => Results.Content(twiml, "application/xml; charset=utf-8");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int? Int(string? value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static bool? Bool(string? value) => bool.TryParse(value, out var b) ? b : null;

    private static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
