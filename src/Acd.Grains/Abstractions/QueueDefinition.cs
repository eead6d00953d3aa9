namespace Acd.Grains.Abstractions;

/// <summary>How a queue picks among its eligible available agents.</summary>
public enum AgentSelection
{
    /// <summary>The agent whose last call ended longest ago (or who became available longest ago).</summary>
    LongestIdle,

    /// <summary>TaskRouter's <c>order_by</c> on worker attributes, ties broken by longest idle.</summary>
    OrderBy,

    /// <summary>The agent who has handled the fewest calls today.</summary>
    FewestCalls,

    /// <summary>The agent with the least talk time today.</summary>
    LeastTalkTime,

    /// <summary>The agent offered a call least recently.</summary>
    RoundRobin,

    /// <summary>Any eligible agent, uniformly at random.</summary>
    Random,

    /// <summary>A ring group: every free eligible agent at once (up to <c>max_ring</c>), longest idle first; the first to answer takes the call.</summary>
    RingAll,

    /// <summary>A ring group that grows: the longest idle agent first, one more every <c>ring_step_seconds</c>, up to <c>max_ring</c>.</summary>
    RingProgressively,
}

/// <summary>What happens to the calls waiting in a queue when its schedule closes.</summary>
public enum AtClosing
{
    /// <summary>They keep their place and are served (the default).</summary>
    KeepServing,

    /// <summary>They hear why it is closed and when it opens, and the call ends.</summary>
    PlayMessage,
}

/// <summary>A queue (TaskRouter's TaskQueue) as configured.</summary>
[GenerateSerializer, Immutable, Alias("acd.QueueDefinition")]
public sealed record QueueDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string FriendlyName,
    [property: Id(2)] string TargetWorkers,
    [property: Id(3)] string TaskOrder,
    [property: Id(4)] AgentSelection Selection,
    [property: Id(5)] string? OrderBy,
    [property: Id(6)] int MaxLength,
    [property: Id(7)] int MaxWaitSeconds,
    [property: Id(8)] int? WrapUpSeconds,
    [property: Id(9)] bool Closed,
    [property: Id(10)] string? OverflowMessage,
    [property: Id(11)] string? ClosedMessage,
    [property: Id(12)] string? ScheduleId = null,
    [property: Id(13)] AtClosing AtClosing = AtClosing.KeepServing,
    [property: Id(14)] IReadOnlyList<string>? WrapUpCodes = null,
    [property: Id(15)] int MaxRing = QueueDefinition.DefaultMaxRing,
    [property: Id(16)] int RingStepSeconds = QueueDefinition.DefaultRingStepSeconds,
    [property: Id(17)] bool AcceptWithKey = false,
    [property: Id(18)] bool Whisper = false,
    [property: Id(19)] int MaxReservedWorkers = 1,
    [property: Id(20)] int AnnounceEverySeconds = 0,
    [property: Id(21)] int? CallbackAfterSeconds = null,
    [property: Id(22)] int? CallbackWhenWaitExceedsSeconds = null,
    [property: Id(23)] int CallbackAttempts = QueueDefinition.DefaultCallbackAttempts,
    [property: Id(24)] int CallbackRetrySeconds = QueueDefinition.DefaultCallbackRetrySeconds,
    [property: Id(25)] IReadOnlyList<string>? VoicemailWhen = null,
    [property: Id(26)] int VoicemailMaxLength = QueueDefinition.DefaultVoicemailMaxLength)
{
    public const int DefaultVoicemailMaxLength = 120;

    /// <summary>The words of <see cref="VoicemailWhen"/>.</summary>
    public static readonly IReadOnlyList<string> VoicemailCases = ["closed", "full", "menu"];

    public const int DefaultCallbackAttempts = 3;

    public const int DefaultCallbackRetrySeconds = 300;

    /// <summary>How this queue's waiting callers may ask to be called back (keeping their place), and how callbacks are retried.</summary>
    public CallbackOffer Callback => new(CallbackAfterSeconds, CallbackWhenWaitExceedsSeconds, CallbackAttempts, CallbackRetrySeconds, FriendlyName, Voicemail, VoicemailMaxLength);

    /// <summary>When this queue's callers may leave a voicemail instead (<see cref="VoicemailWhen"/> as flags).</summary>
    public VoicemailWhen Voicemail => (VoicemailWhen ?? []).Aggregate(Abstractions.VoicemailWhen.Never, (all, word) => all | word switch
    {
        "closed" => Abstractions.VoicemailWhen.Closed,
        "full" => Abstractions.VoicemailWhen.Full,
        "menu" => Abstractions.VoicemailWhen.Menu,
        _ => Abstractions.VoicemailWhen.Never,
    });

    public const int DefaultMaxRing = 10;

    public const int DefaultRingStepSeconds = 5;

    /// <summary>The most agents one call may ring at once (TaskRouter's limit for MaxReservedWorkers).</summary>
    public const int MaxGroup = 50;

    /// <summary>
    /// How this queue rings several agents for one call, or null when it offers a call to one agent at a time:
    /// ring_all and ring_progressively up to <see cref="MaxRing"/>, or TaskRouter's multi-reservation
    /// (<see cref="MaxReservedWorkers"/> above 1, all at once, in the queue's selection order).
    /// </summary>
    public RingGroup? Ring => Selection switch
    {
        AgentSelection.RingAll => new RingGroup(MaxRing, 0, AcceptWithKey, Whisper, FriendlyName),
        AgentSelection.RingProgressively => new RingGroup(MaxRing, RingStepSeconds, AcceptWithKey, Whisper, FriendlyName),
        _ when MaxReservedWorkers > 1 => new RingGroup(MaxReservedWorkers, 0, AcceptWithKey, Whisper, FriendlyName),
        _ => null,
    };
}

