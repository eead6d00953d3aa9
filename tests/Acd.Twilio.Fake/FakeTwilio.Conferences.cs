using Microsoft.AspNetCore.Http;

namespace Acd.Twilio.Fake;

/// <summary>Conferences and legs, modelled as Twilio behaves (the part of it Acd depends on).</summary>
public sealed partial class FakeTwilio
{
    private async Task<int> CreateParticipantAsync(HttpContext context, string conferenceSidOrName, Func<string, string?> get, Func<string, IEnumerable<string>> all)
    {
        FakeConference conference;
        FakeParticipant participant;
        lock (_gate)
        {
            var existing = _conferences.GetValueOrDefault(conferenceSidOrName);
            if (existing is { Status: "completed" })
            {
                existing = null;
            }
            if (conferenceSidOrName.StartsWith("CF", StringComparison.Ordinal) && existing is null && _conferences.ContainsKey(conferenceSidOrName))
            {
                // A SID names one conference; once it has ended it takes no one.
                conference = null!;
                participant = null!;
            }
            else
            {
                // A friendly name joins the live conference of that name, or starts a new one with a new SID: the
                // first participant's region and callbacks fix the conference's (design rule 7).
                conference = existing ?? _conferences.Values.LastOrDefault(c => c.FriendlyName == conferenceSidOrName && c.Status != "completed")
                    ?? NewConference(conferenceSidOrName, get("Region"), get("ConferenceStatusCallback"), Events(all("ConferenceStatusCallbackEvent")));
                var leg = new FakeLeg
                {
                    Sid = NewSid("CA"),
                    From = get("From")!,
                    To = get("To")!,
                    StatusCallback = get("StatusCallback"),
                    StatusCallbackEvents = Events(all("StatusCallbackEvent")),
                    ConferenceSid = conference.Sid,
                    CreatedAt = Clock.GetUtcNow(),
                    Label = get("Label"),
                };
                _legs[leg.Sid] = leg;
                participant = new FakeParticipant
                {
                    CallSid = leg.Sid,
                    Label = get("Label"),
                    StartConferenceOnEnter = Flag(get("StartConferenceOnEnter"), true),
                    EndConferenceOnExit = Flag(get("EndConferenceOnExit"), false),
                    Muted = Flag(get("Muted"), false),
                    Coaching = Flag(get("Coaching"), false),
                    CallSidToCoach = get("CallSidToCoach"),
                    Status = "queued",
                };
                conference.Participants[leg.Sid] = participant;
                participant.Status = "ringing";
                RingLocked(leg, get("Timeout"));
            }
        }
        if (conference is null)
        {
            await WriteErrorAsync(context, 404, 20404, $"Conference {conferenceSidOrName} is not active");
            return 404;
        }
        if (StallParticipantResponses)
        {
            // The participant exists and rings; the answer to the request is lost (a dropped connection, a crash).
            await StalledAsync();
            await WriteLateAsync(context, 201, ParticipantJson(conference, participant));
            return 201;
        }
        await WriteJsonAsync(context, 201, ParticipantJson(conference, participant));
        return 201;
    }

    /// <summary>Fetches a participant by its CallSid or by its label, as Twilio allows.</summary>
    private async Task<int> FetchParticipantAsync(HttpContext context, string conferenceSid, string callSidOrLabel)
    {
        FakeConference? conference;
        FakeParticipant? participant;
        lock (_gate)
        {
            conference = _conferences.GetValueOrDefault(conferenceSid);
            participant = conference?.Participants.GetValueOrDefault(callSidOrLabel)
                ?? conference?.Participants.Values.LastOrDefault(p => p.Label == callSidOrLabel && p.Status != "complete");
        }
        if (conference is null || participant is null)
        {
            await WriteErrorAsync(context, 404, 20404, $"Participant {callSidOrLabel} is not in conference {conferenceSid}");
            return 404;
        }
        await WriteJsonAsync(context, 200, ParticipantJson(conference, participant));
        return 200;
    }

