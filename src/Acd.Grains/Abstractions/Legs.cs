namespace Acd.Grains.Abstractions;

/// <summary>What a phone leg is for in a call's conference.</summary>
public enum LegRole
{
    /// <summary>The person who called in (inbound): their leg carries endConferenceOnExit.</summary>
    Caller,

    /// <summary>An agent rung for the call (an offer), or the agent who dials out.</summary>
    Agent,

    /// <summary>The agent consulted in a warm transfer.</summary>
    Consult,

    /// <summary>The person an outbound call dials: the customer's side, as the caller is for an inbound call.</summary>
    Customer,

    /// <summary>A supervisor monitoring, coaching or barging in.</summary>
    Supervisor,
}

/// <summary>
/// A leg's status as the phone network reports it (Twilio's call statuses, in the domain's words). It only moves
/// forward: queued → initiated → ringing → in progress → one final status, and the first final status stands.
/// </summary>
public enum LegStatus
{
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
}

public static class LegStatusExtensions
{
    /// <summary>Ended, one way or another.</summary>
    public static bool IsFinal(this LegStatus status) => status >= LegStatus.Completed;

    /// <summary>Not yet answered nor ended.</summary>
    public static bool IsRinging(this LegStatus status) => status < LegStatus.InProgress;

    /// <summary>Where a status stands in a leg's life: final statuses share the last rank.</summary>
    public static int Rank(this LegStatus status) => status.IsFinal() ? (int)LegStatus.Completed : (int)status;

    /// <summary>The customer's side of a call: the caller of an inbound call, the person dialled by an outbound one.</summary>
    public static bool IsCustomerSide(this LegRole role) => role is LegRole.Caller or LegRole.Customer;

    /// <summary>An agent's leg: offered, connected, or consulted.</summary>
    public static bool IsAgentSide(this LegRole role) => role is LegRole.Agent or LegRole.Consult;
}

/// <summary>What a conference status callback reports (Twilio's StatusCallbackEvent, in the domain's words).</summary>
public enum ConferenceEvent
{
    Start,
    End,
    Join,
    Leave,
    Hold,
    Unhold,
    Mute,
    Unmute,
    Modify,
}

/// <summary>How a call came to Acd.</summary>
public enum CallKind
{
    /// <summary>Someone called in.</summary>
    Inbound,

    /// <summary>An agent called someone.</summary>
    Outbound,

    /// <summary>Acd calls someone back: an agent takes it first, then the customer is dialled (a caller's, kept in its place, or by API).</summary>
    Callback,
}

/// <summary>Who asked for a callback.</summary>
public enum CallbackSource
{
    /// <summary>The waiting caller, from the wait (their place is kept).</summary>
    Caller,

    /// <summary><c>POST /api/callbacks</c>: a web form's "call me", or a time.</summary>
    Api,

    /// <summary>A voicemail: the agent listens first, and calls back with a key (or marks it handled).</summary>
    Voicemail,
}
