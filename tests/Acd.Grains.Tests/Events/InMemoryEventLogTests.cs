using Acd.Grains.Abstractions;
using Acd.Grains.Events;

namespace Acd.Grains.Tests.Events;

public sealed class InMemoryEventLogTests
{
    [Fact]
    public async Task PastItsCapacityTheOldestEventsGoAndTheRestPageInOrder()
    {
        var log = new InMemoryEventLog();
        var at = DateTimeOffset.Parse("2026-11-26T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var total = InMemoryEventLog.Capacity + (InMemoryEventLog.Capacity / 10) + 1;
        const int Batch = 10_000;
        for (var sent = 0; sent < total; sent += Batch)
        {
            var count = Math.Min(Batch, total - sent);
            await log.AppendAsync([.. Enumerable.Range(sent, count).Select(i => new AcdEvent(0, "task.created", at.AddMilliseconds(i), $"c{i}", null, null, "{}"))]);
        }

        // Trimmed back to the capacity: the first event kept is the one that many from the end.
        var first = await log.QueryAsync(new EventQuery(Limit: 2));
        Assert.Equal(total - InMemoryEventLog.Capacity + 1, first.Events[0].Sequence);
        Assert.Equal($"c{total - InMemoryEventLog.Capacity}", first.Events[0].CallId);
        var last = await log.QueryAsync(new EventQuery(After: total - 1));
        Assert.Equal(total, Assert.Single(last.Events).Sequence);
        Assert.Null(last.Next);
        Assert.Empty((await log.QueryAsync(new EventQuery(CallId: "c0"))).Events);
    }
}