    private async Task<int> UpdateParticipantAsync(HttpContext context, string conferenceSid, string callSid, Func<string, string?> get)
    {
        FakeConference? conference;
        FakeParticipant? participant;
        lock (_gate)
        {
            conference = _conferences.GetValueOrDefault(conferenceSid);
            participant = conference?.Status == "completed" ? null : conference?.Participants.GetValueOrDefault(callSid);
            if (conference is not null && participant is not null)
            {
                // Twilio applies an update as a whole, then reports it: every callback carries the final state.
                var events = new List<string>();
                if (get("Hold") is { } hold && Flag(hold, false) != participant.Hold)
                {
                    participant.Hold = Flag(hold, false);
                    events.Add(participant.Hold ? "participant-hold" : "participant-unhold");
                }
                if (get("Muted") is { } muted && Flag(muted, false) != participant.Muted)
                {
                    participant.Muted = Flag(muted, false);
                    events.Add(participant.Muted ? "participant-mute" : "participant-unmute");
                }
                var coachingChanged = false;
                if (get("Coaching") is { } coaching && Flag(coaching, false) != participant.Coaching)
                {
                    participant.Coaching = Flag(coaching, false);
                    coachingChanged = true;
                }
                if (get("CallSidToCoach") is { } toCoach && toCoach != participant.CallSidToCoach)
                {
                    participant.CallSidToCoach = toCoach;
                    coachingChanged = true;
                }
                if (coachingChanged)
                {
                    events.Add("participant-modify");
                }
                foreach (var name in events)
                {
                    ConferenceCallback(conference, name, participant);
                }
            }
        }
        if (conference is null || participant is null)
        {
            await WriteErrorAsync(context, 404, 20404, $"Participant {callSid} is not in conference {conferenceSid}");
            return 404;
        }
        await WriteJsonAsync(context, 200, ParticipantJson(conference, participant));
        return 200;
    }

    private async Task<int> ListConferencesAsync(HttpContext context, string? friendlyName, string? status)
    {
        List<Dictionary<string, object?>> found;
        lock (_gate)
        {
            found = [.. _conferences.Values
                .Where(c => (friendlyName is null || c.FriendlyName == friendlyName) && (status is null || c.Status == status))
                .Select(ConferenceJson)];
        }
        return await WritePageAsync(context, "conferences", "Conferences", found);
    }

    private async Task<int> FetchConferenceAsync(HttpContext context, string sid)
    {
        FakeConference? conference;
        lock (_gate)
        {
            conference = _conferences.GetValueOrDefault(sid);
        }
        if (conference is null)
        {
            await WriteErrorAsync(context, 404, 20404, $"Conference {sid} not found");
            return 404;
        }
        await WriteJsonAsync(context, 200, ConferenceJson(conference));
        return 200;
    }

    private async Task<int> UpdateConferenceAsync(HttpContext context, string sid, Func<string, string?> get)
    {
        FakeConference? conference;
        lock (_gate)
        {
            conference = _conferences.GetValueOrDefault(sid);
            if (conference is not null && get("Status") == "completed" && conference.Status != "completed")
            {
                EndLocked(conference, "conference-ended-via-api", null);
            }
        }
        if (conference is null)
        {
            await WriteErrorAsync(context, 404, 20404, $"Conference {sid} not found");
            return 404;
        }
        await WriteJsonAsync(context, 200, ConferenceJson(conference));
        return 200;
    }

    /// <summary>A held answer, sent to whoever still listens.</summary>
    private static async Task WriteLateAsync(HttpContext context, int status, object body)
    {
        try
        {
            await WriteJsonAsync(context, status, body);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // Nobody is listening any more.
        }
    }

    private async Task<int> CreateCallAsync(HttpContext context, Func<string, string?> get, Func<string, IEnumerable<string>> all)
    {
        FakeLeg leg;
        lock (_gate)
        {
            leg = new FakeLeg
            {
                Sid = NewSid("CA"),
                From = get("From")!,
                To = get("To")!,
                StatusCallback = get("StatusCallback"),
                StatusCallbackEvents = Events(all("StatusCallbackEvent")),
                CreatedAt = Clock.GetUtcNow(),
                AnswerUrl = get("Url"),
            };
            _legs[leg.Sid] = leg;
            leg.Status = "queued";
            if (leg.AnswerUrl is not null)
            {
                // Twilio rings the destination; once answered it fetches the Url and carries out its TwiML.
                RingLocked(leg, get("Timeout"));
            }
        }
        if (StallCallsTo is { } stalled && stalled == leg.To)
        {
            await StalledAsync();
            await WriteLateAsync(context, 201, CallJson(leg));
            return 201;
        }
        await WriteJsonAsync(context, 201, CallJson(leg));
        return 201;
    }

    /// <summary>
    /// Calls, newest first, filtered as Twilio's list is: by <c>To</c>, and by start time (<c>StartTime&gt;</c>,
    /// <c>StartTime&gt;=</c>: on or after a date, or an instant when one is given).
    /// </summary>
    private async Task<int> ListCallsAsync(HttpContext context, List<KeyValuePair<string, string>> query)
    {
        string? Find(string name) => query.FirstOrDefault(q => q.Key == name).Value;
        var to = Find("To");
        var after = (Find("StartTime>") ?? Find("StartTime>=")) is { } text ? ParseStart(text) : null;
        List<Dictionary<string, object?>> found;
        lock (_gate)
        {
            found = [.. _legs.Values
                .Where(l => (to is null || l.To == to) && (after is null || l.CreatedAt >= after))
                .OrderByDescending(l => l.CreatedAt)
                .Select(CallJson)];
        }
        return await WritePageAsync(context, "calls", "Calls", found);
    }

