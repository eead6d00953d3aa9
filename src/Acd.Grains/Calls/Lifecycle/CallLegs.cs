using Acd.Grains.Abstractions;

namespace Acd.Grains.Calls.Lifecycle;

/// <summary>One leg in a call's conference: the caller, a rung agent, a consulted agent, a customer, a supervisor.</summary>
[GenerateSerializer, Alias("acd.Leg")]
public sealed class Leg
{
    [Id(0)] public string LegId { get; set; } = "";

    [Id(1)] public LegRole Role { get; set; }

    [Id(2)] public string? AgentId { get; set; }

    [Id(3)] public string? CallSid { get; set; }

    /// <summary>What the network last reported (or Acd assumed); only moves forward.</summary>
    [Id(4)] public LegStatus Status { get; set; }

    /// <summary>The highest status callback sequence number seen for this leg.</summary>
    [Id(5)] public int LastSequence { get; set; } = -1;

    [Id(6)] public bool Muted { get; set; }

    [Id(7)] public bool Hold { get; set; }

    [Id(8)] public bool Coaching { get; set; }

    /// <summary>A supervisor changed mode while this leg was still ringing: the flags are sent when it joins.</summary>
    [Id(9)] public bool FlagsToApply { get; set; }

    /// <summary>The participant label the leg has in the conference: Twilio finds a participant by it, too.</summary>
    [Id(10)] public string? Label { get; set; }

    /// <summary>
    /// Acd has hung this leg up (or given it up before it was created). The network may still report it ringing or
    /// answered a moment later; such a report is a late answer, and the leg is hung up again.
    /// </summary>
    [Id(11)] public bool Ended { get; set; }

    /// <summary>Live as far as Acd is concerned: not ended by the network, nor by Acd.</summary>
    public bool IsLive => !Status.IsFinal() && !Ended;

    /// <summary>Whether the network ever reported the leg answered (a completed leg was answered: Twilio says so of no other).</summary>
    [Id(12)] public bool Answered { get; set; }

    /// <summary>Where Acd asked the network to ring the leg (a client identity, a SIP address, a number).</summary>
    [Id(13)] public string? To { get; set; }

    /// <summary>When Acd decided to ask for the leg: a leg the network made to <see cref="To"/> since then is this one.</summary>
    [Id(14)] public DateTimeOffset? RequestedAt { get; set; }

    /// <summary>
    /// A ring group's leg: it answers into Acd's TwiML and is put through to the caller only if it takes the call. Hung up
    /// while it rings it is canceled; it cannot overhear the caller meanwhile.
    /// </summary>
    [Id(15)] public bool Staged { get; set; }

    /// <summary>As shown: a leg Acd ended that the network has not reported ended yet shows how Acd ended it.</summary>
    public CallLegView View() => new(LegId, Role, AgentId, CallSid, Ended && !Status.IsFinal() ? (Answered ? LegStatus.Completed : LegStatus.Canceled) : Status, Muted, Hold, Coaching);
}

/// <summary>What a status report did to a leg.</summary>
public readonly record struct LegChange(LegStatus Previous, LegStatus Current, bool Moved)
{
    public bool Answered => Moved && Current == LegStatus.InProgress;

    public bool Ended => Moved && Current.IsFinal();
}

/// <summary>
/// A call's legs. Statuses only move forward and the first final status stands (Twilio's callbacks arrive twice and
/// out of order: design rule 5); a report with a sequence number at or below the last one seen changes nothing.
/// </summary>
[GenerateSerializer, Alias("acd.CallLegs")]
public sealed class CallLegs
{
    [Id(0)] public List<Leg> All { get; set; } = [];

    /// <summary>Numbers the legs Acd creates, so leg ids and labels are never reused within a call.</summary>
    [Id(1)] public int Counter { get; set; }

    public Leg AddCaller(string callId, string callSid)
    {
        var leg = new Leg { LegId = $"{callId}-caller", Role = LegRole.Caller, CallSid = callSid, Status = LegStatus.InProgress, Answered = true, Label = "customer" };
        All.Add(leg);
        return leg;
    }

    /// <summary>A leg Acd is about to ask the network for.</summary>
    public Leg Add(string callId, LegRole role, string? agentId, string? to = null, DateTimeOffset? now = null)
    {
        var number = ++Counter;
        var (prefix, label) = role switch
        {
            LegRole.Customer => ("c", "customer"),
            LegRole.Supervisor => ("s", $"supervisor-{agentId}-{number}"),
            _ => ("a", $"agent-{agentId}-{number}"),
        };
        var leg = new Leg { LegId = $"{callId}-{prefix}{number}", Role = role, AgentId = agentId, Status = LegStatus.Queued, Label = label, To = to, RequestedAt = now };
        All.Add(leg);
        return leg;
    }

    public Leg? Find(string legId) => All.Find(l => l.LegId == legId);

    public Leg? BySid(string? callSid) => callSid is null ? null : All.Find(l => l.CallSid == callSid);

    /// <summary>
    /// The customer's leg: the caller of an inbound call, the person dialled by an outbound one; a callback's latest attempt
    /// (after the caller's own leg that asked for it).
    /// </summary>
    public Leg? Customer => All.FindLast(l => l.Role.IsCustomerSide());

    /// <summary>The customer is on the line (their leg has not ended).</summary>
    public bool CustomerOnLine => Customer is { } c && c.IsLive && c.Status == LegStatus.InProgress;

    /// <summary>An agent's live leg of the given roles (the newest), if any.</summary>
    public Leg? LiveOf(string agentId, params LegRole[] roles) =>
        All.LastOrDefault(l => l.AgentId == agentId && l.IsLive && (roles.Length == 0 ? l.Role.IsAgentSide() : roles.Contains(l.Role)));

    /// <summary>The live legs of supervisors.</summary>
    public IEnumerable<Leg> Supervisors => All.Where(l => l.Role == LegRole.Supervisor && l.IsLive);

    /// <summary>
    /// Applies a status report. Returns what changed; a duplicate, an older report, or a second final status change
    /// nothing. Once answered, a leg stays known as answered (a completed leg was answered).
    /// </summary>
    public static LegChange Report(Leg leg, LegStatus status, int? sequence)
    {
        var previous = leg.Status;
        if (sequence is { } s && s <= leg.LastSequence)
        {
            return new LegChange(previous, previous, false);
        }
        if (status.Rank() < previous.Rank() || (previous.IsFinal() && status.IsFinal()) || status == previous)
        {
            return new LegChange(previous, previous, false);
        }
        leg.LastSequence = sequence ?? leg.LastSequence;
        leg.Status = status;
        leg.Answered |= status is LegStatus.InProgress or LegStatus.Completed;
        return new LegChange(previous, status, true);
    }

    /// <summary>Acd hangs the leg up (or gives it up before it exists): reports that it answered later are late answers.</summary>
    public static void End(Leg leg) => leg.Ended = true;
}
