using System.Collections.Concurrent;
using Acd.Grains.Abstractions;

namespace Acd.Grains.Queues;

/// <summary>
/// The calls waiting in each queue, kept one record per call so that a caller joining or leaving a queue costs one
/// small write however long the queue is (a queue's whole list written on every change would make a busy day's
/// 20,000 waiting callers cost 20,000 rows per arrival). The queue grain reads its list back when it activates, so
/// the router's index can be rebuilt after a restart.
/// </summary>
public interface IWaitingCallStore
{
    Task<IReadOnlyList<WaitingCall>> LoadAsync(string queueId);

    /// <summary>Adds the call to the queue's list, or replaces what was stored for it.</summary>
    Task PutAsync(string queueId, WaitingCall call);

    Task RemoveAsync(string queueId, string callId);
}

/// <summary>The store of the in-memory mode: as durable as the process.</summary>
public sealed class InMemoryWaitingCallStore : IWaitingCallStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, WaitingCall>> _queues = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<WaitingCall>> LoadAsync(string queueId) =>
        Task.FromResult<IReadOnlyList<WaitingCall>>(_queues.TryGetValue(queueId, out var calls) ? [.. calls.Values] : []);

    public Task PutAsync(string queueId, WaitingCall call)
    {
        _queues.GetOrAdd(queueId, _ => new(StringComparer.Ordinal))[call.CallId] = call;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string queueId, string callId)
    {
        if (_queues.TryGetValue(queueId, out var calls))
        {
            calls.TryRemove(callId, out _);
        }
        return Task.CompletedTask;
    }
}
