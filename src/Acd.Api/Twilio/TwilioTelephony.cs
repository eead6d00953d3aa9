using Acd.Grains.Abstractions;
using Acd.Grains.Telephony;
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
/// paced <see cref="TwilioRequestQueue"/>, teardowns at once; results go back to the call grain
/// (<see cref="ICallGrain.LegCreatedAsync"/>, <see cref="ICallGrain.LegFailedAsync"/>). Retries of 429, 5xx and
/// network errors happen below, in the HTTP client's resilience pipeline.
/// </summary>
public sealed class TwilioTelephony(
    ITwilioRestClient client,
    TwilioRequestQueue queue,
    TwilioUrls urls,
    IGrainFactory grains,
    IOptions<TwilioOptions> options,
    ILogger<TwilioTelephony> logger) : ITelephony, IDisposable
{
    /// <summary>Leg status callbacks Acd uses: ringing for the agent's client, answered to connect, completed for the outcome.</summary>
    public static readonly List<string> LegEvents = ["initiated", "ringing", "answered", "completed"];

    /// <summary>Conference callbacks Acd uses (design rule 5: subscribe only to what is used).</summary>
    public static readonly List<string> ConferenceEvents = ["start", "end", "join", "leave", "hold", "mute", "modify"];

    public Task RingAgentAsync(RingAgent request) => AddParticipantAsync(new AddParticipant(
        request.Leg, request.ContactUri, request.Label, Muted: false, Coaching: false, CallSidToCoach: null,
        StartConferenceOnEnter: true, EndConferenceOnExit: false, request.TimeoutSeconds, request.Urgency, request.CallerId));

    public Task AddParticipantAsync(AddParticipant request)
    {
        var settings = options.Value;
        var leg = request.Leg;
        queue.Enqueue(leg.LegId, request.Urgency, async cancellation =>
        {
            try
            {
                // Design rule 7: whichever participant is first fixes the conference's region and callbacks, and the
                // agent's leg may get there before the caller, so every Participants request carries them.
                // Rule 4: once the conference exists it is addressed by its SID, never by name, so a conference that
                // has ended is not silently recreated under the same name with one person alone in it.
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
                var participant = await ParticipantResource.CreateAsync(create, client);
                await grains.GetGrain<ICallGrain>(leg.CallId).LegCreatedAsync(leg.LegId, participant.CallSid);
            }
            catch (ApiException e)
            {
                await grains.GetGrain<ICallGrain>(leg.CallId).LegFailedAsync(leg.LegId, $"Twilio {e.Status} {e.Code}: {e.Message}");
            }
            catch (HttpRequestException e)
            {
                await grains.GetGrain<ICallGrain>(leg.CallId).LegFailedAsync(leg.LegId, $"network: {e.Message}");
            }
        });
        return Task.CompletedTask;
    }

    public Task CancelLegAsync(LegReference leg)
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
        Run($"cancel {leg.LegId}", () => CallResource.UpdateAsync(
            pathSid: leg.CallSid,
            status: leg.Answered ? CallResource.UpdateStatusEnum.Completed : CallResource.UpdateStatusEnum.Canceled,
            client: client));
        return Task.CompletedTask;
    }

    public Task EndConferenceAsync(ConferenceReference conference)
    {
        Run($"end conference of {conference.CallId}", async () =>
        {
            var sid = conference.Sid;
            if (sid is null)
            {
                // The SID is not known yet (its first callback has not come): find the live conference by its name.
                var found = await ConferenceResource.ReadAsync(friendlyName: conference.Name, status: ConferenceResource.StatusEnum.InProgress, client: client);
                sid = found.FirstOrDefault()?.Sid;
                if (sid is null)
                {
                    found = await ConferenceResource.ReadAsync(friendlyName: conference.Name, status: ConferenceResource.StatusEnum.Init, client: client);
                    sid = found.FirstOrDefault()?.Sid;
                }
            }
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
                if (conferenceSid is null)
                {
                    var live = await ConferenceResource.ReadAsync(friendlyName: request.Conference.Name, status: ConferenceResource.StatusEnum.InProgress, client: client);
                    if (live.FirstOrDefault() is { } conference)
                    {
                        conferenceSid = conference.Sid;
                        await call.ConferenceEventAsync(new ConferenceEventReport(conference.Sid, "conference-start", null, null, DateTimeOffset.UtcNow, null, null, null, null, conference.FriendlyName));
                    }
                }
                foreach (var leg in request.Legs)
                {
                    var callSid = leg.CallSid ?? await ParticipantCallSidAsync(callId, conferenceSid, leg);
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
                    var status = fetched.Status?.ToString();
                    if (status is not null)
                    {
                        logger.LogInformation("Reconcile {CallId}: leg {LegId} ({CallSid}) is {Status}", callId, leg.LegId, callSid, status);
                        await call.LegStatusAsync(new LegStatusReport(leg.LegId, callSid, status, null, DateTimeOffset.UtcNow));
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

    /// <summary>
    /// A leg Acd asked for but never heard back about (the response and the callbacks were lost with the process): its
    /// participant is fetched by label from the conference, and the call is told its CallSid. Not found: the request
    /// never reached Twilio, or the leg is already gone; the offer's deadline takes care of it.
    /// </summary>
    private async Task<string?> ParticipantCallSidAsync(string callId, string? conferenceSid, LegReference leg)
    {
        if (conferenceSid is null || leg.Label is null)
        {
            return null;
        }
        try
        {
            var participant = await ParticipantResource.FetchAsync(pathConferenceSid: conferenceSid, pathCallSid: leg.Label, client: client);
            logger.LogInformation("Reconcile {CallId}: leg {LegId} found in the conference as {Label} ({CallSid})", callId, leg.LegId, leg.Label, participant.CallSid);
            await grains.GetGrain<ICallGrain>(callId).LegCreatedAsync(leg.LegId, participant.CallSid);
            return participant.CallSid;
        }
        catch (ApiException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Reconciliation lookups after a restart run a few at a time, not all at once.</summary>
    private readonly SemaphoreSlim _lookups = new(4);

    public void Dispose() => _lookups.Dispose();

    /// <summary>Teardowns are not paced (they create no calls) and run at once, off the grain's turn.</summary>
    private void Run(string what, Func<Task> request) =>
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
        });
}
