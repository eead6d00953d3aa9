using Acd.Grains.Abstractions;

namespace Acd.Grains.Calls;

[CollectionAgeLimit(AlwaysActive = true)]
public sealed class CallDirectoryGrain : Grain, ICallDirectoryGrain
{
    /// <summary>Finished calls kept for listing; older ones are in the event log.</summary>
    private const int FinishedKept = 1000;

    private readonly Dictionary<string, CallSummary> _calls = new(StringComparer.Ordinal);
    private readonly Queue<string> _finished = new();

    public Task UpdateAsync(CallSummary call)
    {
        if (_calls.TryGetValue(call.Id, out var known) && known.Version > call.Version)
        {
            return Task.CompletedTask; // one-way messages may arrive out of order
        }
        var wasFinal = known?.Status.IsFinal() ?? false;
        _calls[call.Id] = call;
        if (call.Status.IsFinal() && !wasFinal)
        {
            _finished.Enqueue(call.Id);
            while (_finished.Count > FinishedKept)
            {
                _calls.Remove(_finished.Dequeue());
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CallSummary>> ListAsync(CallStatus? status, bool activeOnly, int limit)
    {
        IEnumerable<CallSummary> calls = _calls.Values;
        if (status is { } s)
        {
            calls = calls.Where(c => c.Status == s);
        }
        if (activeOnly)
        {
            calls = calls.Where(c => !c.Status.IsFinal());
        }
        return Task.FromResult<IReadOnlyList<CallSummary>>([.. calls.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).Take(limit)]);
    }
}
