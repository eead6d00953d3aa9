using Acd.Grains.Abstractions;

namespace Acd.Grains.Calls.Lifecycle;

/// <summary>
/// A voicemail. On the caller's call: the queue they may leave it for and its longest length (a queue that turned them
/// away, or whose menu they chose it in), then the call the recording became. On the voicemail's own call (its id is the
/// RecordingSid): the recording, which Acd keeps as Twilio's SID and URL, never the audio.
/// </summary>
[GenerateSerializer, Alias("acd.CallVoicemail")]
public sealed class CallVoicemail
{
    [Id(0)] public string QueueId { get; set; } = "";

    [Id(1)] public int MaxLengthSeconds { get; set; } = QueueDefinition.DefaultVoicemailMaxLength;

    /// <summary>On the caller's call: the voicemail's call, once the recording is in.</summary>
    [Id(2)] public string? VoicemailCallId { get; set; }

    /// <summary>On the voicemail's call: the call it was left from.</summary>
    [Id(3)] public string? FromCallId { get; set; }

    [Id(4)] public string? RecordingSid { get; set; }

    [Id(5)] public string? RecordingUrl { get; set; }

    [Id(6)] public int DurationSeconds { get; set; }

    [Id(7)] public DateTimeOffset? LeftAt { get; set; }

    /// <summary>When an agent dealt with it (listened and marked it handled, or called the customer back), and how.</summary>
    [Id(8)] public DateTimeOffset? HandledAt { get; set; }

    [Id(9)] public string? HandledHow { get; set; }

    public VoicemailView View() => new(QueueId, MaxLengthSeconds, VoicemailCallId, FromCallId, RecordingSid, RecordingUrl, DurationSeconds, LeftAt, HandledAt, HandledHow);
}