    /// <summary>One page of a list resource, the whole list in it, in Twilio's paging envelope.</summary>
    private async Task<int> WritePageAsync(HttpContext context, string key, string resource, List<Dictionary<string, object?>> found)
    {
        var uri = $"/2010-04-01/Accounts/{AccountSid}/{resource}.json?PageSize=50&Page=0";
        await WriteJsonAsync(context, 200, new Dictionary<string, object?>
        {
            [key] = found,
            ["end"] = Math.Max(0, found.Count - 1),
            ["first_page_uri"] = uri,
            ["next_page_uri"] = null,
            ["page"] = 0,
            ["page_size"] = 50,
            ["previous_page_uri"] = null,
            ["start"] = 0,
            ["uri"] = uri,
        });
        return 200;
    }

    /// <summary>A date (its start, UTC) or an ISO 8601 instant.</summary>
    private static DateTimeOffset? ParseStart(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var instant) ? instant : null;

    private async Task<int> FetchCallAsync(HttpContext context, string sid)
    {
        Dictionary<string, object?>? json;
        lock (_gate)
        {
            json = _legs.GetValueOrDefault(sid) is { } leg ? CallJson(leg) : null;
        }
        if (json is null)
        {
            await WriteErrorAsync(context, 404, 20404, $"Call {sid} not found");
            return 404;
        }
        await WriteJsonAsync(context, 200, json);
        return 200;
    }

    private async Task<int> UpdateCallAsync(HttpContext context, string sid, Func<string, string?> get)
    {
        FakeLeg? leg;
        lock (_gate)
        {
            leg = _legs.GetValueOrDefault(sid);
            if (leg is not null && !leg.IsFinal)
            {
                switch (get("Status"))
                {
                    case "canceled" when leg.Status is "queued" or "initiated" or "ringing":
                        EndRingingLocked(leg, "canceled");
                        break;
                    case "completed" when leg.Status is "queued" or "initiated" or "ringing":
                        EndRingingLocked(leg, "canceled");
                        break;
                    case "completed":
                        HangUpLocked(leg);
                        break;
                }
            }
        }
        if (leg is null)
        {
            await WriteErrorAsync(context, 404, 20404, $"Call {sid} not found");
            return 404;
        }
        await WriteJsonAsync(context, 200, CallJson(leg));
        return 200;
    }

    /// <summary>A new leg rings (initiated, ringing), for its Timeout, and does what its destination does when rung.</summary>
    private void RingLocked(FakeLeg leg, string? timeoutSeconds)
    {
        leg.Status = "initiated";
        LegCallback(leg, "initiated");
        leg.Status = "ringing";
        LegCallback(leg, "ringing");
        if (int.TryParse(timeoutSeconds, out var timeout) && timeout > 0)
        {
            RingFor(leg, TimeSpan.FromSeconds(timeout));
        }
        switch (_behaviors.GetValueOrDefault(leg.To, DefaultBehavior))
        {
            case LegBehavior.Answer:
                AnswerLocked(leg);
                break;
            case LegBehavior.Busy:
                EndRingingLocked(leg, "busy");
                break;
            case LegBehavior.NoAnswer:
                EndRingingLocked(leg, "no-answer");
                break;
            case LegBehavior.Fail:
                EndRingingLocked(leg, "failed");
                break;
        }
    }

    /// <summary>Twilio's Timeout: a leg still ringing when it runs out ends no-answer.</summary>
    private void RingFor(FakeLeg leg, TimeSpan timeout)
    {
        leg.RingsUntil = Clock.GetUtcNow() + timeout;
        _timers.Add(Clock.CreateTimer(_ =>
        {
            lock (_gate)
            {
                if (leg.Status is "queued" or "initiated" or "ringing")
                {
                    EndRingingLocked(leg, "no-answer");
                }
            }
        }, null, timeout, Timeout.InfiniteTimeSpan));
    }

    private FakeConference NewConference(string name, string? region, string? statusCallback, HashSet<string> events)
    {
        var conference = new FakeConference
        {
            Sid = NewSid("CF"),
            FriendlyName = name,
            Region = region,
            StatusCallback = statusCallback,
            StatusCallbackEvents = events,
        };
        _conferences[conference.Sid] = conference;
        return conference;
    }

