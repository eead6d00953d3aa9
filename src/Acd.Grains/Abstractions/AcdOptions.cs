namespace Acd.Grains.Abstractions;

/// <summary>Routing settings, bound from the <c>Acd</c> configuration section.</summary>
public sealed class AcdOptions
{
    public const string Section = "Acd";

    /// <summary>The contact center's time zone: where "today" starts for per-agent counters and statistics.</summary>
    public string TimeZone { get; set; } = "Asia/Tokyo";

    /// <summary>Consecutive missed offers after which an agent is moved to <see cref="MissedOfferActivity"/>.</summary>
    public int MissedOffersBeforeBreak { get; set; } = 1;

    /// <summary>Where an agent who keeps missing offers is moved, so calls stop ringing an absent desk.</summary>
    public string MissedOfferActivity { get; set; } = Activities.Break;

    /// <summary>Reservation timeout when a workflow does not set <c>task_reservation_timeout</c>.</summary>
    public int DefaultReservationTimeoutSeconds { get; set; } = 30;

    /// <summary>Wrap-up when a queue does not set <c>wrap_up_seconds</c>.</summary>
    public int DefaultWrapUpSeconds { get; set; } = 10;

    /// <summary>Spoken when no workflow filter matches a call.</summary>
    public string NoRouteMessage { get; set; } = "申し訳ございません。ただいまお電話をおつなぎできません。後ほどおかけ直しください。";

    /// <summary>Spoken when a queue is closed and the workflow has nowhere else to go.</summary>
    public string ClosedMessage { get; set; } = "お電話ありがとうございます。本日の受付は終了いたしました。";

    /// <summary>Spoken when a queue is full or a caller waited the queue's maximum and the workflow has nowhere else to go.</summary>
    public string OverflowMessage { get; set; } = "ただいま大変混み合っております。恐れ入りますが、後ほどおかけ直しください。";

    /// <summary>
    /// How often a waiting caller's leg is looked up at Twilio (0: not by time; a look-up also follows every offer that ends
    /// without an answer), and how often after the first look a dialled customer still ringing past their ring time is.
    /// Twilio tells of a waiting caller's hang-up, or a customer's failed dial, by one callback that it does not send again.
    /// </summary>
    public int CallerCheckSeconds { get; set; } = 120;

    /// <summary>
    /// How often a connected call's live legs are looked up at Twilio (0: never by time). An agent's or customer's hang-up
    /// is told by the leg's status callback and the conference's participant-leave, neither sent again if lost: unchecked,
    /// a caller whose agent hung up would sit alone in a conference Acd still takes for a conversation.
    /// </summary>
    public int TalkCheckSeconds { get; set; } = 120;

    /// <summary>
    /// The largest attributes document taken for an agent or a call through the API or the workspace file, in UTF-8
    /// bytes (0: no limit). Attributes are read on every routing decision; a document this size is already unusual.
    /// </summary>
    public int MaxAttributesBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Events held for one event-stream client that reads slowly. Beyond it the oldest go, and the stream sends them again
    /// from its feed's window, or a <c>resync</c> when the feed no longer has them.
    /// </summary>
    public int EventStreamBuffer { get; set; } = 10_000;

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
