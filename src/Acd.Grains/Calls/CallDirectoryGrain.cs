using Acd.Grains.Abstractions;

namespace Acd.Grains.Calls;

/// <summary>
/// The call list. It lives in memory, fed by the calls; when it activates (first use, or after the node that held it was
/// lost) it rebuilds itself from the calls not settled yet (<see cref="IUnsettledCallStore"/>), so the live list is whole
/// again. Finished calls before that are in the event log.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class CallDirectoryGrain(IUnsettledCallStore unsettled, IGrainFactory grains) : Grain, ICallDirectoryGrain
{
    /// <summary>Finished calls kept for listing; older ones are in the event log.</summary>
    private const int FinishedKept = 1000;

    private readonly Dictionary<string, CallSummary> _calls = new(StringComparer.Ordinal);
    private readonly Queue<string> _finished = new();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var chunk in (await unsettled.LoadAsync()).Chunk(200))
        {
            var views = await Task.WhenAll(chunk.Select(id => grains.GetGrain<ICallGrain>(id).GetSummaryAsync()));
            foreach (var summary in views.OfType<CallSummary>())
            {
                await UpdateAsync(summary);
            }
        }
    }

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
