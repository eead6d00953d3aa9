using System.Globalization;
using System.Xml.Linq;

namespace Acd.Twilio.Fake;

/// <summary>
/// Calls made with the Calls API run TwiML once answered, as Twilio does: the fake fetches the call's Url (signed, with
/// Twilio's parameters) and carries out &lt;Say&gt; (heard), &lt;Gather&gt; (waits for <see cref="PressAsync"/>, or goes
/// on when <see cref="GatherTimesOutAsync"/>), &lt;Redirect&gt;, &lt;Dial&gt;&lt;Conference&gt; (joins by name) and
/// &lt;Hangup&gt;; a document that ends without a &lt;Dial&gt; hangs up.
/// </summary>
public sealed partial class FakeTwilio
{
    private int _twiml;

    /// <summary>TwiML being fetched or carried out right now (a simulation waits for none before it looks).</summary>
    public int TwimlRunning => Volatile.Read(ref _twiml);

    /// <summary>Starts running TwiML for an answered leg (called under the lock); counted until done, so <see cref="IdleAsync"/> waits.</summary>
    private void StartTwiml(FakeLeg leg, string url, List<KeyValuePair<string, string>> extra) =>
        _ = CountedAsync(() => Task.Run(() => FetchAndRunAsync(leg, url, extra)));

    /// <summary>
    /// The person on <paramref name="callSid"/> presses keys at a &lt;Gather&gt;: its action is fetched with the Digits. Or
    /// presses * in a conference their &lt;Dial hangupOnStar="true"&gt; put them in: they leave it (the conference ends if
    /// they carry endConferenceOnExit) and the &lt;Dial&gt;'s action is fetched, whose TwiML they go on with.
    /// </summary>
    public Task PressAsync(string callSid, string digits)
    {
        if (digits == "*" && StepOut(callSid) is { } stepped)
        {
            return stepped;
        }
        var (leg, gathering) = TakeGathering(callSid);
        return CountedAsync(() => FetchAndRunAsync(leg, gathering.Action, [new("Digits", digits), new("FinishedOnKey", "")]));
    }

    private Task? StepOut(string callSid)
    {
        lock (_gate)
        {
            var leg = _legs[callSid];
            if (leg.IsFinal || !leg.HangupOnStar || leg.ConferenceSid is null || leg.Gathering is not null)
            {
                return null;
            }
            LeaveConferenceLocked(leg);
            return DialEndedLocked(leg);
        }
    }

    /// <summary>
    /// The leg's &lt;Dial&gt; is over (it left or its conference ended): with an action, Twilio asks it what next (DialCallStatus
    /// completed) and goes on with that TwiML; without one the document ends, and Twilio hangs up. Called under the lock.
    /// </summary>
    private Task DialEndedLocked(FakeLeg leg)
    {
        var action = leg.DialAction;
        leg.DialAction = null;
        leg.HangupOnStar = false;
        if (action is null)
        {
            HangUpLocked(leg);
            return Task.CompletedTask;
        }
        var run = CountedAsync(() => Task.Run(() => FetchAndRunAsync(leg, action, [new("DialCallStatus", "completed")])));
        return run;
    }

    /// <summary>Nobody pressed a key at the &lt;Gather&gt;: the verbs after it run.</summary>
    public Task GatherTimesOutAsync(string callSid)
    {
        var (leg, gathering) = TakeGathering(callSid);
        return CountedAsync(async () =>
        {
            if (Run(leg, gathering.After) is { } redirect)
            {
                await FetchAndRunAsync(leg, redirect, []);
            }
        });
    }

    /// <summary>The leg's waiting &lt;Gather&gt;, which ends now (a key came, or the time ran out).</summary>
    private (FakeLeg Leg, (string Action, List<XElement> After) Gathering) TakeGathering(string callSid)
    {
        lock (_gate)
        {
            var leg = _legs[callSid];
            if (leg.Gathering is not { } gathering || leg.IsFinal)
            {
                throw new InvalidOperationException($"{callSid} is not at a <Gather>");
            }
            leg.Gathering = null;
            return (leg, gathering);
        }
    }

    /// <summary>TwiML under way: counted, so that the fake is not idle (and a simulation does not look) until it is done.</summary>
    private async Task CountedAsync(Func<Task> run)
    {
        Interlocked.Increment(ref _pending);
        Interlocked.Increment(ref _twiml);
        try
        {
            await run();
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Decrement(ref _twiml);
        }
    }

