using Acd.Grains.Abstractions;
using Acd.Grains.Statistics;
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
        var (measured, waitedCount, waitSum) = (0, 0, 0.0);
        await new MmcRun(fixture, "mmc", Agents, TalkSeconds, ArrivalsPerSecond, Calls, Seed)
        {
            Answered = (call, wait) =>
            {
                if (call >= WarmUp)
                {
                    measured++;
                    waitSum += wait;
                    waitedCount += wait > 0 ? 1 : 0;
                }
            },
        }.RunAsync();
        Assert.Equal(Calls - WarmUp, measured);
        return ((double)waitedCount / measured, waitSum / measured);
    }
}
