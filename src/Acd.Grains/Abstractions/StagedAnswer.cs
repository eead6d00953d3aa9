namespace Acd.Grains.Abstractions;

/// <summary>What a ring group's answered leg is to do next (the TwiML Acd answers Twilio's request for it).</summary>
public enum StagedStep
{
    /// <summary>Someone else took the call, or the caller has gone: the agent is told so and hung up.</summary>
    Taken,

    /// <summary>The agent hears the queue's name, then asks again (whispered).</summary>
    Whisper,

    /// <summary>The agent hears the queue's name and presses 1 to take the call.</summary>
    AskKey,

    /// <summary>The agent took the call: into the caller's conference.</summary>
    Join,

    /// <summary>The agent pressed another key: they decline it, and are hung up.</summary>
    Declined,

    /// <summary>A voicemail's agent hears who left it and the recording, then presses 1 to call back or 2 for handled.</summary>
    Voicemail,

    /// <summary>The agent marked the voicemail handled: told so, and hung up.</summary>
    Handled,
}

/// <param name="Step">What to do.</param>
/// <param name="QueueName">The queue's name, for the whisper.</param>
/// <param name="ConferenceName">The caller's conference, for <see cref="StagedStep.Join"/>.</param>
/// <param name="Label">The leg's participant label in it.</param>
/// <param name="CallbackWaitedSeconds">For a callback's agent: how long the customer has waited since they first called (the whisper says so).</param>
/// <param name="Number">For a voicemail's agent: the number that left it (null: withheld, it cannot be called back).</param>
/// <param name="RecordingUrl">For a voicemail's agent: Twilio's recording, played to them.</param>
[GenerateSerializer, Immutable, Alias("acd.StagedAnswer")]
public sealed record StagedAnswer(
    [property: Id(0)] StagedStep Step,
    [property: Id(1)] string? QueueName = null,
    [property: Id(2)] string? ConferenceName = null,
    [property: Id(3)] string? Label = null,
    [property: Id(4)] double? CallbackWaitedSeconds = null,
    [property: Id(5)] string? Number = null,
    [property: Id(6)] string? RecordingUrl = null);
