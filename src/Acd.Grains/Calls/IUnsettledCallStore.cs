using System.Collections.Concurrent;

namespace Acd.Grains.Calls;

/// <summary>
/// The calls not settled yet: live, or ended with a hang-up Acd asked for that the network has not confirmed. One record
/// per call, written when a call starts and removed once it has ended and settled, so that after a restart or the loss
/// of a node every such call is woken (and reconciles with the network: a hang-up lost with the process is sent again)
/// and the call list is rebuilt.
/// </summary>
public interface IUnsettledCallStore
{
    Task AddAsync(string callId);

    Task RemoveAsync(string callId);

    Task<IReadOnlyList<string>> LoadAsync();
}

/// <summary>The store of the in-memory mode: as durable as the process.</summary>
public sealed class InMemoryUnsettledCallStore : IUnsettledCallStore
{
    private readonly ConcurrentDictionary<string, byte> _calls = new(StringComparer.Ordinal);

    public Task AddAsync(string callId)
    {
        _calls[callId] = 0;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string callId)
    {
        _calls.TryRemove(callId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> LoadAsync() => Task.FromResult<IReadOnlyList<string>>([.. _calls.Keys]);
}
