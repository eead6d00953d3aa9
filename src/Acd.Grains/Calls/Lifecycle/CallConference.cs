using Acd.Grains.Telephony;

namespace Acd.Grains.Calls.Lifecycle;

/// <summary>A conference operation waiting for the ConferenceSid: at most one of its parts is set.</summary>
[GenerateSerializer, Alias("acd.PendingOperation")]
public sealed record PendingOperation
{
    [Id(0)] public string Description { get; set; } = "";

    [Id(1)] public ParticipantUpdate? Update { get; set; }

    [Id(2)] public AddParticipant? Add { get; set; }

    [Id(3)] public bool EndConference { get; set; }

    [Id(4)] public DateTimeOffset RequestedAt { get; set; }
}

/// <summary>How a conference callback relates to the call's conference.</summary>
public enum ConferenceMatch
{
    /// <summary>Already handled (same SequenceNumber): a duplicate changes nothing.</summary>
    Duplicate,

    /// <summary>The first callback: it brings the ConferenceSid.</summary>
    Learned,

    /// <summary>About the call's conference.</summary>
    Same,

    /// <summary>About another conference (a late event of an old one): it changes nothing here.</summary>
    Other,
}

/// <summary>
/// The call's conference: its name, its SID once the first callback brings it (design rule 3), the callbacks already
/// handled, and the operations asked for before the SID was known, which wait for it, bounded.
/// </summary>
[GenerateSerializer, Alias("acd.CallConference")]
public sealed class CallConference
{
    private const int SequencesKept = 200;

    [Id(0)] public string Name { get; set; } = "";

    [Id(1)] public string? Sid { get; set; }

    [Id(2)] public DateTimeOffset? SidAt { get; set; }

    [Id(3)] public List<int> Seen { get; set; } = [];

    [Id(4)] public List<PendingOperation> Pending { get; set; } = [];

    [Id(5)] public DateTimeOffset? PendingDeadline { get; set; }

    /// <summary>Conferences the call had before this one (a caller who left the wait and came back, a callback): their late events change nothing.</summary>
    [Id(6)] public List<string> Retired { get; set; } = [];

    /// <summary>
    /// The call moves to a new conference under a new name (the old one has ended: a caller left the wait, a callback is
    /// about to call): what was learned of the old one is put aside.
    /// </summary>
    public void Replace(string name)
    {
        if (Sid is { } old)
        {
            Retired.Add(old);
        }
        Name = name;
        Sid = null;
        SidAt = null;
        Seen.Clear();
        Pending.Clear();
        PendingDeadline = null;
    }

    public ConferenceReference Reference(string callId) => new(callId, Name, Sid);

    /// <summary>Takes a callback: dropped when seen before; otherwise whether it taught the SID or is someone else's.</summary>
    public ConferenceMatch Take(string conferenceSid, int? sequence, DateTimeOffset now, string? friendlyName = null)
    {
        if (Retired.Contains(conferenceSid) || (friendlyName is not null && friendlyName != Name))
        {
            return ConferenceMatch.Other;
        }
        if (sequence is { } seen && Seen.Contains(seen))
        {
            return ConferenceMatch.Duplicate;
        }
        if (Sid is not null && Sid != conferenceSid)
        {
            return ConferenceMatch.Other;
        }
        if (sequence is { } s)
        {
            Seen.Add(s);
            if (Seen.Count > SequencesKept)
            {
                Seen.RemoveAt(0);
            }
        }
        if (Sid is null)
        {
            Sid = conferenceSid;
            SidAt = now;
            return ConferenceMatch.Learned;
        }
        return ConferenceMatch.Same;
    }

    /// <summary>Keeps an operation until the SID comes, for at most <paramref name="wait"/> from the first one kept.</summary>
    public void Wait(PendingOperation operation, DateTimeOffset now, TimeSpan wait)
    {
        Pending.Add(operation with { RequestedAt = now });
        PendingDeadline ??= now + wait;
    }

    /// <summary>What waited, in the order it was asked for; nothing waits afterwards.</summary>
    public List<PendingOperation> TakePending()
    {
        var pending = Pending.ToList();
        Pending.Clear();
        PendingDeadline = null;
        return pending;
    }
}
