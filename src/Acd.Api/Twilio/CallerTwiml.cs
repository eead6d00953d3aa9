using System.Security;
using System.Text;
using Microsoft.Extensions.Options;
using global::Twilio.TwiML;
using global::Twilio.TwiML.Voice;

namespace Acd.Api.Twilio;

/// <summary>The TwiML Acd answers Twilio with.</summary>
public sealed class CallerTwiml(IOptions<TwilioOptions> options, TwilioUrls urls)
{
    /// <summary>Conference events of the caller's leg, which as the first participant fixes them for the conference (rule 7).</summary>
    private static readonly Conference.EventEnum[] ConferenceEvents = [.. TwilioTelephony.ConferenceEvents.Select(e => (Conference.EventEnum)e)];

    /// <summary>
    /// Greets the caller and puts them into the call's own conference (rule 1): media in <c>Twilio:ConferenceRegion</c>,
    /// wait music until an agent joins, and the caller's leg alone ends the conference when it leaves (rule 2).
    /// </summary>
    /// <remarks>
    /// Written directly rather than through the SDK's <see cref="VoiceResponse"/>, which makes an XmlWriter and its
    /// buffers for every response: this is answered for every call that arrives. The SDK's TwiML for the same call is
    /// the test's reference (CallerTwimlTests), so the two cannot drift apart.
    /// </remarks>
    /// <param name="callId">The call, for its callback URLs.</param>
    /// <param name="conferenceName">The call's conference (a new name each time the caller comes back to it).</param>
    /// <param name="stepOut">The queue offers callbacks: the caller may press * to leave the wait for the callback menu
    /// (<c>hangupOnStar</c>). Every caller's &lt;Dial&gt; has an action, which asks Acd what follows once the conference
    /// is over for them: the menu after a *, or, when Acd gives up on them and ends it, why (and a voicemail's tone).</param>
    /// <param name="greet">False when the caller comes back from the menu: they were greeted when they called.</param>
    public string Conference(string callId, string conferenceName, bool stepOut = false, bool greet = true)
    {
        var settings = options.Value;
        var xml = new StringBuilder(1024).Append("""<?xml version="1.0" encoding="utf-8"?><Response>""");
        if (greet && !string.IsNullOrWhiteSpace(settings.Greeting))
        {
            xml.Append("<Say");
            if (!string.IsNullOrWhiteSpace(settings.Voice))
            {
                Attribute(xml, "voice", settings.Voice);
            }
            Attribute(xml, "language", settings.Language);
            xml.Append('>').Append(SecurityElement.Escape(settings.Greeting)).Append("</Say>");
        }
        xml.Append("<Dial");
        Attribute(xml, "action", urls.WaitExit(callId).OriginalString);
        xml.Append(stepOut ? """ hangupOnStar="true">""" : ">");
        xml.Append("""<Conference beep="false" startConferenceOnEnter="false" endConferenceOnExit="true" """);
        Attribute(xml, "waitUrl", urls.Wait(callId, stepOut).OriginalString);
        xml.Append(""" waitMethod="POST" """);
        if (settings.ConferenceRegion is not null)
        {
            Attribute(xml, "region", settings.ConferenceRegion);
        }
        Attribute(xml, "statusCallbackEvent", ConferenceEventList);
        Attribute(xml, "statusCallback", urls.ConferenceStatus(callId).OriginalString);
        xml.Append(""" statusCallbackMethod="POST" participantLabel="customer">""")
            .Append(SecurityElement.Escape(conferenceName))
            .Append("</Conference></Dial></Response>");
        return xml.ToString();
    }

    private static readonly string ConferenceEventList = string.Join(' ', TwilioTelephony.ConferenceEvents);

    private static void Attribute(StringBuilder xml, string name, string value) =>
        xml.Append(' ').Append(name).Append("=\"").Append(SecurityElement.Escape(value)).Append('"');

    /// <summary>The same TwiML through the SDK: what <see cref="Conference"/> must equal (its test's reference).</summary>
    public string ConferenceBySdk(string callId, string conferenceName, bool stepOut = false, bool greet = true) =>
        ConferenceSaying(greet ? options.Value.Greeting : null, callId, conferenceName, stepOut);

