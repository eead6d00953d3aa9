using Orleans.Concurrency;

namespace Acd.Grains.Abstractions;

public enum OfferEnd
{
    /// <summary>Not answered in time, busy, or failed: counts as a miss.</summary>
    Missed,

    /// <summary>The agent declined it.</summary>
    Rejected,

    /// <summary>Taken back: the caller left, the agent went unavailable, the call was moved.</summary>
    Withdrawn,
}

/// <summary>Where a call says an agent stands with it (the answer to an agent's verification).</summary>
public enum AgentStanding
{
    /// <summary>The call does not hold the agent (it ended, or moved on): the agent lets it go.</summary>
    None,

    /// <summary>The agent's phone is being rung for the call.</summary>
    Offered,

    /// <summary>The agent is on the call.</summary>
    Connected,
}

/// <summary>The agent's answer to a reservation.</summary>
[GenerateSerializer, Immutable, Alias("acd.Reservation")]
public sealed record Reservation(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string? ContactUri,
    [property: Id(2)] string? FriendlyName,
    [property: Id(3)] string? Reason);

/// <summary>
/// An agent (key: agent id). Owns the agent's activity and capacity: <see cref="TryReserveAsync"/> is the
/// single place where an agent takes on a call, so an agent is never offered more calls than capacity.
/// </summary>
[Alias("acd.IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the agent. <paramref name="activityOnlyIfNew"/>: the workspace file does not undo what agents set.</summary>
    Task<Outcome<AgentView>> ConfigureAsync(AgentDefinition definition, bool activityOnlyIfNew);

    [ReadOnly, AlwaysInterleave]
    Task<AgentView?> GetAsync();

    /// <summary>Makes sure the agent is active (wrap-up deadline re-armed, the calls it holds woken): the recovery sweep.</summary>
    [OneWay]
    Task WakeAsync();

    /// <summary>Changes the agent's activity. Going unavailable withdraws a ringing offer.</summary>
    Task<Outcome<AgentView>> SetActivityAsync(string activity);

    /// <summary>Deletes an agent who is not on a call.</summary>
    Task<Outcome<bool>> DeleteAsync();

    /// <summary>Atomically takes on a call if the agent is available with a free channel.</summary>
    Task<Reservation> TryReserveAsync(string callId);

    /// <summary>Takes on the agent's own outbound call: a free channel is enough, whatever the activity.</summary>
    Task<Reservation> TryReserveOutboundAsync(string callId);

    /// <summary>An offer ended without the call connecting.</summary>
    Task OfferEndedAsync(string callId, OfferEnd how);

    /// <summary>The agent's leg answered: the offer became a call.</summary>
    Task CallConnectedAsync(string callId);

    /// <summary>
    /// The call ended for this agent; wrap-up follows for <paramref name="wrapUpSeconds"/> when the agent is in an
    /// available activity. Returns whether the agent is now wrapping up that call.
    /// </summary>
    Task<bool> CallEndedAsync(string callId, int wrapUpSeconds);

    /// <summary>Ends wrap-up early (or when its time runs out): the agent becomes Available.</summary>
    Task<Outcome<AgentView>> CompleteWrapUpAsync();

    /// <summary>
    /// A call's answer to this agent's verification of what it has held since <paramref name="heldSince"/>: where the agent
    /// stands with it. An offer or call the agent holds but the call does not name is let go (not a miss); an offer the
    /// call says was answered becomes a call. An answer about an older hold (the call was offered again since) is ignored.
    /// </summary>
    Task ConfirmAsync(string callId, AgentStanding standing, DateTimeOffset heldSince);

    /// <summary>What the router needs; used to rebuild its index.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<AgentRouting?> GetRoutingAsync();

    /// <summary>Timer entry point: a stored deadline has come.</summary>
    Task OnDeadlineAsync(DateTimeOffset due);
}
