namespace Acd.Grains.Telephony;

/// <summary>
/// What the grains ask of the phone network. Every method only submits the request and returns: the network's
/// answers (leg ringing, answered, busy, the ConferenceSid) come back later as calls on <c>ICallGrain</c>, so a
/// slow network never holds a grain's turn. Implementations: <see cref="InMemoryTelephony"/> (tests, no
/// credentials) and the Twilio adapter in Acd.Api.
/// </summary>
public interface ITelephony
{
    /// <summary>
    /// Whether agents answer on a phone network, whose callbacks connect an offer (Twilio). False for telephony with no
    /// network, where an offer is answered through the API (<c>POST /api/calls/{id}/accept</c>) and rings at once.
    /// </summary>
    bool AnswersOnTheNetwork { get; }

    /// <summary>
    /// Rings an agent into a call's conference (Twilio: a Participants API request); a ring group's leg
    /// (<see cref="LegReference.Staged"/>) is a call of its own that answers into Acd's TwiML (Twilio: a Calls API request).
    /// </summary>
    Task RingAgentAsync(RingAgent request);

    /// <summary>
    /// How many of <paramref name="wanted"/> more ring-group legs for <paramref name="queueId"/> the account's pace can send
    /// soon; the rest are not asked for (and are counted for the queue), so that a ring group never builds a backlog.
    /// </summary>
    int RingGroupRoom(string queueId, int wanted);

    /// <summary>
    /// Hangs up one leg that Acd created, ringing or answered (one it no longer wants: an ended offer, a late answer). A
    /// ring group's leg not answered yet is canceled; any other is completed, which ends it ringing or answered.
    /// </summary>
    Task EndLegAsync(LegReference leg);

    /// <summary>Ends a call's conference for everyone in it.</summary>
    Task EndConferenceAsync(ConferenceReference conference);

    /// <summary>Adds someone else to a call's conference: a supervisor (muted, or coaching), an outbound call's customer.</summary>
    Task AddParticipantAsync(AddParticipant request);

    /// <summary>Changes a participant: hold (with hold music), mute, coaching (Twilio: a Participants update; needs the ConferenceSid).</summary>
    Task UpdateParticipantAsync(ParticipantUpdate update);

    /// <summary>
    /// Asks the network how a call's live legs and conference stand now, for a call that was reloaded from storage:
    /// callbacks sent while Acd was down are lost (Twilio does not retry them). The answers come back as ordinary
    /// <c>LegStatusAsync</c> / <c>ConferenceEventAsync</c> reports, so they go through the same idempotent handlers.
    /// </summary>
    Task ReconcileAsync(Reconciliation request);
}

/// <summary>How urgent a request is: pacing serves lower values first.</summary>
public enum Urgency
{
    /// <summary>A waiting caller's agent leg.</summary>
    CallerWaiting = 0,

    /// <summary>A ring group's further legs, after every waiting caller's first (sent in the order they were asked for).</summary>
    RingGroup = 3,

    /// <summary>Ending or cancelling something.</summary>
    Teardown = 1,

    /// <summary>Everything else (hold, mute, supervisor legs).</summary>
    Normal = 2,
}

/// <summary>A conference, by the name Acd gave it and, once known, Twilio's SID.</summary>
[GenerateSerializer, Immutable, Alias("acd.ConferenceReference")]
public sealed record ConferenceReference(
    [property: Id(0)] string CallId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Sid);

/// <summary>A leg Acd created: its own id (in callback URLs) and, once known, its CallSid.</summary>
[GenerateSerializer, Immutable, Alias("acd.LegReference")]
public sealed record LegReference(
    [property: Id(0)] string CallId,
    [property: Id(1)] string LegId,
    [property: Id(2)] string? CallSid,
    [property: Id(3)] ConferenceReference Conference,
    [property: Id(5)] string? Label = null,
    [property: Id(6)] string? To = null,
    [property: Id(7)] DateTimeOffset? RequestedAt = null,
    [property: Id(8)] bool Staged = false,
    [property: Id(9)] bool Answered = false);

[GenerateSerializer, Immutable, Alias("acd.RingAgent")]
public sealed record RingAgent(
    [property: Id(0)] LegReference Leg,
    [property: Id(1)] string AgentId,
    [property: Id(2)] string ContactUri,
    [property: Id(3)] string Label,
    [property: Id(4)] int TimeoutSeconds,
    [property: Id(5)] Urgency Urgency,
    [property: Id(6)] string? CallerId = null);

[GenerateSerializer, Immutable, Alias("acd.AddParticipant")]
public sealed record AddParticipant(
    [property: Id(0)] LegReference Leg,
    [property: Id(1)] string To,
    [property: Id(2)] string Label,
    [property: Id(3)] bool Muted,
    [property: Id(4)] bool Coaching,
    [property: Id(5)] string? CallSidToCoach,
    [property: Id(6)] bool StartConferenceOnEnter,
    [property: Id(7)] bool EndConferenceOnExit,
    [property: Id(8)] int TimeoutSeconds,
    [property: Id(9)] Urgency Urgency,
    [property: Id(10)] string? CallerId);

/// <summary>A change to one participant; null fields are left as they are.</summary>
[GenerateSerializer, Immutable, Alias("acd.ParticipantUpdate")]
public sealed record ParticipantUpdate(
    [property: Id(0)] ConferenceReference Conference,
    [property: Id(1)] string CallSid,
    [property: Id(2)] bool? Hold,
    [property: Id(3)] bool? Muted,
    [property: Id(4)] bool? Coaching,
    [property: Id(5)] string? CallSidToCoach);

/// <summary>
/// A call's legs and conference whose current state is to be fetched from the network. <see cref="ConferenceEndAsked"/>:
/// Acd asked for the conference to end; the network reports whether it has (a conference-end report when it has).
/// </summary>
[GenerateSerializer, Immutable, Alias("acd.Reconciliation")]
public sealed record Reconciliation(
    [property: Id(0)] ConferenceReference Conference,
    [property: Id(1)] IReadOnlyList<LegReference> Legs,
    [property: Id(2)] bool ConferenceEndAsked = false);
