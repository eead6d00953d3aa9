using Acd.Grains.Abstractions;

namespace Acd.Api.Twilio;

/// <summary>
/// Twilio's words, translated once, here at the edge: call statuses (<c>in-progress</c>, <c>no-answer</c>) and conference
/// callback events (<c>participant-join</c>) become the domain's enums. Nothing past this point compares Twilio's strings.
/// </summary>
public static class TwilioWords
{
    /// <summary>A CallStatus (also Twilio's "answered" callback event, and the SDK's enum names); null for a word Acd does not know.</summary>
    public static LegStatus? LegStatus(string? word) => word?.ToLowerInvariant() switch
    {
        "queued" => Grains.Abstractions.LegStatus.Queued,
        "initiated" => Grains.Abstractions.LegStatus.Initiated,
        "ringing" => Grains.Abstractions.LegStatus.Ringing,
        "in-progress" or "answered" or "inprogress" => Grains.Abstractions.LegStatus.InProgress,
        "completed" => Grains.Abstractions.LegStatus.Completed,
        "busy" => Grains.Abstractions.LegStatus.Busy,
        "no-answer" or "noanswer" => Grains.Abstractions.LegStatus.NoAnswer,
        "failed" => Grains.Abstractions.LegStatus.Failed,
        "canceled" => Grains.Abstractions.LegStatus.Canceled,
        _ => null,
    };

    /// <summary>A conference StatusCallbackEvent; null for events Acd does not use (speaker, announcement, …).</summary>
    public static ConferenceEvent? ConferenceEvent(string? word) => word switch
    {
        "conference-start" => Grains.Abstractions.ConferenceEvent.Start,
        "conference-end" => Grains.Abstractions.ConferenceEvent.End,
        "participant-join" => Grains.Abstractions.ConferenceEvent.Join,
        "participant-leave" => Grains.Abstractions.ConferenceEvent.Leave,
        "participant-hold" => Grains.Abstractions.ConferenceEvent.Hold,
        "participant-unhold" => Grains.Abstractions.ConferenceEvent.Unhold,
        "participant-mute" => Grains.Abstractions.ConferenceEvent.Mute,
        "participant-unmute" => Grains.Abstractions.ConferenceEvent.Unmute,
        "participant-modify" => Grains.Abstractions.ConferenceEvent.Modify,
        _ => null,
    };
}
