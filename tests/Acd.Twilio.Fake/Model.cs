namespace Acd.Twilio.Fake;

/// <summary>What a leg does when the fake rings it.</summary>
public enum LegBehavior
{
    /// <summary>Keeps ringing until the test answers, rejects or lets it time out.</summary>
    Ring,

    /// <summary>Answers at once and joins its conference.</summary>
    Answer,

    /// <summary>Busy.</summary>
    Busy,

    /// <summary>Rings out: no answer.</summary>
    NoAnswer,

    /// <summary>The call fails (bad number).</summary>
    Fail,
}

/// <summary>A REST request the fake received.</summary>
public sealed record RestRequest(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Form,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    string? TargetHost,
    DateTimeOffset At,
    int Status)
{
    public string? this[string name] => Form.Concat(Query).FirstOrDefault(p => p.Key == name).Value;

    public IEnumerable<string> All(string name) => Form.Where(p => p.Key == name).Select(p => p.Value);
}

/// <summary>A callback the fake sent to Acd.</summary>
public sealed record SentCallback(string Url, IReadOnlyList<KeyValuePair<string, string>> Form, int Status, DateTimeOffset At)
{
    public string? this[string name] => Form.FirstOrDefault(p => p.Key == name).Value;
}

/// <summary>A callback Twilio made and the fake holds, to be delivered when (and as often as) its caller chooses.</summary>
public sealed record HeldCallback(string Url, IReadOnlyList<KeyValuePair<string, string>> Form)
{
    public string? this[string name] => Form.FirstOrDefault(p => p.Key == name).Value;
}

/// <summary>One phone leg (Twilio's Call resource).</summary>
public sealed class FakeLeg
{
    public required string Sid { get; init; }

    public required string From { get; init; }

    public required string To { get; init; }

    public string Status { get; set; } = "queued";

    public string Direction { get; init; } = "outbound-api";

    public string? StatusCallback { get; init; }

    public HashSet<string> StatusCallbackEvents { get; init; } = [];

    public string? ConferenceSid { get; set; }

    /// <summary>Twilio numbers each leg's status callbacks from 0.</summary>
    public int Sequence { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>When the leg was created; and, for a leg rung with a Timeout, when it stops ringing unanswered.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RingsUntil { get; set; }

    /// <summary>The participant label the leg was created with (Participants API), or its TwiML gave it when it joined.</summary>
    public string? Label { get; set; }

    /// <summary>A call made with the Calls API: the TwiML Twilio fetches when it answers (null for a participant's leg).</summary>
    public string? AnswerUrl { get; init; }

    /// <summary>What the person on the leg heard (the TwiML's &lt;Say&gt;s, in order).</summary>
    public List<string> Said { get; } = [];

    /// <summary>A &lt;Gather&gt; waiting for a key: where the digits go, and the verbs that follow it if none come.</summary>
    public (string Action, List<System.Xml.Linq.XElement> After)? Gathering { get; set; }

    /// <summary>The &lt;Dial&gt; action of the conference the leg joined by TwiML: asked when it leaves (by * or its end).</summary>
    public string? DialAction { get; set; }

    /// <summary>The leg's &lt;Dial&gt; has hangupOnStar: pressing * takes it out of the conference, to the action.</summary>
    public bool HangupOnStar { get; set; }

    /// <summary>What the leg's &lt;Play&gt;s played, in order.</summary>
    public List<string> Played { get; } = [];

    /// <summary>A &lt;Record&gt; under way: its element, and the verbs after it (run when nothing was recorded).</summary>
    public (System.Xml.Linq.XElement Verb, List<System.Xml.Linq.XElement> After)? Recording { get; set; }

    public bool IsFinal => Status is "completed" or "busy" or "no-answer" or "failed" or "canceled";
}

/// <summary>A participant of a conference.</summary>
public sealed class FakeParticipant
{
    public required string CallSid { get; init; }

    public string? Label { get; init; }

    public bool StartConferenceOnEnter { get; init; } = true;

    public bool EndConferenceOnExit { get; init; }

    public bool Muted { get; set; }

    public bool Hold { get; set; }

    public bool Coaching { get; set; }

    public string? CallSidToCoach { get; set; }

    /// <summary>queued, connecting, ringing, connected, complete, failed.</summary>
    public string Status { get; set; } = "queued";
}

/// <summary>A conference: started by a startConferenceOnEnter participant, ended by an endConferenceOnExit one leaving or the last one.</summary>
public sealed class FakeConference
{
    public required string Sid { get; init; }

    public required string FriendlyName { get; init; }

    /// <summary>init, in-progress, completed.</summary>
    public string Status { get; set; } = "init";

    public string? Region { get; init; }

    public string? StatusCallback { get; init; }

    public HashSet<string> StatusCallbackEvents { get; init; } = [];

    public Dictionary<string, FakeParticipant> Participants { get; } = new(StringComparer.Ordinal);

    private readonly List<string> _joined = [];

    /// <summary>Every participant who was ever in it, in order, for tests: a copy, safe to read while calls go on.</summary>
    public IReadOnlyList<string> Joined
    {
        get
        {
            lock (_joined)
            {
                return [.. _joined];
            }
        }
    }

    internal void Join(string callSid)
    {
        lock (_joined)
        {
            _joined.Add(callSid);
        }
    }

    public int Sequence { get; set; }

    public string? ReasonEnded { get; set; }

    public string? CallSidEndingConference { get; set; }
}

/// <summary>A recording a &lt;Record&gt; made: its SID, its URL (under the account's Recordings), its length, and whose call it was.</summary>
public sealed record FakeRecording(string Sid, string Url, int DurationSeconds, string CallSid);