    /// <summary>The caller's conference TwiML after <paramref name="first"/> is said (nothing when blank).</summary>
    private string ConferenceSaying(string? first, string callId, string conferenceName, bool stepOut)
    {
        var settings = options.Value;
        var response = new VoiceResponse();
        if (!string.IsNullOrWhiteSpace(first))
        {
            response.Append(Say(first));
        }
        var dial = new Dial(action: urls.WaitExit(callId), hangupOnStar: stepOut ? true : null);
        dial.Append(new Conference(
            name: conferenceName,
            beep: global::Twilio.TwiML.Voice.Conference.BeepEnum.False,
            startConferenceOnEnter: false,
            endConferenceOnExit: true,
            waitUrl: urls.Wait(callId, stepOut),
            waitMethod: global::Twilio.Http.HttpMethod.Post,
            region: settings.ConferenceRegion,
            statusCallbackEvent: ConferenceEvents,
            statusCallback: urls.ConferenceStatus(callId),
            statusCallbackMethod: global::Twilio.Http.HttpMethod.Post,
            participantLabel: "customer"));
        response.Append(dial);
        return response.ToString();
    }

    /// <summary>Hang up: nothing more to say.</summary>
    public string Hangup()
    {
        var response = new VoiceResponse();
        response.Hangup();
        return response.ToString();
    }

    /// <summary>A spoken message, then hang up: for calls Acd cannot route.</summary>
    public string Message(string message)
    {
        var response = new VoiceResponse();
        response.Append(Say(message));
        response.Hangup();
        return response.ToString();
    }

    /// <summary>
    /// Wait music, optionally after the caller's place in the queue and their estimated wait (in whole seconds; null: not
    /// told this time); Twilio fetches it again when it ends.
    /// </summary>
    public string Wait(int position, double? estimatedWaitSeconds = null, bool callbackOffered = false, bool voicemailOffered = false)
    {
        var settings = options.Value;
        var japanese = settings.Language.StartsWith("ja", StringComparison.OrdinalIgnoreCase);
        var response = new VoiceResponse();
        if (settings.AnnouncePosition && position > 0)
        {
            response.Append(Say(japanese
                ? $"ただいま{position}番目にお待ちいただいております。"
                : $"You are number {position} in the queue."));
        }
        if (estimatedWaitSeconds is { } wait)
        {
            response.Append(Say(WaitAnnouncements.Phrase(wait, japanese)));
        }
        if (callbackOffered)
        {
            response.Append(Say(japanese
                ? "順番を保ったままお電話を切り、折り返しのお電話をご希望の場合は、いつでも、アスタリスクを押してください。"
                : "To hang up and be called back without losing your place, press star at any time."));
        }
        else if (voicemailOffered)
        {
            response.Append(Say(japanese
                ? "メッセージを残してお電話を切る場合は、いつでも、アスタリスクを押してください。"
                : "To leave a message and hang up, press star at any time."));
        }
        response.Play(new Uri(settings.WaitMusicUrl));
        return response.ToString();
    }

    /// <summary>
    /// What a ring group's answered leg does (<see cref="Grains.Abstractions.StagedAnswer"/>): hears the queue's name and comes back, is asked
    /// for the key, is told the call was taken and hung up, or joins the caller's conference as an agent participant
    /// would (it does not end the conference when it leaves; the caller's leg does).
    /// </summary>
    public string Staged(string callId, string legId, Grains.Abstractions.StagedAnswer answer)
    {
        var settings = options.Value;
        var japanese = settings.Language.StartsWith("ja", StringComparison.OrdinalIgnoreCase);
        var queue = answer.QueueName ?? "";
        var response = new VoiceResponse();
        switch (answer.Step)
        {
            case Grains.Abstractions.StagedStep.Whisper:
                response.Append(Say(Intro(answer, japanese)));
                response.Redirect(urls.StagedAnswer(callId, legId, whispered: true), global::Twilio.Http.HttpMethod.Post);
                break;
            case Grains.Abstractions.StagedStep.AskKey:
                var gather = new Gather(numDigits: 1, timeout: 10, action: urls.StagedAnswer(callId, legId, whispered: true), method: global::Twilio.Http.HttpMethod.Post);
                gather.Append(Say(Intro(answer, japanese) + (japanese ? "お受けになる場合は、1を押してください。" : " Press 1 to take it.")));
                response.Append(gather);
                response.Append(Say(japanese ? "お電話は他の担当者にお回しします。" : "The call goes to someone else."));
                response.Hangup();
                break;
            case Grains.Abstractions.StagedStep.Join:
                var dial = new Dial();
                dial.Append(new Conference(
                    name: answer.ConferenceName,
                    beep: global::Twilio.TwiML.Voice.Conference.BeepEnum.False,
                    startConferenceOnEnter: true,
                    endConferenceOnExit: false,
                    region: settings.ConferenceRegion,
                    statusCallbackEvent: ConferenceEvents,
                    statusCallback: urls.ConferenceStatus(callId),
                    statusCallbackMethod: global::Twilio.Http.HttpMethod.Post,
                    participantLabel: answer.Label));
                response.Append(dial);
                break;
            case Grains.Abstractions.StagedStep.Declined:
                response.Hangup();
                break;
            case Grains.Abstractions.StagedStep.Voicemail:
                var spoken = answer.Number is { } number ? CallbackNumbers.Spoken(number, settings.CallbackCountryCode) : null;
                response.Append(Say(japanese
                    ? $"{queue}の留守番電話のメッセージです。{(spoken is null ? "お客様の番号は通知されていません。" : $"お客様の番号は {spoken} です。")}"
                    : $"A voicemail for {queue}. {(spoken is null ? "The caller's number was withheld." : $"The caller's number is {spoken}.")}"));
                if (answer.RecordingUrl is { } recording && Uri.TryCreate(recording, UriKind.Absolute, out var url))
                {
                    response.Play(url);
                }
                var choose = new Gather(numDigits: 1, timeout: 10, action: urls.StagedAnswer(callId, legId, whispered: true), method: global::Twilio.Http.HttpMethod.Post);
                choose.Append(Say(spoken is null
                    ? (japanese ? "対応済みにする場合は2を押してください。" : "Press 2 to mark it handled.")
                    : (japanese ? "お客様に折り返しお電話する場合は1を、対応済みにする場合は2を押してください。" : "Press 1 to call the customer back, or 2 to mark it handled.")));
                response.Append(choose);
                response.Redirect(urls.StagedAnswer(callId, legId, whispered: true), global::Twilio.Http.HttpMethod.Post);
                break;
            case Grains.Abstractions.StagedStep.Handled:
                response.Append(Say(japanese ? "対応済みにしました。" : "Marked handled."));
                response.Hangup();
                break;
            default:
                response.Append(Say(japanese ? "このお電話は、他の担当者が応答しました。" : "Someone else has taken this call."));
                response.Hangup();
                break;
        }
        return response.ToString();
    }

