using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Acd.Grains.Abstractions;
using Acd.Grains.Telephony;
using Acd.Grains.Tests.Cluster;
using Acd.Grains.Workspace;

namespace Acd.Grains.Tests.Queueing;

/// <summary>
/// How good Acd's estimated wait is, measured: the same M/M/c discrete-event simulation as the Erlang C check, through
/// the real grains on the fake clock, at four loads. Every caller's estimate as they join the queue (0 when an agent
/// takes them at once) is compared with the wait they then had. The estimate learns the handle time from the calls
/// themselves (it starts at 180 s, the true mean). The table goes to the test's output and docs/performance.md.
/// </summary>
public sealed class WaitEstimateAccuracyTests
{
    private const int Agents = 5;
    private const double TalkSeconds = 180;
    private const int Calls = 6_500;
    private const int WarmUp = 500;

    [Fact]
    public async Task TheEstimatedWaitIsUnbiasedAndBeatsKnowingOnlyTheAverageWaitAtEveryLoad()
    {
        var fixture = new ClusterFixture();
        await fixture.InitializeAsync();
        var table = new StringBuilder("| Occupancy | Calls | Waited | Mean wait | Mean error | Mean absolute error | 90th-percentile absolute error | MAE of the average wait |\n|---|---|---|---|---|---|---|---|\n");
        try
        {
            var index = 0;
            foreach (var occupancy in new[] { 0.7, 0.8, 0.9, 0.95 })
            {
                var (estimates, waits) = await SimulateAsync(fixture, $"ewt{index++}", occupancy * Agents / TalkSeconds, seed: 20261206 + index);
                var errors = estimates.Zip(waits, (e, w) => e - w).ToList();
                var absolute = errors.Select(Math.Abs).Order().ToList();
                var meanWait = waits.Average();
                var mae = absolute.Average();
                var p90 = absolute[(int)(0.9 * (absolute.Count - 1))];
                // What one would say knowing only the queue's average wait: the bar an estimate has to clear.
                var baseline = waits.Average(w => Math.Abs(meanWait - w));
                table.Append(CultureInfo.InvariantCulture, $"| {occupancy:P0} | {waits.Count:N0} | {waits.Count(w => w > 0) / (double)waits.Count:P0} | {meanWait:0.0} s | {errors.Average():+0.0;-0.0} s | {mae:0.0} s | {p90:0.0} s | {baseline:0.0} s |\n");
                // Unbiased: in M/M/c a caller with k ahead waits (k + 1) × AHT / c on average, which is the estimate.
                Assert.InRange(errors.Average(), -0.2 * meanWait - 2, 0.2 * meanWait + 2);
                Assert.True(mae < baseline, $"at {occupancy:P0} the estimate's mean absolute error {mae:0.0} s is no better than the average wait's {baseline:0.0} s");
            }
            TestContext.Current.TestOutputHelper?.WriteLine(table.ToString());
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static async Task<(List<double> Estimates, List<double> Waits)> SimulateAsync(ClusterFixture fixture, string name, double arrivalsPerSecond, int seed)
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync(name, wrapUpSeconds: 0);
        await scenario.SimpleWorkflowAsync(name, name, reservationTimeout: 60);
        for (var i = 0; i < Agents; i++)
        {
            await scenario.AgentAsync($"{name}-a{i}");
        }
        var rings = Channel.CreateUnbounded<RingAgent>();
        var prefix = scenario.Id($"{name}-c");
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
            var random = new Random(seed);
            double Exponential(double mean) => -mean * Math.Log(1 - random.NextDouble());
            var events = new PriorityQueue<(bool Arrival, int Call), double>();
            var waiting = new Queue<int>();
            var estimated = new Dictionary<int, double>();
            var estimates = new List<double>();
            var waits = new List<double>();
            var now = 0.0;
            var arrivals = 0;
            events.Enqueue((true, 0), Exponential(1 / arrivalsPerSecond));

            async Task AnswerAsync(RingAgent ring, int call)
            {
                var answered = await fixture.Grains.GetGrain<ICallGrain>(ring.Leg.CallId).AcceptAsync(ring.AgentId);
                Assert.True(answered.Ok, answered.Problem?.Detail);
                if (call >= WarmUp)
                {
                    estimates.Add(estimated[call]);
                    waits.Add(answered.Value!.WaitSeconds ?? 0);
                }
                estimated.Remove(call);
                events.Enqueue((false, call), now + Exponential(TalkSeconds));
            }

            async Task<RingAgent> NextRingAsync()
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                return await rings.Reader.ReadAsync(deadline.Token);
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
                        events.Enqueue((true, arrivals), now + Exponential(1 / arrivalsPerSecond));
                    }
                    var view = await scenario.CallAsync($"{name}-c{call}", name);
                    if (view.Status == CallStatus.Offered)
                    {
                        estimated[call] = 0;
                        await AnswerAsync(await NextRingAsync(), call);
                    }
                    else
                    {
                        // What the caller would be told as they join the queue.
                        var estimate = await fixture.Grains.Router().GetEstimatedWaitAsync(scenario.Id($"{name}-c{call}"));
                        Assert.NotNull(estimate);
                        estimated[call] = estimate.Value;
                        waiting.Enqueue(call);
                    }
                }
                else
                {
                    var ended = await scenario.Call($"{name}-c{next.Call}").CallerHungUpAsync();
                    Assert.True(ended.Ok, ended.Problem?.Detail);
                    if (waiting.TryDequeue(out var oldest))
                    {
                        await AnswerAsync(await NextRingAsync(), oldest);
                    }
                }
            }
            return (estimates, waits);
        }
        finally
        {
            fixture.Telephony.Requested -= OnRequest;
        }
    }
}
