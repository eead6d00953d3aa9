using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

/// <summary>Which stored deadline of a call has come.</summary>
public enum CallDeadline
{
    /// <summary>The offer was not answered within the reservation timeout.</summary>
    Offer,

    /// <summary>The workflow target's timeout: move to the next target.</summary>
    Step,

    /// <summary>The queue's maximum wait: overflow.</summary>
    MaxWait,
}

/// <summary>
/// A call (key: call id; the caller's CallSid for Twilio calls). Owns the call's lifecycle: routing through its
/// workflow, one offer at a time, connection, wrap-up and the way it ended.
/// </summary>
[Alias("acd.ICallGrain")]
public interface ICallGrain : IGrainWithStringKey
{
    /// <summary>The domain entry point: creates the call and routes it. Idempotent: a repeat returns the call as it is.</summary>
    Task<Outcome<CallView>> StartAsync(CallStart start);

    [ReadOnly, AlwaysInterleave]
    Task<CallView?> GetAsync();

    /// <summary>The router paired this waiting call with an agent: make it an offer, or give it back.</summary>
    [OneWay]
    Task OfferMatchedAsync(string agentId, string queueId);

    /// <summary>The offered agent answered.</summary>
    Task<Outcome<CallView>> AcceptAsync(string agentId);

    /// <summary>The offered agent declined; the call goes back to its place.</summary>
    Task<Outcome<CallView>> RejectAsync(string agentId);

    /// <summary>The offer is taken back because the agent went unavailable.</summary>
    [OneWay]
    Task WithdrawOfferAsync(string agentId);

    /// <summary>The caller hung up: abandoned if waiting, wrap-up if talking.</summary>
    Task<Outcome<CallView>> CallerHungUpAsync();

    /// <summary>Ends the call from Acd's side (the agent hangs up; an administrator cancels a waiting call).</summary>
    Task<Outcome<CallView>> HangUpAsync();

    /// <summary>Wrap-up is done: the call is completed and its agent available.</summary>
    Task<Outcome<CallView>> CompleteAsync();

    /// <summary>The agent's wrap-up ended (its timer, or the agent): the call is completed.</summary>
    [OneWay]
    Task WrapUpEndedAsync(string agentId);

    /// <summary>Timer entry point: a stored deadline has come.</summary>
    Task OnDeadlineAsync(CallDeadline kind, DateTimeOffset due);

    /// <summary>Telephony created a leg Acd asked for: it now has a CallSid.</summary>
    Task LegCreatedAsync(string legId, string callSid);

    /// <summary>Telephony could not create a leg (refused after retries): the offer fails and the call is offered again.</summary>
    Task LegFailedAsync(string legId, string reason);

    /// <summary>A leg's status callback: ringing, answered (in-progress), completed, busy, no-answer, failed, canceled.</summary>
    Task LegStatusAsync(LegStatusReport report);

    /// <summary>A conference status callback. The first one gives the ConferenceSid. Duplicates and late arrivals change nothing.</summary>
    Task ConferenceEventAsync(ConferenceEventReport report);
}