    /// <summary>
    /// The menu, for a caller who pressed * while waiting: 1 to be called back (<paramref name="callback"/>), 3 to leave a
    /// voicemail (<paramref name="voicemail"/>), 2 (or nothing) to go on waiting.
    /// </summary>
    public string CallbackMenu(string callId, bool callback = true, bool voicemail = false)
    {
        var japanese = Japanese;
        var response = new VoiceResponse();
        var gather = new Gather(numDigits: 1, timeout: 8, action: urls.CallbackMenu(callId, "choose"), method: global::Twilio.Http.HttpMethod.Post);
        var words = new StringBuilder();
        if (callback)
        {
            words.Append(japanese ? "順番を保ったまま、折り返しのお電話をご希望の場合は1を、" : "To keep your place and be called back, press 1. ");
        }
        if (voicemail)
        {
            words.Append(japanese ? "メッセージを残す場合は3を、" : "To leave a message, press 3. ");
        }
        words.Append(japanese ? "このままお待ちになる場合は2を押してください。" : "To keep waiting, press 2.");
        gather.Append(Say(words.ToString()));
        response.Append(gather);
        response.Redirect(urls.CallbackMenu(callId, "back"), global::Twilio.Http.HttpMethod.Post);
        return response.ToString();
    }

    /// <summary>Asks the caller to confirm the number they will be called back on (1), or to key another (2).</summary>
    public string CallbackConfirm(string callId, string number, bool again = false)
    {
        var japanese = Japanese;
        var response = new VoiceResponse();
        var gather = new Gather(numDigits: 1, timeout: 8, action: urls.CallbackMenu(callId, "confirm", number), method: global::Twilio.Http.HttpMethod.Post);
        var spoken = CallbackNumbers.Spoken(number, options.Value.CallbackCountryCode);
        gather.Append(Say(japanese
            ? $"{spoken} にお掛けします。よろしければ1を、別の番号にお掛けする場合は2を押してください。"
            : $"We will call you back on {spoken}. Press 1 if that is right, or 2 for another number."));
        response.Append(gather);
        // No key: asked once more, then back to the wait rather than call a number nobody confirmed.
        response.Redirect(again ? urls.CallbackMenu(callId, "back") : urls.CallbackMenu(callId, "reconfirm", number), global::Twilio.Http.HttpMethod.Post);
        return response.ToString();
    }

    /// <summary>Asks for the number to be called back on, ended with #; <paramref name="refused"/>: the last one keyed was not a number.</summary>
    public string CallbackEnter(string callId, bool refused)
    {
        var japanese = Japanese;
        var response = new VoiceResponse();
        if (refused)
        {
            response.Append(Say(japanese ? "その番号にはお掛けできません。" : "That number cannot be called."));
        }
        var gather = new Gather(finishOnKey: "#", timeout: 10, action: urls.CallbackMenu(callId, "entered"), method: global::Twilio.Http.HttpMethod.Post);
        gather.Append(Say(japanese
            ? "お掛けする電話番号を市外局番から押し、最後にシャープを押してください。"
            : "Enter the number to call you back on, with its area code, then press the pound key."));
        response.Append(gather);
        response.Redirect(urls.CallbackMenu(callId, "back"), global::Twilio.Http.HttpMethod.Post);
        return response.ToString();
    }

