using System.Threading.Channels;
using Acd.Grains.Abstractions;
using Acd.Grains.Telephony;
using Acd.Grains.Tests.Cluster;

namespace Acd.Grains.Tests.Queueing;

/// <summary>
/// An M/M/c queue run through the real grains on the fake clock, as a discrete-event simulation: one queue, c identical
/// agents who answer the instant they are rung, Poisson arrivals, exponential talk times, nobody hangs up while waiting,
/// no wrap-up. It fails outright if a caller waits while an agent is free, if a freed agent is not rung at once, or if
/// callers are not served first come, first served. What a test measures it hears through <see cref="Queued"/> (a call
/// joined the queue) and <see cref="Answered"/> (a call was answered, after how long).
/// </summary>
internal sealed class MmcRun(ClusterFixture fixture, string name, int agents, double talkSeconds, double arrivalsPerSecond, int calls, int seed)
{
    private readonly Scenario _scenario = new(fixture);

    public Func<int, string, Task>? Queued { get; init; }

    public Action<int, double>? Answered { get; init; }

    public async Task RunAsync()
    {
        await _scenario.QueueAsync(name, wrapUpSeconds: 0);
        await _scenario.SimpleWorkflowAsync(name, name, reservationTimeout: 60);
        for (var i = 0; i < agents; i++)
        {
            await _scenario.AgentAsync($"{name}-a{i}");
        }
        var rings = Channel.CreateUnbounded<RingAgent>();
        var prefix = _scenario.Id($"{name}-c");
        void OnRequest(object request)
        {
            if (request is RingAgent ring && ring.Leg.CallId.StartsWith(prefix, StringComparison.Ordinal))
            {
                rings.Writer.TryWrite(ring);
            }
        }
        fixture.Telephony.Requested += OnRequest;
        try
        {
            await LoopAsync(rings.Reader);
        }
        finally
        {
            fixture.Telephony.Requested -= OnRequest;
        }
    }

    private async Task LoopAsync(ChannelReader<RingAgent> rings)
    {
        var random = new Random(seed);
        double Exponential(double mean) => -mean * Math.Log(1 - random.NextDouble());
        var events = new PriorityQueue<(bool Arrival, int Call), double>();
        var waiting = new Queue<int>();
        var now = 0.0;
        var arrivals = 0;
        events.Enqueue((true, 0), Exponential(1 / arrivalsPerSecond));

        async Task AnswerAsync(RingAgent ring, int call)
        {
            var answered = await fixture.Grains.GetGrain<ICallGrain>(ring.Leg.CallId).AcceptAsync(ring.AgentId);
            Assert.True(answered.Ok, answered.Problem?.Detail);
            Answered?.Invoke(call, answered.Value!.WaitSeconds ?? 0);
            events.Enqueue((false, call), now + Exponential(talkSeconds));
        }

        async Task<RingAgent> NextRingAsync(string because)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                return await rings.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"At {now:0} s: {because}, but no agent was rung");
                throw;
            }
        }

        while (events.TryDequeue(out var next, out var at))
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(at - now));
            now = at;
            if (next.Arrival)
            {
                var call = arrivals++;
                if (arrivals < calls)
                {
                    events.Enqueue((true, arrivals), now + Exponential(1 / arrivalsPerSecond));
                }
                var view = await _scenario.CallAsync($"{name}-c{call}", name);
                if (view.Status == CallStatus.Offered)
                {
                    Assert.Empty(waiting); // an agent was free, so nobody could have been waiting
                    await AnswerAsync(await NextRingAsync($"call {call} was offered"), call);
                }
                else
                {
                    Assert.Equal(CallStatus.Queued, view.Status);
                    waiting.Enqueue(call);
                    if (Queued is { } queued)
                    {
                        await queued(call, view.Id);
                    }
                }
            }
            else
            {
                // The caller hangs up at the end of the talk; with no wrap-up the agent is free at once, and the
                // longest-waiting caller, if any, must be rung now.
                var ended = await _scenario.Call($"{name}-c{next.Call}").CallerHungUpAsync();
                Assert.True(ended.Ok, ended.Problem?.Detail);
                if (waiting.TryDequeue(out var oldest))
                {
                    var ring = await NextRingAsync($"an agent became free with {waiting.Count + 1} callers waiting");
                    Assert.Equal(_scenario.Id($"{name}-c{oldest}"), ring.Leg.CallId); // first come, first served
                    await AnswerAsync(ring, oldest);
                }
            }
        }
    }
}