    /// <summary>A ringing leg answers: it joins its conference, which starts if the leg may start it.</summary>
    private void AnswerLocked(FakeLeg leg)
    {
        if (leg.Status is not ("queued" or "initiated" or "ringing"))
        {
            return;
        }
        leg.Status = "in-progress";
        leg.AnsweredAt = Clock.GetUtcNow();
        LegCallback(leg, "answered");
        if (leg.AnswerUrl is { } url)
        {
            StartTwiml(leg, url, []);
            return;
        }
        if (leg.ConferenceSid is { } sid && _conferences.GetValueOrDefault(sid) is { } conference)
        {
            if (conference.Status == "completed")
            {
                // The conference this leg was meant for is gone: the leg is alone, and hangs up.
                HangUpLocked(leg);
                return;
            }
            var participant = conference.Participants[leg.Sid];
            JoinLocked(conference, participant);
        }
    }

    private void JoinLocked(FakeConference conference, FakeParticipant participant)
    {
        participant.Status = "connected";
        conference.Join(participant.CallSid);
        ConferenceCallback(conference, "participant-join", participant);
        if (participant.StartConferenceOnEnter && conference.Status == "init")
        {
            conference.Status = "in-progress";
            ConferenceCallback(conference, "conference-start");
        }
    }

    /// <summary>A leg that never answered ends (busy, no-answer, failed, canceled) and leaves its conference's list.</summary>
    private void EndRingingLocked(FakeLeg leg, string status)
    {
        leg.Status = status;
        if (leg.ConferenceSid is { } sid && _conferences.GetValueOrDefault(sid) is { } conference && conference.Participants.Remove(leg.Sid))
        {
            if (conference.Status != "completed" && conference.Participants.Values.All(p => p.Status != "connected") && conference.Joined.Count > 0)
            {
                EndLocked(conference, "last-participant-left", null);
            }
        }
        LegCallback(leg, "completed");
    }

    /// <summary>A connected leg hangs up: it leaves, and ends the conference if it carries endConferenceOnExit or was the last.</summary>
    private void HangUpLocked(FakeLeg leg)
    {
        if (leg.IsFinal)
        {
            return;
        }
        if (leg.Status is "queued" or "initiated" or "ringing")
        {
            EndRingingLocked(leg, "canceled");
            return;
        }
        leg.Status = "completed";
        var action = leg.ConferenceSid is not null ? leg.DialAction : null;
        LeaveConferenceLocked(leg);
        LegCallback(leg, "completed");
        if (action is not null)
        {
            // Twilio asks a <Dial>'s action even when the caller hung up (CallStatus completed), and ignores its answer:
            // a callback in all but name, sent (and held, or lost) with them.
            leg.DialAction = null;
            Enqueue(action, [.. CallForm(leg), new("DialCallStatus", "completed")]);
        }
    }

    /// <summary>A connected leg leaves its conference (hung up, or * with hangupOnStar), which ends if it carries endConferenceOnExit or was the last.</summary>
    private void LeaveConferenceLocked(FakeLeg leg)
    {
        var sid = leg.ConferenceSid;
        if (leg.Status != "completed")
        {
            leg.ConferenceSid = null; // still on the line, out of the conference
        }
        if (sid is not null && _conferences.GetValueOrDefault(sid) is { Status: not "completed" } conference
            && conference.Participants.Remove(leg.Sid, out var participant))
        {
            ConferenceCallback(conference, "participant-leave", participant);
            if (participant.EndConferenceOnExit)
            {
                EndLocked(conference, "participant-with-end-conference-on-exit-left", leg.Sid);
            }
            else if (conference.Participants.Values.All(p => p.Status != "connected"))
            {
                EndLocked(conference, "last-participant-left", leg.Sid);
            }
        }
    }

    private void EndLocked(FakeConference conference, string reason, string? endingCallSid)
    {
        conference.Status = "completed";
        conference.ReasonEnded = reason;
        conference.CallSidEndingConference = endingCallSid;
        foreach (var participant in conference.Participants.Values.ToList())
        {
            conference.Participants.Remove(participant.CallSid);
            var leg = _legs.GetValueOrDefault(participant.CallSid);
            if (participant.Status == "connected")
            {
                ConferenceCallback(conference, "participant-leave", participant);
                if (leg is { IsFinal: false, DialAction: not null } && leg.ConferenceSid == conference.Sid)
                {
                    // Its <Dial> is over, and its action says what the caller hears next.
                    leg.ConferenceSid = null;
                    _ = DialEndedLocked(leg);
                }
                else if (leg is not null && !leg.IsFinal)
                {
                    leg.Status = "completed";
                    LegCallback(leg, "completed");
                }
            }
            else if (leg is not null && !leg.IsFinal)
            {
                leg.Status = "canceled";
                LegCallback(leg, "completed");
            }
        }
        ConferenceCallback(conference, "conference-end");
    }
}
