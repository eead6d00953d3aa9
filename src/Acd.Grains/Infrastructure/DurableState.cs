using Acd.Grains.Infrastructure;
using Orleans.Storage;

namespace Acd.Grains.Infrastructure;

/// <summary>
/// Grain state is written at the moment it changes. When a write fails, the grain's memory now holds a change that
/// storage does not, so the activation is dropped: the next request reloads what was really stored. The caller gets
/// <see cref="StorageUnavailableException"/> (storage down: try again later) or Orleans'
/// <see cref="InconsistentStateException"/> (another writer changed the record: reload and retry), never a silent
/// success.
/// </summary>
internal static class DurableState
{
    public static async Task PersistAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            throw Failed(grain, e);
        }
    }

    public static async Task ClearAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        try
        {
            await state.ClearStateAsync();
        }
        catch (Exception e)
        {
            throw Failed(grain, e);
        }
    }

    /// <summary>A write to one of Acd's own stores on behalf of <paramref name="grain"/>, failing the same way.</summary>
    public static async Task WriteAsync(this IGrainBase grain, Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception e)
        {
            throw Failed(grain, e);
        }
    }

    private static Exception Failed(IGrainBase grain, Exception e)
    {
        grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, e, "State could not be written; reloading from storage"));
        return e is InconsistentStateException ? e : new StorageUnavailableException($"Storage did not take the change ({e.GetType().Name}: {e.Message})");
    }
}

/// <summary>The grain storage could not be reached or refused a write; nothing was changed. Retry later.</summary>
[GenerateSerializer, Alias("acd.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message) : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }
}
