using System.Collections.Concurrent;
using System.Diagnostics;
using Acd.Grains.Telephony;

namespace Acd.Bench;

/// <summary>Telephony that records when each call's agent leg was requested: the end of "enqueue → offer".</summary>
public sealed class BenchTelephony : ITelephony
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _rings = new();

    public Task<long> RingOf(string callId) => _rings.GetOrAdd(callId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string callId) => _rings.TryRemove(callId, out _);

    /// <summary>When set, every agent leg requested is answered by this (on the thread pool), instead of being recorded.</summary>
    public Func<RingAgent, Task>? Answer { get; set; }

    public Task RingAgentAsync(RingAgent request)
    {
        if (Answer is { } answer)
        {
            _ = Task.Run(() => answer(request));
            return Task.CompletedTask;
        }
        var now = Stopwatch.GetTimestamp();
        _rings.GetOrAdd(request.Leg.CallId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(now);
        return Task.CompletedTask;
    }

    public bool AnswersOnTheNetwork => false;

    public int RingGroupRoom(string queueId, int wanted) => wanted;

    public Task EndLegAsync(LegReference leg) => Task.CompletedTask;

    public Task EndConferenceAsync(ConferenceReference conference) => Task.CompletedTask;

    public Task AddParticipantAsync(AddParticipant request) => Task.CompletedTask;

    public Task UpdateParticipantAsync(ParticipantUpdate update) => Task.CompletedTask;

    public Task ReconcileAsync(Reconciliation request) => Task.CompletedTask;
}
