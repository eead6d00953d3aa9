using Acd.Grains.Abstractions;

namespace Acd.Grains.Calls.Lifecycle;

/// <summary>Why an agent's phone is rung for a call.</summary>
public enum OfferKind
{
    /// <summary>The router matched the waiting call with the agent.</summary>
    Queue,

    /// <summary>A cold transfer straight to the agent.</summary>
    Transfer,

    /// <summary>A warm transfer: the agent is consulted while the customer holds.</summary>
    Consult,

    /// <summary>The agent's own outbound call: their leg rings first.</summary>
    Outbound,
}

/// <summary>How an offer ended.</summary>
public enum OfferOutcome
{
    /// <summary>Still live: being sent, or ringing.</summary>
    Live,

    /// <summary>The agent answered.</summary>
    Answered,

    /// <summary>The agent's phone rang and was not answered (no answer, busy, failed): counts as a miss.</summary>
    Missed,

    /// <summary>The agent declined it.</summary>
    Rejected,

    /// <summary>Taken back, not the agent's doing: the caller left, the agent went unavailable, the leg never rang.</summary>
    Withdrawn,
}

/// <summary>One offer: an agent's leg asked for, sent, ringing, and how it ended.</summary>
[GenerateSerializer, Alias("acd.Offer")]
public sealed class Offer
{
    [Id(0)] public string AgentId { get; set; } = "";

    [Id(1)] public string LegId { get; set; } = "";

    [Id(2)] public OfferKind Kind { get; set; }

    /// <summary>The queue it was matched from (for statistics and for putting the call back).</summary>
    [Id(3)] public string? QueueId { get; set; }

    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the leg left for the network: the agent's ring time runs from here.</summary>
    [Id(5)] public DateTimeOffset? SentAt { get; set; }

    /// <summary>Until when it rings once sent; before that, how long it may wait to be sent at all.</summary>
    [Id(6)] public DateTimeOffset Deadline { get; set; }

    [Id(7)] public int RingSeconds { get; set; }

    [Id(8)] public OfferOutcome Outcome { get; set; }

    /// <summary>
    /// One of a ring group's offers: its leg answers into Acd's TwiML, not the caller's conference, and the first of the
    /// group to take the call is put through; the others end then, not counted as misses.
    /// </summary>
    [Id(9)] public bool Group { get; set; }

    public bool IsLive => Outcome == OfferOutcome.Live;

    public bool Sent => SentAt is not null;

    /// <summary>When the ringing ends, once it has started.</summary>
    public DateTimeOffset? RingsUntil => Sent ? Deadline : null;
}

/// <summary>What a report about an offer's leg means for the call.</summary>
public enum OfferVerdict
{
    /// <summary>Nothing to do (a duplicate, or news of no consequence).</summary>
    None,

    /// <summary>The leg now rings (or was sent): the ring deadline was set; save it.</summary>
    Ringing,

    /// <summary>The agent answered: connect (or, for a consulted agent, the consultation begins).</summary>
    Answered,

    /// <summary>Answered and already hung up (Twilio's "completed" before its "answered" arrived): connect, then end the talk.</summary>
    AnsweredAndLeft,

    /// <summary>Rang and was not answered: a miss.</summary>
    Missed,

    /// <summary>The network gave up on the leg without it being the agent's doing (canceled, refused): not a miss.</summary>
    Withdrawn,
}

/// <summary>
/// The offer lifecycle: the one place that decides whether an offer is sent, ringing, answered, missed or withdrawn.
/// An agent's ring time runs from when their leg is sent, so an offer whose request waits in the account's pace is
/// not timed out before it rings, and a leg never sent is not a miss. It keeps every live offer of a call, so several
/// can ring at once (a ring group: <see cref="Offer.Group"/>).
/// </summary>
[GenerateSerializer, Alias("acd.OfferBook")]
public sealed class OfferBook
{
    [Id(0)] public List<Offer> Live { get; set; } = [];

    /// <summary>How many offers the call has had.</summary>
    [Id(1)] public int Count { get; set; }

    /// <summary>
    /// Opens an offer. <paramref name="sentAtOnce"/>: the telephony rings at once (nothing is paced), so the ring time
    /// starts now; otherwise the offer may wait up to <paramref name="dispatchLimit"/> for its leg to be sent.
    /// </summary>
    public Offer Open(string agentId, string legId, OfferKind kind, string? queueId, DateTimeOffset now, int ringSeconds, bool sentAtOnce, TimeSpan dispatchLimit)
    {
        var offer = new Offer
        {
            AgentId = agentId,
            LegId = legId,
            Kind = kind,
            QueueId = queueId,
            CreatedAt = now,
            RingSeconds = ringSeconds,
            Deadline = now + dispatchLimit,
        };
        if (sentAtOnce)
        {
            MarkSent(offer, now);
        }
        Live.Add(offer);
        Count++;
        return offer;
    }

    public Offer? ForLeg(string legId) => Live.Find(o => o.LegId == legId);

    public Offer? For(string agentId, params OfferKind[] kinds) =>
        Live.Find(o => o.AgentId == agentId && (kinds.Length == 0 || kinds.Contains(o.Kind)));

    /// <summary>The live offer of these kinds (the first, for a ring group that rings several).</summary>
    public Offer? Current(params OfferKind[] kinds) => Live.Find(o => kinds.Length == 0 || kinds.Contains(o.Kind));

    /// <summary>The leg of the offer left for the network (its request was answered, or it reported itself ringing).</summary>
    public bool Sent(string legId, DateTimeOffset now) => ForLeg(legId) is { Sent: false } offer && MarkSent(offer, now);

    private static bool MarkSent(Offer offer, DateTimeOffset now)
    {
        offer.SentAt = now;
        offer.Deadline = now.AddSeconds(offer.RingSeconds);
        return true;
    }

    /// <summary>What a change of the offer's leg means. The offer stays live: the caller ends it with <see cref="End"/>.</summary>
    public OfferVerdict OnLeg(string legId, LegChange change, DateTimeOffset now)
    {
        if (!change.Moved || ForLeg(legId) is not { } offer)
        {
            return OfferVerdict.None;
        }
        return change.Current switch
        {
            LegStatus.Initiated or LegStatus.Ringing => Sent(legId, now) ? OfferVerdict.Ringing : OfferVerdict.None,
            LegStatus.InProgress => OfferVerdict.Answered,
            // Twilio says "completed" only of a call that was answered: its "answered" callback is late or lost.
            LegStatus.Completed => OfferVerdict.AnsweredAndLeft,
            LegStatus.Busy or LegStatus.NoAnswer or LegStatus.Failed => OfferVerdict.Missed,
            LegStatus.Canceled => OfferVerdict.Withdrawn,
            _ => OfferVerdict.None,
        };
    }

    /// <summary>Live offers whose time is up: rung out (a miss), or never sent (withdrawn, not the agent's doing).</summary>
    public IReadOnlyList<(Offer Offer, OfferOutcome Outcome)> Due(DateTimeOffset now) =>
        [.. Live.Where(o => o.Deadline <= now).Select(o => (o, o.Sent ? OfferOutcome.Missed : OfferOutcome.Withdrawn))];

    public void End(Offer offer, OfferOutcome outcome)
    {
        offer.Outcome = outcome;
        Live.Remove(offer);
    }

    public DateTimeOffset? NextDeadline => Live.Count == 0 ? null : Live.Min(o => o.Deadline);

    /// <summary>The agents a call's live queue offers ring (one, or a ring group's).</summary>
    public List<string> Ringing => [.. Live.Where(o => o.Kind == OfferKind.Queue).Select(o => o.AgentId)];
}
