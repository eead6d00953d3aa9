using System.Globalization;
using System.Text;
using Acd.Grains.Abstractions;
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
        var estimated = new Dictionary<int, double>();
        var (estimates, waits) = (new List<double>(), new List<double>());
        await new MmcRun(fixture, name, Agents, TalkSeconds, arrivalsPerSecond, Calls, seed)
        {
            // What the caller would be told as they join the queue; a caller answered at once is told nothing (0).
            Queued = async (call, callId) => estimated[call] = await fixture.Grains.Router().GetEstimatedWaitAsync(callId) ?? throw new InvalidOperationException($"no estimate for {callId}"),
            Answered = (call, wait) =>
            {
                if (call >= WarmUp)
                {
                    estimates.Add(estimated.GetValueOrDefault(call));
                    waits.Add(wait);
                }
                estimated.Remove(call);
            },
        }.RunAsync();
        return (estimates, waits);
    }
}
