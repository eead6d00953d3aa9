using System.Threading.Channels;
using Acd.Grains.Abstractions;
using Acd.Grains.Statistics;
using Acd.Grains.Telephony;
using Acd.Grains.Tests.Cluster;

namespace Acd.Grains.Tests.Queueing;

/// <summary>
/// Acd's routing checked against queueing theory. One queue, c identical agents who answer the instant they are
/// rung, Poisson arrivals, exponential talk times, nobody hangs up while waiting: an M/M/c queue, for which the
/// Erlang C formula gives the probability of waiting and the mean wait of a perfect ACD. The run is a discrete-event
/// simulation on the grains' fake clock (days of traffic in seconds), through the real grains. An ACD that leaves an
/// agent idle while a caller waits, or serves callers out of order, waits longer than Erlang C allows, and a freed
/// agent that is not rung at once fails the run outright.
/// </summary>
public sealed class ErlangCTests
{
    private const int Agents = 5;
    private const double TalkSeconds = 180;
    private const double ArrivalsPerSecond = 4.0 / 180; // 4 Erlangs on 5 agents: 80 % occupancy
    private const int Calls = 41_000;
    private const int WarmUp = 1_000;
    private const int Seed = 20261125;

    [Fact]
    public async Task WaitingMatchesErlangCForAnMMcQueue()
    {
        var fixture = new ClusterFixture();
        await fixture.InitializeAsync();
        try
        {
            var (waited, meanWait) = await SimulateAsync(fixture);
            var expectedWaited = ErlangC.ProbabilityOfWaiting(Agents, ArrivalsPerSecond, TalkSeconds);
            var expectedMean = ErlangC.AverageWaitSeconds(Agents, ArrivalsPerSecond, TalkSeconds);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"M/M/{Agents}, A = {ArrivalsPerSecond * TalkSeconds:0.##} Erlangs, {Calls - WarmUp:N0} calls measured: P(wait) {waited:0.000} (Erlang C {expectedWaited:0.000}), mean wait {meanWait:0.0} s (Erlang C {expectedMean:0.0} s)");
            // Tolerances: three standard deviations of the estimates for 40,000 calls of this queue (over seeds, an
            // ideal FIFO M/M/5 gives P(wait) to ±0.012 and the mean wait to ±7 %: waits are strongly correlated).
            Assert.InRange(waited, expectedWaited - 0.04, expectedWaited + 0.04);
            Assert.InRange(meanWait, expectedMean * 0.8, expectedMean * 1.2);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static async Task<(double Waited, double MeanWait)> SimulateAsync(ClusterFixture fixture)
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("mmc", wrapUpSeconds: 0);
        await scenario.SimpleWorkflowAsync("mmc", "mmc", reservationTimeout: 60);
        for (var i = 0; i < Agents; i++)
        {
            await scenario.AgentAsync($"a{i}");
        }

        var rings = Channel.CreateUnbounded<RingAgent>();
        var prefix = scenario.Id("c");
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
            var random = new Random(Seed);
            double Exponential(double mean) => -mean * Math.Log(1 - random.NextDouble());
            var events = new PriorityQueue<(bool Arrival, int Call), double>();
            var waiting = new Queue<int>();
            var now = 0.0;
            var arrivals = 0;
            var measured = 0;
            var waitedCount = 0;
            var waitSum = 0.0;
            events.Enqueue((true, 0), Exponential(1 / ArrivalsPerSecond));

            async Task AnswerAsync(RingAgent ring, int call)
            {
                var answered = await fixture.Grains.GetGrain<ICallGrain>(ring.Leg.CallId).AcceptAsync(ring.AgentId);
                Assert.True(answered.Ok, answered.Problem?.Detail);
                if (call >= WarmUp)
                {
                    var wait = answered.Value!.WaitSeconds ?? 0;
                    measured++;
                    waitSum += wait;
                    waitedCount += wait > 0 ? 1 : 0;
                }
                events.Enqueue((false, call), now + Exponential(TalkSeconds));
            }

            async Task<RingAgent> NextRingAsync(string because)
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    return await rings.Reader.ReadAsync(deadline.Token);
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
                    if (arrivals < Calls)
                    {
                        events.Enqueue((true, arrivals), now + Exponential(1 / ArrivalsPerSecond));
                    }
                    var view = await scenario.CallAsync($"c{call}", "mmc");
                    if (view.Status == CallStatus.Offered)
                    {
                        Assert.Empty(waiting); // an agent was free, so nobody could have been waiting
                        await AnswerAsync(await NextRingAsync($"c{call} was offered"), call);
                    }
                    else
                    {
                        Assert.Equal(CallStatus.Queued, view.Status);
                        waiting.Enqueue(call);
                    }
                }
                else
                {
                    // The caller hangs up at the end of the talk; with no wrap-up the agent is free at once, and
                    // the longest-waiting caller, if any, must be rung now.
                    var ended = await scenario.Call($"c{next.Call}").CallerHungUpAsync();
                    Assert.True(ended.Ok, ended.Problem?.Detail);
                    if (waiting.TryDequeue(out var oldest))
                    {
                        var ring = await NextRingAsync($"an agent became free with {waiting.Count + 1} callers waiting");
                        Assert.Equal(scenario.Id($"c{oldest}"), ring.Leg.CallId); // first come, first served
                        await AnswerAsync(ring, oldest);
                    }
                }
            }
            Assert.Equal(Calls - WarmUp, measured);
            return ((double)waitedCount / measured, waitSum / measured);
        }
        finally
        {
            fixture.Telephony.Requested -= OnRequest;
        }
    }
}