    private void GatherExpired(FakeLeg leg, (string Action, List<XElement> After) gathering)
    {
        lock (_gate)
        {
            if (leg.Gathering != gathering || leg.IsFinal)
            {
                return; // a key came first, or the leg is gone
            }
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await GatherTimesOutAsync(leg.Sid);
            }
            catch (InvalidOperationException)
            {
                // A key came in the same moment.
            }
        });
    }

    private async Task FetchAndRunAsync(FakeLeg leg, string url, List<KeyValuePair<string, string>> extra)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            List<KeyValuePair<string, string>> form;
            lock (_gate)
            {
                if (leg.IsFinal)
                {
                    return;
                }
                form = [.. CallForm(leg), .. extra];
            }
            int status;
            string body;
            try
            {
                (status, body) = await PostSignedAsync(url, form);
            }
            catch (HttpRequestException)
            {
                (status, body) = (0, "");
            }
            if (status != 200)
            {
                // Twilio says "an application error has occurred" and hangs up.
                lock (_gate)
                {
                    leg.Said.Add($"(application error {status})");
                    HangUpLocked(leg);
                }
                return;
            }
            var next = Run(leg, [.. XDocument.Parse(body).Root!.Elements()]);
            if (next is null)
            {
                return;
            }
            (url, extra) = (next, []);
        }
    }

    /// <summary>Carries out verbs; the URL to fetch next (a &lt;Redirect&gt;), or null when the leg waits, talks or has hung up.</summary>
    private string? Run(FakeLeg leg, List<XElement> verbs)
    {
        lock (_gate)
        {
            for (var i = 0; i < verbs.Count; i++)
            {
                if (leg.IsFinal)
                {
                    return null;
                }
                var verb = verbs[i];
                switch (verb.Name.LocalName)
                {
                    case "Say":
                        leg.Said.Add(verb.Value);
                        break;
                    case "Play":
                        leg.Played.Add(verb.Value.Trim());
                        break;
                    case "Record":
                        // The caller speaks now (SpeakAsync), or says nothing.
                        leg.Recording = (verb, verbs[(i + 1)..]);
                        return null;
                    case "Gather":
                        leg.Said.AddRange(verb.Descendants("Say").Select(s => s.Value));
                        var gathering = ((string?)verb.Attribute("action") ?? leg.AnswerUrl!, verbs[(i + 1)..]);
                        leg.Gathering = gathering;
                        // Twilio waits `timeout` seconds (5 by default) for a key, then goes on with the next verbs.
                        var wait = TimeSpan.FromSeconds(int.TryParse((string?)verb.Attribute("timeout"), out var seconds) ? seconds : 5);
                        _timers.Add(Clock.CreateTimer(_ => GatherExpired(leg, gathering), null, wait, Timeout.InfiniteTimeSpan));
                        return null;
                    case "Redirect":
                        return verb.Value.Trim();
                    case "Dial" when verb.Element("Conference") is { } conference:
                        JoinByTwimlLocked(leg, conference);
                        return null;
                    case "Hangup":
                        HangUpLocked(leg);
                        return null;
                }
            }
            // The document ended: Twilio hangs up.
            HangUpLocked(leg);
            return null;
        }
    }

    /// <summary>
    /// &lt;Dial&gt;&lt;Conference&gt;: the leg joins the live conference of that name, or starts a new one whose region and
    /// callbacks are this TwiML's (the first participant's win, design rule 7).
    /// </summary>
    private void JoinByTwimlLocked(FakeLeg leg, XElement conferenceElement)
    {
        var name = conferenceElement.Value.Trim();
        var conference = _conferences.Values.LastOrDefault(c => c.FriendlyName == name && c.Status != "completed")
            ?? NewConference(
                name,
                (string?)conferenceElement.Attribute("region"),
                (string?)conferenceElement.Attribute("statusCallback"),
                Events([(string?)conferenceElement.Attribute("statusCallbackEvent") ?? ""]));
        leg.ConferenceSid = conference.Sid;
        leg.Label ??= (string?)conferenceElement.Attribute("participantLabel");
        var dial = conferenceElement.Parent;
        leg.DialAction = (string?)dial?.Attribute("action");
        leg.HangupOnStar = Flag((string?)dial?.Attribute("hangupOnStar"), false);
        var participant = new FakeParticipant
        {
            CallSid = leg.Sid,
            Label = (string?)conferenceElement.Attribute("participantLabel"),
            StartConferenceOnEnter = Flag((string?)conferenceElement.Attribute("startConferenceOnEnter"), true),
            EndConferenceOnExit = Flag((string?)conferenceElement.Attribute("endConferenceOnExit"), false),
        };
        conference.Participants[leg.Sid] = participant;
        JoinLocked(conference, participant);
    }

    private readonly List<FakeRecording> _recordings = [];

    /// <summary>The recordings made so far.</summary>
    public IReadOnlyList<FakeRecording> Recordings
    {
        get
        {
            lock (_gate)
            {
                return [.. _recordings];
            }
        }
    }

    /// <summary>Whether the leg is at a &lt;Record&gt; (Twilio recording what they say).</summary>
    public bool IsRecording(string callSid)
    {
        lock (_gate)
        {
            return _legs[callSid] is { Recording: not null, IsFinal: false };
        }
    }

    /// <summary>
    /// The person at a &lt;Record&gt; speaks for <paramref name="seconds"/> (cut at its maxLength), then presses # or, with
    /// <paramref name="hangUp"/>, hangs up. As Twilio does: the action is asked with RecordingUrl, RecordingDuration and
    /// Digits (its TwiML is carried out unless they hung up), then the recordingStatusCallback gets <c>completed</c> with the
    /// RecordingSid. Silence (0 seconds) records nothing: no action; <c>absent</c> to the callback if it asked for it, and
    /// the verbs after the &lt;Record&gt; run.
    /// </summary>
    public async Task<FakeRecording?> SpeakAsync(string callSid, int seconds, bool hangUp = false)
    {
        FakeLeg leg;
        XElement verb;
        List<XElement> after;
        lock (_gate)
        {
            leg = _legs[callSid];
            if (leg.Recording is not { } recording || leg.IsFinal)
            {
                throw new InvalidOperationException($"{callSid} is not at a <Record>");
            }
            leg.Recording = null;
            (verb, after) = recording;
        }
        var statusCallback = (string?)verb.Attribute("recordingStatusCallback");
        var events = ((string?)verb.Attribute("recordingStatusCallbackEvent") ?? "completed").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var sid = NewSid("RE");
        var url = $"https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Recordings/{sid}";
        List<KeyValuePair<string, string>> Status(string status, int duration) =>
        [
            new("AccountSid", AccountSid), new("CallSid", callSid), new("RecordingSid", sid), new("RecordingUrl", url),
            new("RecordingStatus", status), new("RecordingDuration", duration.ToString(CultureInfo.InvariantCulture)),
            new("RecordingChannels", "1"), new("RecordingSource", "RecordVerb"),
            new("RecordingStartTime", Rfc1123(Clock.GetUtcNow())),
        ];
        if (seconds <= 0)
        {
            if (statusCallback is not null && events.Contains("absent"))
            {
                Enqueue(statusCallback, Status("absent", 0));
            }
            await CountedAsync(async () =>
            {
                if (hangUp)
                {
                    HangUp(callSid);
                }
                else if (Run(leg, after) is { } redirect)
                {
                    await FetchAndRunAsync(leg, redirect, []);
                }
            });
            return null;
        }
        var max = int.TryParse((string?)verb.Attribute("maxLength"), out var m) && m > 0 ? m : 3600;
        var made = new FakeRecording(sid, url, Math.Min(seconds, max), callSid);
        lock (_gate)
        {
            _recordings.Add(made);
        }
        var action = (string?)verb.Attribute("action") ?? leg.AnswerUrl;
        var form = new List<KeyValuePair<string, string>>
        {
            new("RecordingUrl", url), new("RecordingDuration", made.DurationSeconds.ToString(CultureInfo.InvariantCulture)),
            new("Digits", hangUp ? "hangup" : "#"),
        };
        await CountedAsync(async () =>
        {
            if (hangUp)
            {
                HangUp(callSid);
                if (action is not null)
                {
                    // Twilio still asks the action of a caller who hung up while recording; its TwiML goes nowhere.
                    List<KeyValuePair<string, string>> done;
                    lock (_gate)
                    {
                        done = [.. CallForm(leg), .. form];
                    }
                    await PostSignedAsync(action, done);
                }
            }
            else if (action is not null)
            {
                await FetchAndRunAsync(leg, action, form);
            }
            if (statusCallback is not null && events.Contains("completed"))
            {
                Enqueue(statusCallback, Status("completed", made.DurationSeconds));
            }
        });
        return made;
    }
}
