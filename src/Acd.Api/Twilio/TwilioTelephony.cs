using Acd.Grains.Abstractions;
using Acd.Grains.Telephony;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using global::Twilio.Clients;
using global::Twilio.Exceptions;
using global::Twilio.Rest.Api.V2010.Account;
using global::Twilio.Rest.Api.V2010.Account.Conference;
using global::Twilio.Types;

namespace Acd.Api.Twilio;

/// <summary>
/// <see cref="ITelephony"/> on Twilio's REST API. Every request runs outside grain turns: leg creations through the
/// paced <see cref="TwilioRequestQueue"/>, the rest at once; results go back to the call grain
/// (<see cref="ICallGrain.LegCreatedAsync"/>, <see cref="ICallGrain.LegFailedAsync"/>).
/// <para>
/// A create is never retried blindly: when it fails in a way that leaves open whether Twilio made the leg (a 5xx, a
/// timeout, a dropped connection), the leg is looked up by its participant label first, and asked for again only
/// when it is not there. A 429 made nothing and goes back into the pace. Requests that change an existing resource
/// (hold, mute, hang up) are retried by the HTTP client's resilience pipeline: doing them twice is harmless.
/// </para>
/// </summary>
public sealed class TwilioTelephony(
    ITwilioRestClient client,
    TwilioHttp http,
    TwilioRequestQueue queue,
    TwilioUrls urls,
    IGrainFactory grains,
    IOptions<TwilioOptions> options,
    [FromKeyedServices(TwilioClock.Key)] TimeProvider clock,
    ILogger<TwilioTelephony> logger) : ITelephony, ITwilioLookups, IDisposable
{
    /// <summary>Leg status callbacks Acd uses: ringing for the agent's client, answered to connect, completed for the outcome.</summary>
    public static readonly List<string> LegEvents = ["initiated", "ringing", "answered", "completed"];

    /// <summary>Conference callbacks Acd uses (design rule 5: subscribe only to what is used).</summary>
    public static readonly List<string> ConferenceEvents = ["start", "end", "join", "leave", "hold", "mute", "modify"];

    private int _running;
    private int _waitingForLookup;

    /// <summary>Agents answer on the phone: an offer connects when their leg answers, not when an API says so.</summary>
    public bool AnswersOnTheNetwork => true;

    /// <summary>Requests to Twilio under way now (paced ones that left the queue, and the rest; not those waiting their turn to look up).</summary>
    public int InFlight => Volatile.Read(ref _running) + queue.Running - Volatile.Read(ref _waitingForLookup);

    /// <summary>
    /// An agent's leg into a waiting caller's conference. The conference exists (the caller's TwiML made it): should its
    /// SID not be known yet, the live conference is found by name first, and none being live means the caller has left.
    /// It is never created by name into a conference that has ended (rule 4), where the agent would be alone.
    /// </summary>
    public Task RingAgentAsync(RingAgent request)
    {
        Submit(new AddParticipant(
            request.Leg, request.ContactUri, request.Label, Muted: false, Coaching: false, CallSidToCoach: null,
            StartConferenceOnEnter: true, EndConferenceOnExit: false, request.TimeoutSeconds, request.Urgency, request.CallerId), attempt: 1, lookFirst: false, joinsExisting: true);
        return Task.CompletedTask;
    }

    public int RingGroupRoom(string queueId, int wanted) => queue.RingGroupRoom(queueId, wanted);

    public Task AddParticipantAsync(AddParticipant request)
    {
        Submit(request, attempt: 1, lookFirst: false, joinsExisting: request.Leg.Conference.Sid is not null);
        return Task.CompletedTask;
    }

    private void Submit(AddParticipant request, int attempt, bool lookFirst, bool joinsExisting, DateTimeOffset? notBefore = null, DateTimeOffset? firstSent = null) =>
        queue.Enqueue(request.Leg.LegId, request.Urgency, _ => CreateAsync(request, attempt, lookFirst, joinsExisting, firstSent), notBefore);

    /// <summary>
    /// Asks Twilio for the leg (attempt <paramref name="attempt"/>). <paramref name="firstSent"/> is when a create for it was
    /// first sent (null: never yet): a leg Twilio made to the same destination since then is this one.
    /// </summary>
    private async Task CreateAsync(AddParticipant request, int attempt, bool lookFirst, bool joinsExisting, DateTimeOffset? firstSent)
    {
        if (http.Stopping)
        {
            return; // the node taking this call over reconciles its legs
        }
        var leg = request.Leg;
        var call = grains.GetGrain<ICallGrain>(leg.CallId);
        if (attempt > 1 && !await call.WantsLegAsync(leg.LegId))
        {
            // Asked again after a failure, but the call no longer wants it: the leg was made after all (its callbacks
            // brought the CallSid), or the offer it was for is over.
            logger.LogInformation("Leg {LegId} of {CallId} is no longer wanted: not asked for again", leg.LegId, leg.CallId);
            return;
        }
        if (lookFirst)
        {
            // An earlier attempt failed in a way that leaves open whether Twilio made the leg.
            switch (await FindLegAsync(leg, firstSent))
            {
                case { Found: { } existing }:
                    logger.LogInformation("Leg {LegId} of {CallId} was created after all ({CallSid}): not asked for again", leg.LegId, leg.CallId, existing);
                    await call.LegCreatedAsync(leg.LegId, existing);
                    return;
                case { Known: false }:
                    await RetryAsync(request, attempt, lookFirst: true, joinsExisting, "the leg could not be looked up", firstSent);
                    return;
            }
        }
        if (joinsExisting && leg.Conference.Sid is null && !leg.Staged)
        {
            // The caller's conference, by name: live, it is joined by its SID; ended, the caller has left; not there yet
            // (the agent's request got there before the caller did), the leg is created by name and starts it (rule 7).
            ConferenceByName found;
            try
            {
                found = await FindConferenceAsync(leg.Conference);
            }
            catch (Exception e) when (e is ApiException or ApiConnectionException)
            {
                await RetryAsync(request, attempt, lookFirst, joinsExisting, "the conference could not be looked up", firstSent);
                return;
            }
            if (found is { Sid: null, Ended: true })
            {
                await call.LegFailedAsync(leg.LegId, "the caller's conference has ended", LegFailure.ConferenceGone);
                return;
            }
            if (found.Sid is { } live)
            {
                request = request with { Leg = leg with { Conference = leg.Conference with { Sid = live } } };
                leg = request.Leg;
            }
        }
        string failure;
        firstSent ??= clock.GetUtcNow();
        try
        {
            if (leg.Staged)
            {
                // A ring group's leg is a call of its own that answers into Acd's TwiML: it joins the caller only once
                // it has taken the call.
                var created = await CallResource.CreateAsync(StagedOptions(request), client);
                await call.LegCreatedAsync(leg.LegId, created.Sid);
                return;
            }
            var participant = await ParticipantResource.CreateAsync(CreateOptions(request), client);
            await call.LegCreatedAsync(leg.LegId, participant.CallSid);
            return;
        }
        catch (ApiException e) when (e.Status == 429)
        {
            // Refused before anything was made: back into the pace, later.
            await RetryAsync(request, attempt, lookFirst: false, joinsExisting, "429 Too Many Requests", firstSent);
            return;
        }
        catch (ApiException e) when (e.Status is >= 400 and < 500)
        {
            // A definite no: a destination Twilio refuses (a bad number or client), or a conference that has ended (404:
            // addressed by its SID, it takes no one any more, so the customer has left).
            await call.LegFailedAsync(leg.LegId, $"Twilio {e.Status} {e.Code}: {e.Message}", e.Status == 404 ? LegFailure.ConferenceGone : LegFailure.Refused);
            return;
        }
        catch (ApiException e)
        {
            failure = $"Twilio {e.Status} {e.Code}: {e.Message}";
        }
        catch (ApiConnectionException e) when (!http.Stopping)
        {
            failure = $"network: {e.InnerException?.Message ?? e.Message}";
        }
        catch (ApiConnectionException)
        {
            return; // cancelled as the process stops: the node taking this call over reconciles its legs
        }
        await RetryAsync(request, attempt, lookFirst: true, joinsExisting, failure, firstSent);
    }

    private async Task RetryAsync(AddParticipant request, int attempt, bool lookFirst, bool joinsExisting, string failure, DateTimeOffset? firstSent)
    {
        var settings = options.Value;
        var leg = request.Leg;
        if (attempt > Math.Max(0, settings.MaxRetries))
        {
            // The offer fails and the call moves on. Should Twilio have made the leg after all, its callbacks name the
            // leg, and the call grain hangs up a leg it no longer wants.
            logger.LogWarning("Leg {LegId} of {CallId} given up after {Attempts} attempts: {Failure}", leg.LegId, leg.CallId, attempt, failure);
            await grains.GetGrain<ICallGrain>(leg.CallId).LegFailedAsync(leg.LegId, failure, LegFailure.GaveUp);
            return;
        }
        var delay = TimeSpan.FromMilliseconds(Math.Max(1, settings.RetryBaseDelayMilliseconds) * Math.Pow(2, attempt - 1));
        logger.LogInformation("Leg {LegId} of {CallId}: {Failure}; attempt {Next} in {Delay} ms{Look}", leg.LegId, leg.CallId, failure, attempt + 1, delay.TotalMilliseconds, lookFirst ? ", after looking it up" : "");
        Submit(request, attempt + 1, lookFirst, joinsExisting, clock.GetUtcNow() + delay, firstSent);
    }

    private CreateParticipantOptions CreateOptions(AddParticipant request)
    {
        var settings = options.Value;
        var leg = request.Leg;
        // Design rule 7: whichever participant is first fixes the conference's region and callbacks, and the agent's
        // leg may get there before the caller, so every Participants request carries them.
        // Rule 4: once the conference exists it is addressed by its SID, never by name, so a conference that has ended
        // is not silently recreated under the same name with one person alone in it.
        var create = new CreateParticipantOptions(leg.Conference.Sid ?? leg.Conference.Name, new PhoneNumber(settings.CallerId ?? request.CallerId ?? "Acd"), new PhoneNumber(request.To))
        {
            Label = request.Label,
            StartConferenceOnEnter = request.StartConferenceOnEnter,
            EndConferenceOnExit = request.EndConferenceOnExit,
            Timeout = Math.Clamp(request.TimeoutSeconds, 5, 600),
            Beep = "false",
            EarlyMedia = true,
            StatusCallback = urls.CallStatus(leg.CallId, leg.LegId),
            StatusCallbackMethod = global::Twilio.Http.HttpMethod.Post,
            StatusCallbackEvent = LegEvents,
            ConferenceStatusCallback = urls.ConferenceStatus(leg.CallId),
            ConferenceStatusCallbackMethod = global::Twilio.Http.HttpMethod.Post,
            ConferenceStatusCallbackEvent = ConferenceEvents,
            Region = settings.ConferenceRegion,
            WaitUrl = urls.Wait(leg.CallId),
        };
        if (request.Muted)
        {
            create.Muted = true;
        }
        if (request.Coaching)
        {
            create.Coaching = true;
            create.CallSidToCoach = request.CallSidToCoach;
        }
        return create;
    }

    private CreateCallOptions StagedOptions(AddParticipant request)
    {
        var settings = options.Value;
        var leg = request.Leg;
        return new CreateCallOptions(new PhoneNumber(request.To), new PhoneNumber(settings.CallerId ?? request.CallerId ?? "Acd"))
        {
            Url = urls.StagedAnswer(leg.CallId, leg.LegId, whispered: false),
            Method = global::Twilio.Http.HttpMethod.Post,
            Timeout = Math.Clamp(request.TimeoutSeconds, 5, 600),
            StatusCallback = urls.CallStatus(leg.CallId, leg.LegId),
            StatusCallbackMethod = global::Twilio.Http.HttpMethod.Post,
            StatusCallbackEvent = LegEvents,
        };
    }

    /// <summary>What a lookup of a leg by its label found: its CallSid, nothing (<see cref="Known"/>), or no answer.</summary>
    private readonly record struct Lookup(bool Known, string? Found);

    /// <summary>How far Twilio's clock may be from ours when calls are looked up by when they were created.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Finds a leg an earlier attempt may have made: its participant in the conference, by label (the conference by SID,
    /// or the live one of its name) while it rings or talks; once it has left the conference (unanswered, hung up), a
    /// participant is gone from the list, so then the call itself: one Twilio made to the leg's destination since the
    /// first attempt was sent. A destination has one Acd leg at a time (an agent one offer, a supervisor one session),
    /// so such a call is this leg.
    /// </summary>
    private async Task<Lookup> FindLegAsync(LegReference leg, DateTimeOffset? firstSent)
    {
        try
        {
            var conferenceSid = leg.Conference.Sid ?? await LiveConferenceSidAsync(leg.Conference);
            if (conferenceSid is not null && leg.Label is not null)
            {
                try
                {
                    var participant = await ParticipantResource.FetchAsync(pathConferenceSid: conferenceSid, pathCallSid: leg.Label, client: client);
                    return new Lookup(true, participant.CallSid);
                }
                catch (ApiException e) when (e.Status == 404)
                {
                }
            }
            if ((firstSent ?? leg.RequestedAt) is not { } sent || leg.To is null)
            {
                return new Lookup(true, null);
            }
            var since = sent - ClockSkew;
            var calls = await CallResource.ReadAsync(to: new PhoneNumber(leg.To), startTimeAfter: since.UtcDateTime, limit: 20, client: client);
            var made = calls.Where(c => c.DateCreated is not { } created || created >= since.UtcDateTime).OrderBy(c => c.DateCreated).FirstOrDefault();
            return new Lookup(true, made?.Sid);
        }
        catch (Exception e) when (e is ApiException or ApiConnectionException)
        {
            logger.LogInformation("Looking up leg {LegId} of {CallId} failed: {Message}", leg.LegId, leg.CallId, e.Message);
            return new Lookup(false, null);
        }
    }

    /// <summary>What Twilio has under a conference's name: the SID of the live one, or whether one has ended.</summary>
    private readonly record struct ConferenceByName(string? Sid, bool Ended);

    private async Task<ConferenceByName> FindConferenceAsync(ConferenceReference conference)
    {
        var all = await ConferenceResource.ReadAsync(friendlyName: conference.Name, client: client);
        var live = all.FirstOrDefault(c => c.Status == ConferenceResource.StatusEnum.InProgress || c.Status == ConferenceResource.StatusEnum.Init);
        return new ConferenceByName(live?.Sid, live is null && all.Any(c => c.Status == ConferenceResource.StatusEnum.Completed));
    }

    /// <summary>
    /// Whether the caller's conference has ended at Twilio (false: live or not known to have ended; a failed look-up is
    /// not an answer). A ring group's agent is joined to it by name, and Twilio would make a new one under that name.
    /// </summary>
    public Task<bool> ConferenceEndedAsync(string name, string? sid) => TwilioConferences.EndedAsync(client, name, sid, logger);

    /// <summary>The SID of a call's conference, found by name while it is starting or in progress; null when there is none.</summary>
    private async Task<string?> LiveConferenceSidAsync(ConferenceReference conference) => (await FindConferenceAsync(conference)).Sid;

    public Task EndLegAsync(LegReference leg)
    {
        if (leg.CallSid is null)
        {
            if (!queue.TryRemove(leg.LegId))
            {
                // Already on its way to Twilio: the call grain hangs it up when LegCreated brings its CallSid.
                logger.LogDebug("Leg {LegId} of {CallId} is being created; it is hung up once it has a CallSid", leg.LegId, leg.CallId);
            }
            return Task.CompletedTask;
        }
        // "completed" hangs up a ringing call and an answered one alike; Twilio ignores "canceled" for a call already in
        // progress, and an agent may have answered a moment ago. A ring group's leg that has not answered is canceled: if
        // it answered meanwhile it is only in Acd's TwiML, which tells it the call was taken and hangs it up.
        var status = leg.Staged && !leg.Answered ? CallResource.UpdateStatusEnum.Canceled : CallResource.UpdateStatusEnum.Completed;
        Run($"end leg {leg.LegId}", () => CallResource.UpdateAsync(pathSid: leg.CallSid, status: status, client: client));
        return Task.CompletedTask;
    }

    public Task EndConferenceAsync(ConferenceReference conference)
    {
        Run($"end conference of {conference.CallId}", async () =>
        {
            // The SID may not be known yet (its first callback has not come): find the live conference by its name.
            var sid = conference.Sid ?? await LiveConferenceSidAsync(conference);
            if (sid is null)
            {
                logger.LogInformation("Conference {ConferenceName} of {CallId} is not live: nothing to end", conference.Name, conference.CallId);
                return;
            }
            await ConferenceResource.UpdateAsync(pathSid: sid, status: ConferenceResource.UpdateStatusEnum.Completed, client: client);
        });
        return Task.CompletedTask;
    }

    public Task UpdateParticipantAsync(ParticipantUpdate update)
    {
        var settings = options.Value;
        Run($"update {update.CallSid} in {update.Conference.Name}", async () =>
        {
            var change = new UpdateParticipantOptions(update.Conference.Sid!, update.CallSid);
            if (update.Hold is { } hold)
            {
                change.Hold = hold;
                if (hold)
                {
                    change.HoldUrl = new Uri(settings.HoldMusicUrl);
                    change.HoldMethod = global::Twilio.Http.HttpMethod.Get;
                }
            }
            if (update.Muted is { } muted)
            {
                change.Muted = muted;
            }
            if (update.Coaching is { } coaching)
            {
                change.Coaching = coaching;
                if (coaching)
                {
                    change.CallSidToCoach = update.CallSidToCoach;
                }
            }
            await ParticipantResource.UpdateAsync(change, client);
        });
        return Task.CompletedTask;
    }

    public Task ReconcileAsync(Reconciliation request)
    {
        var callId = request.Conference.CallId;
        Run($"reconcile {callId}", async () =>
        {
            Interlocked.Increment(ref _waitingForLookup);
            try
            {
                await _lookups.WaitAsync();
            }
            finally
            {
                Interlocked.Decrement(ref _waitingForLookup);
            }
            try
            {
                var call = grains.GetGrain<ICallGrain>(callId);
                var conferenceSid = request.Conference.Sid;
                if (request.ConferenceEndAsked && conferenceSid is not null)
                {
                    // Acd asked for the conference to end: tell the call whether it has.
                    var fetched = await ConferenceResource.FetchAsync(pathSid: conferenceSid, client: client);
                    if (fetched.Status == ConferenceResource.StatusEnum.Completed)
                    {
                        await call.ConferenceEventAsync(new ConferenceEventReport(conferenceSid, ConferenceEvent.End, null, null, clock.GetUtcNow(), null, null, null, null, fetched.FriendlyName));
                    }
                }
                if (conferenceSid is null)
                {
                    // Its SID never came: by name, the live one is the call's (it learns the SID, and a hang-up asked for
                    // goes to it again); none live means an end asked for has nothing left to end.
                    if ((await FindConferenceAsync(request.Conference)).Sid is { } live)
                    {
                        conferenceSid = live;
                        await call.ConferenceEventAsync(new ConferenceEventReport(live, ConferenceEvent.Start, null, null, clock.GetUtcNow(), null, null, null, null, request.Conference.Name));
                        if (request.ConferenceEndAsked)
                        {
                            await ConferenceResource.UpdateAsync(pathSid: live, status: ConferenceResource.UpdateStatusEnum.Completed, client: client);
                        }
                    }
                    else if (request.ConferenceEndAsked)
                    {
                        await call.ConferenceNotLiveAsync();
                    }
                }
                foreach (var leg in request.Legs)
                {
                    var callSid = leg.CallSid;
                    if (callSid is null && leg.Label is not null)
                    {
                        switch (await FindLegAsync(leg with { Conference = leg.Conference with { Sid = conferenceSid } }, firstSent: null))
                        {
                            case { Found: { } found }:
                                // Asked for, never heard back about (the response and its callbacks were lost with the
                                // process): the call learns its CallSid.
                                logger.LogInformation("Reconcile {CallId}: leg {LegId} found in the conference as {Label} ({CallSid})", callId, leg.LegId, leg.Label, found);
                                await call.LegCreatedAsync(leg.LegId, found);
                                callSid = found;
                                break;
                            case { Known: true } when !queue.Holds(leg.LegId):
                                // Twilio never made it (the request died with the process) and nothing here will send it:
                                // the leg failed, and the call goes on without it.
                                logger.LogInformation("Reconcile {CallId}: leg {LegId} never reached Twilio", callId, leg.LegId);
                                await call.LegFailedAsync(leg.LegId, "never reached Twilio (lost with a process)", LegFailure.GaveUp);
                                continue;
                        }
                    }
                    if (callSid is null)
                    {
                        continue;
                    }
                    CallResource fetched;
                    try
                    {
                        fetched = await CallResource.FetchAsync(pathSid: callSid, client: client);
                    }
                    catch (ApiException e) when (e.Status == 404)
                    {
                        logger.LogWarning("Reconcile {CallId}: leg {CallSid} is unknown to Twilio", callId, callSid);
                        continue;
                    }
                    if (TwilioWords.LegStatus(fetched.Status?.ToString()) is { } status)
                    {
                        logger.LogInformation("Reconcile {CallId}: leg {LegId} ({CallSid}) is {Status}", callId, leg.LegId, callSid, status);
                        await call.LegStatusAsync(new LegStatusReport(leg.LegId, callSid, status, null, clock.GetUtcNow()));
                    }
                }
            }
            finally
            {
                _lookups.Release();
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>Reconciliation lookups after a restart run a few at a time, not all at once.</summary>
    private readonly SemaphoreSlim _lookups = new(Math.Max(1, options.Value.MaxConcurrentLookups));

    public void Dispose() => _lookups.Dispose();

    /// <summary>Requests that create no call are not paced: they run at once, off the grain's turn.</summary>
    private void Run(string what, Func<Task> request)
    {
        Interlocked.Increment(ref _running);
        _ = Task.Run(async () =>
        {
            try
            {
                await request();
            }
            catch (ApiException e) when (e.Status == 404)
            {
                logger.LogInformation("Twilio: {What}: already gone ({Message})", what, e.Message);
            }
            catch (Exception) when (http.Stopping)
            {
                // cancelled as the process stops: the node taking the call over reconciles it
            }
            catch (Exception e)
            {
                logger.LogError(e, "Twilio: {What} failed", what);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        });
    }
}

/// <summary>What a webhook asks Twilio before it answers (a ring group's agent is joined to the caller's conference by name).</summary>
public interface ITwilioLookups
{
    /// <summary>Whether the conference has ended at Twilio; false when it is live, unknown, or the look-up failed.</summary>
    Task<bool> ConferenceEndedAsync(string name, string? sid);
}

/// <summary>Looks a conference up: by its SID once known, else by name (rule 4).</summary>
public static class TwilioConferences
{
    /// <summary>Whether it has ended; false when it is live, never existed, or the look-up failed (not an answer).</summary>
    public static async Task<bool> EndedAsync(global::Twilio.Clients.ITwilioRestClient client, string name, string? sid, ILogger logger)
    {
        try
        {
            if (sid is not null)
            {
                return (await ConferenceResource.FetchAsync(pathSid: sid, client: client)).Status == ConferenceResource.StatusEnum.Completed;
            }
            var all = await ConferenceResource.ReadAsync(friendlyName: name, client: client);
            return !all.Any(c => c.Status == ConferenceResource.StatusEnum.InProgress || c.Status == ConferenceResource.StatusEnum.Init)
                && all.Any(c => c.Status == ConferenceResource.StatusEnum.Completed);
        }
        catch (Exception e) when (e is ApiException or ApiConnectionException)
        {
            logger.LogInformation("Looking up conference {ConferenceName} failed: {Message}", name, e.Message);
            return false;
        }
    }
}
