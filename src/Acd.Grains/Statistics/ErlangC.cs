namespace Acd.Grains.Statistics;

/// <summary>
/// The Erlang C model of one queue served by <c>c</c> identical agents (M/M/c: Poisson arrivals, exponential talk
/// times, nobody abandons): what a perfect ACD achieves, and so what Acd's simulated runs are checked against.
/// </summary>
public static class ErlangC
{
    /// <summary>Probability that a caller has to wait (all agents busy on arrival).</summary>
    /// <param name="agents">c, the number of agents.</param>
    /// <param name="arrivalsPerSecond">λ.</param>
    /// <param name="averageTalkSeconds">1/μ.</param>
    public static double ProbabilityOfWaiting(int agents, double arrivalsPerSecond, double averageTalkSeconds)
    {
        var load = arrivalsPerSecond * averageTalkSeconds; // A, in Erlangs
        if (load >= agents)
        {
            return 1;
        }
        // Σ_{k<c} A^k/k!, computed term by term to stay finite for large c.
        double term = 1, sum = 0;
        for (var k = 0; k < agents; k++)
        {
            sum += term;
            term *= load / (k + 1);
        }
        // term is now A^c/c!
        var top = term * agents / (agents - load);
        return top / (sum + top);
    }

    /// <summary>Mean wait over all callers (those served at once count as zero).</summary>
    public static double AverageWaitSeconds(int agents, double arrivalsPerSecond, double averageTalkSeconds)
    {
        var load = arrivalsPerSecond * averageTalkSeconds;
        return load >= agents
            ? double.PositiveInfinity
            : ProbabilityOfWaiting(agents, arrivalsPerSecond, averageTalkSeconds) * averageTalkSeconds / (agents - load);
    }

    /// <summary>Share of callers answered within <paramref name="thresholdSeconds"/>.</summary>
    public static double ServiceLevel(int agents, double arrivalsPerSecond, double averageTalkSeconds, double thresholdSeconds)
    {
        var load = arrivalsPerSecond * averageTalkSeconds;
        return load >= agents
            ? 0
            : 1 - (ProbabilityOfWaiting(agents, arrivalsPerSecond, averageTalkSeconds) * Math.Exp(-(agents - load) * thresholdSeconds / averageTalkSeconds));
    }
}
