using Acd.Api.Statistics;
using Acd.Api.Tests.Infrastructure;

namespace Acd.Api.Tests.Statistics;

public sealed class SharedReadTests
{
    [Fact]
    public async Task RequestsArrivingDuringAReadShareTheNextOneAndSeeWhatWasWrittenBeforeThey()
    {
        var written = 0;
        var gates = new Queue<TaskCompletionSource>();
        var shared = new SharedRead<int>(async () =>
        {
            var seen = Volatile.Read(ref written);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (gates)
            {
                gates.Enqueue(gate);
            }
            await gate.Task;
            return seen;
        });

        var first = shared.ReadAsync();
        Volatile.Write(ref written, 1);
        var during = Enumerable.Range(0, 20).Select(_ => shared.ReadAsync()).ToList();
        Assert.Equal(1, shared.Reads);
        Assert.All(during, t => Assert.Same(during[0], t));

        Release(gates);
        Assert.Equal(0, await first);
        await Eventually.HoldsAsync(() => Task.FromResult(Waiting(gates) == 1), "the next read starts when the first ends");
        Release(gates);
        // The first read began before the write; everyone who asked after it gets a read that began after it too.
        Assert.All(await Task.WhenAll(during), v => Assert.Equal(1, v));
        Assert.Equal(2, shared.Reads);

        Volatile.Write(ref written, 2);
        var later = shared.ReadAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(Waiting(gates) == 1), "a request after all reads ended starts its own");
        Assert.Equal(3, shared.Reads);
        Release(gates);
        Assert.Equal(2, await later);
    }

    [Fact]
    public async Task AFailedReadFailsOnlyThoseWhoSharedItAndTheNextReadIsFresh()
    {
        var calls = 0;
        var shared = new SharedRead<int>(() => Interlocked.Increment(ref calls) == 1
            ? Task.FromException<int>(new InvalidOperationException("storage away"))
            : Task.FromResult(calls));

        await Assert.ThrowsAsync<InvalidOperationException>(() => shared.ReadAsync());
        Assert.Equal(2, await shared.ReadAsync());
    }

    private static int Waiting(Queue<TaskCompletionSource> gates)
    {
        lock (gates)
        {
            return gates.Count;
        }
    }

    private static void Release(Queue<TaskCompletionSource> gates)
    {
        lock (gates)
        {
            gates.Dequeue().SetResult();
        }
    }
}
