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
    ILogger<TwilioTelephony> logger) : ITelephony
{
    /// <summary>Leg status callbacks Acd uses: ringing for the agent's client, answered to connect, completed for the outcome.</summary>
    public static readonly List<string> LegEvents = ["initiated", "ringing", "answered", "completed"];

    /// <summary>Conference callbacks Acd uses (design rule 5: subscribe only to what is used).</summary>
    public static readonly List<string> ConferenceEvents = ["start", "end", "join", "leave"];

    public Task RingAgentAsync(RingAgent request)
    {
        var settings = options.Value;
        var leg = request.Leg;
        queue.Enqueue(leg.LegId, request.Urgency, async cancellation =>
        {
            try
            {
                // Design rule 7: whichever participant is first fixes the conference's region and callbacks, and the
                // agent's leg may get there before the caller, so every Participants request carries them.
                var create = new CreateParticipantOptions(leg.Conference.Sid ?? leg.Conference.Name, new PhoneNumber(settings.CallerId ?? request.CallerId ?? "Acd"), new PhoneNumber(request.ContactUri))
                {
                    Label = request.Label,
                    StartConferenceOnEnter = true,
                    EndConferenceOnExit = false,
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
