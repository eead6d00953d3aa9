using Acd.Grains.Abstractions;

namespace Acd.Grains.Calls.Lifecycle;

/// <summary>
/// A callback: whom to call, since when it is asked for, and its attempts. A caller's callback keeps the call's own age and
/// place in its queue; the customer is dialled only once an agent has taken it, one attempt at a time.
/// </summary>
[GenerateSerializer, Alias("acd.CallCallback")]
public sealed class CallCallback
{
    [Id(0)] public string Number { get; set; } = "";

    [Id(1)] public DateTimeOffset RequestedAt { get; set; }

    [Id(2)] public CallbackSource Source { get; set; }

    /// <summary>Attempts made: the customer dialled this often.</summary>
    [Id(3)] public int Attempts { get; set; }

    /// <summary>When it (re-)enters its queue: a scheduled time, or the next attempt's; null while it is in the queue or talking.</summary>
    [Id(4)] public DateTimeOffset? DueAt { get; set; }

    [Id(5)] public DateTimeOffset? ConnectedAt { get; set; }

    [Id(6)] public string? LastFailure { get; set; }

    [Id(7)] public int MaxAttempts { get; set; } = QueueDefinition.DefaultCallbackAttempts;

    [Id(8)] public int RetrySeconds { get; set; } = QueueDefinition.DefaultCallbackRetrySeconds;

    /// <summary>The caller ID the customer sees (the number they called, or the one the API named); null: the account's default.</summary>
    [Id(9)] public string? CallerId { get; set; }

    /// <summary>Where the callback's age in its queue runs from: the caller's call (their place), the API's request, or its scheduled time.</summary>
    [Id(10)] public DateTimeOffset AgeFrom { get; set; }

    public CallbackView View() => new(Number, RequestedAt, Source switch { CallbackSource.Caller => "caller", CallbackSource.Voicemail => "voicemail", _ => "api" }, Attempts, MaxAttempts, DueAt, ConnectedAt, LastFailure);
}
