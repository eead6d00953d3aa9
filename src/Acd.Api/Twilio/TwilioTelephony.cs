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
    TwilioRequestQueue queue,
    TwilioUrls urls,
    IGrainFactory grains,
    IOptions<TwilioOptions> options,
    [FromKeyedServices(TwilioClock.Key)] TimeProvider clock,
    ILogger<TwilioTelephony> logger) : ITelephony, IDisposable
{
    /// <summary>Leg status callbacks Acd uses: ringing for the agent's client, answered to connect, completed for the outcome.</summary>
    public static readonly List<string> LegEvents = ["initiated", "ringing", "answered", "completed"];

    /// <summary>Conference callbacks Acd uses (design rule 5: subscribe only to what is used).</summary>
    public static readonly List<string> ConferenceEvents = ["start", "end", "join", "leave", "hold", "mute", "modify"];

    private int _running;

    /// <summary>Agents answer on the phone: an offer connects when their leg answers, not when an API says so.</summary>
    public bool AnswersOnTheNetwork => true;

    /// <summary>Requests to Twilio under way now (paced ones that left the queue, and the rest).</summary>
    public int InFlight => Volatile.Read(ref _running) + queue.Running;

    public Task RingAgentAsync(RingAgent request) => AddParticipantAsync(new AddParticipant(
        request.Leg, request.ContactUri, request.Label, Muted: false, Coaching: false, CallSidToCoach: null,
        StartConferenceOnEnter: true, EndConferenceOnExit: false, request.TimeoutSeconds, request.Urgency, request.CallerId));

    public Task AddParticipantAsync(AddParticipant request)
    {
        Submit(request, attempt: 1, lookFirst: false);
        return Task.CompletedTask;
    }

    private void Submit(AddParticipant request, int attempt, bool lookFirst, DateTimeOffset? notBefore = null) =>
        queue.Enqueue(request.Leg.LegId, request.Urgency, _ => CreateAsync(request, attempt, lookFirst), notBefore);

    private async Task CreateAsync(AddParticipant request, int attempt, bool lookFirst)
    {
        var leg = request.Leg;
        var call = grains.GetGrain<ICallGrain>(leg.CallId);
        if (lookFirst)
        {
            // An earlier attempt failed in a way that leaves open whether Twilio made the leg.
            switch (await FindParticipantAsync(leg))
            {
                case { Found: { } existing }:
                    logger.LogInformation("Leg {LegId} of {CallId} was created after all ({CallSid}): not asked for again", leg.LegId, leg.CallId, existing);
                    await call.LegCreatedAsync(leg.LegId, existing);
                    return;
                case { Known: false }:
                    await RetryAsync(request, attempt, lookFirst: true, "the leg could not be looked up");
                    return;
            }
        }
        string failure;
        try
        {
            var participant = await ParticipantResource.CreateAsync(CreateOptions(request), client);
            await call.LegCreatedAsync(leg.LegId, participant.CallSid);
            return;
        }
        catch (ApiException e) when (e.Status == 429)
        {
            // Refused before anything was made: back into the pace, later.
            await RetryAsync(request, attempt, lookFirst: false, "429 Too Many Requests");
            return;
        }
        catch (ApiException e) when (e.Status is >= 400 and < 500)
        {
            // A definite no: a destination Twilio refuses (a bad number or client), or a conference that has ended (404,
            // not the destination's fault). The offer fails and the call moves on.
            await call.LegFailedAsync(leg.LegId, $"Twilio {e.Status} {e.Code}: {e.Message}", refused: e.Status != 404);
            return;
        }
        catch (ApiException e)
        {
            failure = $"Twilio {e.Status} {e.Code}: {e.Message}";
        }
        catch (ApiConnectionException e)
        {
            failure = $"network: {e.InnerException?.Message ?? e.Message}";
        }
        await RetryAsync(request, attempt, lookFirst: true, failure);
    }

    private async Task RetryAsync(AddParticipant request, int attempt, bool lookFirst, string failure)
    {
        var settings = options.Value;
        var leg = request.Leg;
        if (attempt > Math.Max(0, settings.MaxRetries))
        {
            // The offer fails and the call moves on. Should Twilio have made the leg after all, its callbacks name the
            // leg, and the call grain hangs up a leg it no longer wants.
            logger.LogWarning("Leg {LegId} of {CallId} given up after {Attempts} attempts: {Failure}", leg.LegId, leg.CallId, attempt, failure);
            await grains.GetGrain<ICallGrain>(leg.CallId).LegFailedAsync(leg.LegId, failure, refused: false);
            return;
        }
        var delay = TimeSpan.FromMilliseconds(Math.Max(1, settings.RetryBaseDelayMilliseconds) * Math.Pow(2, attempt - 1));
        logger.LogInformation("Leg {LegId} of {CallId}: {Failure}; attempt {Next} in {Delay} ms{Look}", leg.LegId, leg.CallId, failure, attempt + 1, delay.TotalMilliseconds, lookFirst ? ", after looking it up" : "");
        Submit(request, attempt + 1, lookFirst, clock.GetUtcNow() + delay);
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

    /// <summary>What a lookup of a leg by its label found: its CallSid, nothing (<see cref="Known"/>), or no answer.</summary>
    private readonly record struct Lookup(bool Known, string? Found);

    /// <summary>Finds a leg's participant in its conference by label (the conference by SID, or the live one of its name).</summary>
    private async Task<Lookup> FindParticipantAsync(LegReference leg)
    {
        if (leg.Label is null)
        {
            return new Lookup(true, null);
        }
        try
        {
            var conferenceSid = leg.Conference.Sid ?? await LiveConferenceSidAsync(leg.Conference);
            if (conferenceSid is null)
            {
                return new Lookup(true, null);
            }
            var participant = await ParticipantResource.FetchAsync(pathConferenceSid: conferenceSid, pathCallSid: leg.Label, client: client);
            return new Lookup(true, participant.CallSid);
        }
        catch (ApiException e) when (e.Status == 404)
        {
            return new Lookup(true, null);
        }
        catch (Exception e) when (e is ApiException or ApiConnectionException)
        {
            logger.LogInformation("Looking up leg {LegId} of {CallId} failed: {Message}", leg.LegId, leg.CallId, e.Message);
            return new Lookup(false, null);
        }
    }

    /// <summary>The SID of a call's conference, found by name while it is starting or in progress; null when there is none.</summary>
    private async Task<string?> LiveConferenceSidAsync(ConferenceReference conference)
    {
        foreach (var status in new[] { ConferenceResource.StatusEnum.InProgress, ConferenceResource.StatusEnum.Init })
        {
            var found = await ConferenceResource.ReadAsync(friendlyName: conference.Name, status: status, client: client);
            if (found.FirstOrDefault()?.Sid is { } sid)
            {
                return sid;
            }
        }
        return null;
    }

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
        // Always "completed": Twilio ignores "canceled" for a call already in progress, and an agent may have
        // answered a moment ago; "completed" hangs up a ringing call and an answered one alike.
        Run($"end leg {leg.LegId}", () => CallResource.UpdateAsync(pathSid: leg.CallSid, status: CallResource.UpdateStatusEnum.Completed, client: client));
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
            await _lookups.WaitAsync();
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
                    var live = await ConferenceResource.ReadAsync(friendlyName: request.Conference.Name, status: ConferenceResource.StatusEnum.InProgress, client: client);
                    if (live.FirstOrDefault() is { } conference)
                    {
                        conferenceSid = conference.Sid;
                        await call.ConferenceEventAsync(new ConferenceEventReport(conference.Sid, ConferenceEvent.Start, null, null, clock.GetUtcNow(), null, null, null, null, conference.FriendlyName));
                    }
                }
                foreach (var leg in request.Legs)
                {
                    var callSid = leg.CallSid;
                    if (callSid is null && leg.Label is not null)
                    {
                        switch (await FindParticipantAsync(leg with { Conference = leg.Conference with { Sid = conferenceSid } }))
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
                                await call.LegFailedAsync(leg.LegId, "never reached Twilio (lost with a process)", refused: false);
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
    private readonly SemaphoreSlim _lookups = new(4);

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
