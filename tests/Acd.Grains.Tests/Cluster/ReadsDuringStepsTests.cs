using Acd.Grains.Abstractions;

namespace Acd.Grains.Tests.Cluster;

/// <summary>
/// A call's reads interleave with its steps. What a read shows must already be true everywhere: a call shown
/// <c>queued</c> is listed by its queue.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReadsDuringStepsTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("rejected")]
    [InlineData("rang out")]
    public async Task ACallGoingBackToItsQueueIsNotShownQueuedBeforeTheQueueListsIt(string how)
    {
        var s = new Scenario(fixture);
        var queue = await s.QueueAsync("q");
        await s.SimpleWorkflowAsync("w", "q", reservationTimeout: 15);
        await s.AgentAsync("a");
        var call = await s.CallAsync("c", "w");
        Assert.Equal(CallStatus.Offered, call.Status);
        async Task<bool> Listed() => (await s.Grains.GetGrain<IRouterGrain>("default").GetRealtimeAsync(queue.Id))!.WaitingCallIds.Contains(call.Id);

        // The queue takes the call back only when the test lets it.
        var readmission = fixture.Gate.Hold(nameof(IQueueGrain.EnqueueAsync), queue.Id);
        var step = how == "rejected" ? s.Call("c").RejectAsync(s.Id("a")) : Task.CompletedTask;
        if (how == "rang out")
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(15));
        }
        await readmission.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        var meanwhile = await s.CallViewAsync("c");
        Assert.False(await Listed());
        Assert.NotEqual(CallStatus.Queued, meanwhile.Status);

        readmission.Release();
        await step;
        var back = await s.CallEventuallyAsync("c", CallStatus.Queued);
        Assert.True(await Listed(), "a call shown queued is in its queue");
        Assert.Equal(call.CreatedAt, back.CreatedAt);
    }
}