/// <summary>
/// A queue's ring group, as a call rings it. <see cref="StepSeconds"/> 0 rings everyone at once; otherwise one more agent
/// every so many seconds. Each agent's leg answers into Acd's TwiML (a whisper of <see cref="QueueName"/>, a key to accept),
/// and only the first to take it is put through to the caller.
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.RingGroup")]
public sealed record RingGroup(
    [property: Id(0)] int Size,
    [property: Id(1)] int StepSeconds,
    [property: Id(2)] bool AcceptWithKey,
    [property: Id(3)] bool Whisper,
    [property: Id(4)] string QueueName);

/// <summary>
/// A queue's callback: a waiting caller is offered it once they have waited <see cref="AfterSeconds"/>, or while their
/// estimated wait exceeds <see cref="WhenWaitExceedsSeconds"/> (either; null: that rule is off); a callback whose customer
/// does not answer is tried <see cref="Attempts"/> times in all, <see cref="RetrySeconds"/> apart.
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.CallbackOffer")]
public sealed record CallbackOffer(
    [property: Id(0)] int? AfterSeconds,
    [property: Id(1)] int? WhenWaitExceedsSeconds,
    [property: Id(2)] int Attempts,
    [property: Id(3)] int RetrySeconds,
    [property: Id(4)] string QueueName = "",
    [property: Id(5)] VoicemailWhen Voicemail = VoicemailWhen.Never,
    [property: Id(6)] int VoicemailMaxLength = QueueDefinition.DefaultVoicemailMaxLength)
{
    /// <summary>Whether waiting callers are offered a callback at all (callbacks by API are retried the same way regardless).</summary>
    public bool OffersCallers => AfterSeconds is not null || WhenWaitExceedsSeconds is not null;

    /// <summary>Whether a waiting caller may press * for Acd's menu: to be called back, or to leave a voicemail.</summary>
    public bool OffersMenu => OffersCallers || Voicemail.HasFlag(VoicemailWhen.Menu);

    /// <summary>Whether a caller who has waited <paramref name="waitedSeconds"/>, with this estimate, is offered a callback.</summary>
    public bool OfferedTo(double waitedSeconds, double? estimatedWaitSeconds) =>
        OffersCallers && ((AfterSeconds is { } after && waitedSeconds >= after)
        || (WhenWaitExceedsSeconds is { } exceeds && estimatedWaitSeconds is { } estimate && estimate > exceeds)
        // Nobody at work to answer: any wait is longer than the threshold.
        || (WhenWaitExceedsSeconds is not null && estimatedWaitSeconds is null));
}

/// <summary>When a queue's callers may leave a voicemail (<c>voicemail_when</c>).</summary>
[Flags]
public enum VoicemailWhen
{
    Never = 0,

    /// <summary>A caller the queue turns away because it is closed.</summary>
    Closed = 1,

    /// <summary>A caller the queue turns away because it is full (<c>max_length</c>).</summary>
    Full = 2,

    /// <summary>A waiting caller who presses * and chooses 3 in the menu.</summary>
    Menu = 4,
}
