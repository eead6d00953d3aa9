using System.Collections.Concurrent;

namespace Acd.Grains.Tests.Cluster;

/// <summary>
/// Holds chosen grain calls at the door of the grain they go to until a test lets them through: the test sees what
/// others see while a step of one grain waits on another.
/// </summary>
public sealed class GrainCallGate : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<(string Method, string Grain), Held> _held = new();

    /// <summary>The next call of <paramref name="method"/> to the grain whose key is <paramref name="grainKey"/> waits.</summary>
    public Held Hold(string method, string grainKey) => _held[(method, grainKey)] = new Held();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var key = (context.InterfaceMethod?.Name ?? "", context.TargetId.Key.ToString() ?? "");
        if (_held.TryRemove(key, out var held))
        {
            held.Arrived.TrySetResult();
            await held.Released.Task;
        }
        await context.Invoke();
    }

    public sealed class Held
    {
        internal TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The call has come and waits.</summary>
        public Task Reached => Arrived.Task;

        public void Release() => Released.TrySetResult();
    }
}
