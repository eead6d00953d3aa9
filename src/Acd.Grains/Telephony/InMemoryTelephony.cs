using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Acd.Grains.Telephony;

/// <summary>
/// Telephony without a phone network: records what was asked, so tests and a credential-less start can see it.
/// Nothing rings for real; an offer is answered through the agent API (<c>POST /api/calls/{id}/accept</c>).
/// </summary>
public sealed class InMemoryTelephony(ILogger<InMemoryTelephony> logger) : ITelephony
{
    private readonly ConcurrentQueue<object> _requests = new();

    /// <summary>Everything asked so far, in order.</summary>
    public IReadOnlyList<object> Requests => [.. _requests];

    public IEnumerable<RingAgent> Rings => _requests.OfType<RingAgent>();

    public event Action<object>? Requested;

    /// <summary>Nothing rings: offers are answered through the API.</summary>
    public bool AnswersOnTheNetwork => false;

    public Task RingAgentAsync(RingAgent request)
    {
        logger.LogInformation("Ring {AgentId} at {ContactUri} for {CallId} (not sent: in-memory telephony)", request.AgentId, request.ContactUri, request.Leg.CallId);
        Record(request);
        return Task.CompletedTask;
    }

    /// <summary>Nothing is paced here: a ring group rings everyone it wants.</summary>
    public int RingGroupRoom(string queueId, int wanted) => wanted;

    public Task EndLegAsync(LegReference leg)
    {
        logger.LogInformation("End leg {LegId} of {CallId} (not sent: in-memory telephony)", leg.LegId, leg.CallId);
        Record(leg);
        return Task.CompletedTask;
    }

    public Task EndConferenceAsync(ConferenceReference conference)
    {
        logger.LogInformation("End conference {ConferenceName} of {CallId} (not sent: in-memory telephony)", conference.Name, conference.CallId);
        Record(conference);
        return Task.CompletedTask;
    }

    public Task AddParticipantAsync(AddParticipant request)
    {
        logger.LogInformation("Add {To} to {CallId} as {Label} (not sent: in-memory telephony)", request.To, request.Leg.CallId, request.Label);
        Record(request);
        return Task.CompletedTask;
    }

    public Task UpdateParticipantAsync(ParticipantUpdate update)
    {
        logger.LogInformation("Update {CallSid} in {ConferenceName}: hold {Hold}, muted {Muted}, coaching {Coaching} (not sent: in-memory telephony)",
            update.CallSid, update.Conference.Name, update.Hold, update.Muted, update.Coaching);
        Record(update);
        return Task.CompletedTask;
    }

    public Task ReconcileAsync(Reconciliation request)
    {
        // Nothing rings for real, so nothing can have changed while Acd was down.
        Record(request);
        return Task.CompletedTask;
    }

    private void Record(object request)
    {
        _requests.Enqueue(request);
        Requested?.Invoke(request);
    }
}
