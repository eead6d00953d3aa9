using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Serialization;
using Orleans.Storage;

namespace Acd.Grains.Infrastructure;

/// <summary>
/// Grain storage in this process's memory, for the default single-process run and for tests. State is deep-copied
/// in and out (Orleans' copier), and ETags are checked as a database would, so grains behave as they will on
/// PostgreSQL. Orleans' own memory provider sends every write through a storage grain and serializes it; for a
/// single process that is a grain call and a serialization per write on the routing hot path, for nothing.
/// Everything is lost when the process stops: run several processes only with <c>Storage:Provider=Postgres</c>.
/// </summary>
public sealed class InProcessGrainStorage(DeepCopier copier) : IGrainStorage
{
    private readonly ConcurrentDictionary<string, (object State, long ETag)> _states = new(StringComparer.Ordinal);
    private long _etag;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue(Key(stateName, grainId), out var stored))
        {
            grainState.State = copier.Copy((T)stored.State);
            grainState.ETag = stored.ETag.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var etag = Interlocked.Increment(ref _etag);
        var copy = (object)copier.Copy(grainState.State)!;
        _states.AddOrUpdate(
            key,
            _ => grainState.ETag is null ? (copy, etag) : throw Mismatch(key, grainState.ETag, null),
            (_, current) => grainState.ETag == current.ETag.ToString(CultureInfo.InvariantCulture)
                ? (copy, etag)
                : throw Mismatch(key, grainState.ETag, current.ETag));
        grainState.ETag = etag.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _states.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string Key(string stateName, GrainId grainId) => $"{stateName}/{grainId}";

    private static InconsistentStateException Mismatch(string key, string? expected, long? actual) =>
        new($"ETag mismatch for {key}", actual?.ToString(CultureInfo.InvariantCulture) ?? "none", expected ?? "none");
}
