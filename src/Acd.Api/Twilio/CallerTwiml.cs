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
    public string Conference(string callId, string conferenceName)
    {
        var settings = options.Value;
        var xml = new StringBuilder(1024).Append("""<?xml version="1.0" encoding="utf-8"?><Response>""");
        if (!string.IsNullOrWhiteSpace(settings.Greeting))
        {
            xml.Append("<Say");
            if (!string.IsNullOrWhiteSpace(settings.Voice))
            {
                Attribute(xml, "voice", settings.Voice);
            }
            Attribute(xml, "language", settings.Language);
            xml.Append('>').Append(SecurityElement.Escape(settings.Greeting)).Append("</Say>");
        }
        xml.Append("""<Dial><Conference beep="false" startConferenceOnEnter="false" endConferenceOnExit="true" """);
        Attribute(xml, "waitUrl", urls.Wait(callId).OriginalString);
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
    public string ConferenceBySdk(string callId, string conferenceName)
    {
        var settings = options.Value;
        var response = new VoiceResponse();
        if (!string.IsNullOrWhiteSpace(settings.Greeting))
        {
            response.Append(Say(settings.Greeting));
        }
        var dial = new Dial();
        dial.Append(new Conference(
            name: conferenceName,
            beep: global::Twilio.TwiML.Voice.Conference.BeepEnum.False,
            startConferenceOnEnter: false,
            endConferenceOnExit: true,
            waitUrl: urls.Wait(callId),
            waitMethod: global::Twilio.Http.HttpMethod.Post,
            region: settings.ConferenceRegion,
            statusCallbackEvent: ConferenceEvents,
            statusCallback: urls.ConferenceStatus(callId),
            statusCallbackMethod: global::Twilio.Http.HttpMethod.Post,
            participantLabel: "customer"));
        response.Append(dial);
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
    public string Wait(int position, double? estimatedWaitSeconds = null)
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
                response.Append(Say(japanese ? $"{queue}のお電話です。" : $"A call from {queue}."));
                response.Redirect(urls.StagedAnswer(callId, legId, whispered: true), global::Twilio.Http.HttpMethod.Post);
                break;
            case Grains.Abstractions.StagedStep.AskKey:
                var gather = new Gather(numDigits: 1, timeout: 10, action: urls.StagedAnswer(callId, legId, whispered: true), method: global::Twilio.Http.HttpMethod.Post);
                gather.Append(Say(japanese ? $"{queue}のお電話です。お受けになる場合は、1を押してください。" : $"A call from {queue}. Press 1 to take it."));
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
            default:
                response.Append(Say(japanese ? "このお電話は、他の担当者が応答しました。" : "Someone else has taken this call."));
                response.Hangup();
                break;
        }
        return response.ToString();
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