    /// <summary>The callback is booked: the caller is told so, and the call ends (the callback keeps its place in the queue).</summary>
    public string CallbackBooked()
    {
        var response = new VoiceResponse();
        response.Append(Say(Japanese
            ? "承りました。順番が来ましたら、担当者からお電話いたします。このままお電話をお切りください。"
            : "Thank you. When your turn comes, an agent will call you back. You may hang up now."));
        response.Hangup();
        return response.ToString();
    }

    /// <summary>Back to the wait in the call's new conference, after <paramref name="apology"/> when the callback could not be booked.</summary>
    public string BackToWait(string callId, string conferenceName, bool apology) =>
        apology
            ? ConferenceSaying(Japanese ? "申し訳ありません。ただいま折り返しのお電話を承ることができません。" : "Sorry, a callback cannot be booked now.", callId, conferenceName, stepOut: true)
            : Conference(callId, conferenceName, stepOut: true, greet: false);

    /// <summary>
    /// Leave a voicemail: <paramref name="message"/> (why the queue cannot take the call; none from the menu), the prompt,
    /// then <c>&lt;Record&gt;</c> up to <paramref name="maxLengthSeconds"/>, ended by # or silence. Twilio asks the action when
    /// something was recorded and calls the recording status callback when the file is complete; an empty recording goes
    /// on to the words after it.
    /// </summary>
    public string Voicemail(string callId, string? message, int maxLengthSeconds)
    {
        var japanese = Japanese;
        var response = new VoiceResponse();
        if (!string.IsNullOrWhiteSpace(message))
        {
            response.Append(Say(message));
        }
        response.Append(Say(japanese
            ? "発信音のあとに、お名前とご用件をお話しください。終わりましたら、シャープを押すか、お電話をお切りください。"
            : "After the tone, please leave your name and message. When you are done, press the pound key or hang up."));
        response.Record(
            action: urls.VoicemailRecorded(callId),
            method: global::Twilio.Http.HttpMethod.Post,
            timeout: 5,
            finishOnKey: "#",
            maxLength: maxLengthSeconds,
            playBeep: true,
            recordingStatusCallback: urls.RecordingStatus(callId),
            recordingStatusCallbackMethod: global::Twilio.Http.HttpMethod.Post,
            recordingStatusCallbackEvent: [global::Twilio.TwiML.Voice.Record.RecordingEventEnum.Completed, global::Twilio.TwiML.Voice.Record.RecordingEventEnum.Absent]);
        response.Append(Say(japanese ? "メッセージは録音されませんでした。お電話ありがとうございました。" : "No message was recorded. Thank you for calling."));
        response.Hangup();
        return response.ToString();
    }

    /// <summary>The &lt;Record&gt;'s action: the message is in.</summary>
    public string VoicemailSaved()
    {
        var response = new VoiceResponse();
        response.Append(Say(Japanese
            ? "メッセージをお預かりしました。担当者より折り返しご連絡いたします。お電話ありがとうございました。"
            : "Your message has been recorded. An agent will get back to you. Thank you for calling."));
        response.Hangup();
        return response.ToString();
    }

    private bool Japanese => options.Value.Language.StartsWith("ja", StringComparison.OrdinalIgnoreCase);

    /// <summary>What a staged agent leg hears first: the queue's name, and for a callback how long the customer has waited.</summary>
    private static string Intro(Grains.Abstractions.StagedAnswer answer, bool japanese)
    {
        var queue = answer.QueueName ?? "";
        if (answer.CallbackWaitedSeconds is not { } waited)
        {
            return japanese ? $"{queue}のお電話です。" : $"A call from {queue}.";
        }
        var minutes = Math.Max(1, (int)Math.Round(waited / 60, MidpointRounding.AwayFromZero));
        return japanese
            ? $"{queue}の折り返しのお電話です。お客様は約{minutes}分お待ちになりました。"
            : $"A callback for {queue}. The customer has waited about {minutes} minute{(minutes == 1 ? "" : "s")}.";
    }

    /// <summary>Music for a participant on hold.</summary>
    public string Hold()
    {
        var response = new VoiceResponse();
        response.Play(new Uri(options.Value.HoldMusicUrl), loop: 0);
        return response.ToString();
    }

    private Say Say(string text)
    {
        var settings = options.Value;
        return new Say(text, voice: string.IsNullOrWhiteSpace(settings.Voice) ? null : (Say.VoiceEnum)settings.Voice, language: (Say.LanguageEnum)settings.Language);
    }
}
