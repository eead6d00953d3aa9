namespace Acd.Grains.Routing.Matching;

/// <summary>
/// Acd's estimated wait, published (README, "Estimated wait"): for a caller with <c>ahead</c> calls before them in their
/// queue's service order, <c>EWT = (ahead + 1) × AHT ÷ N</c>, where N counts the queue's eligible agents at work (Available,
/// or busy with a call, an offer or its wrap-up; not Break or Offline), each as its capacity divided by the number of
/// queues it is eligible for, and AHT is the queue's recent handle time: an exponentially weighted mean (weight 0.05 for
/// the newest, about the last twenty calls) of talk, hold and wrap-up of the calls answered from it, 180 s until the
/// first. Its accuracy is measured in WaitEstimateAccuracyTests (docs/performance.md). Zero while a free eligible
/// agent remains for every caller ahead; unknown (null) with nobody at work.
/// </summary>
public static class WaitEstimate
{
    public const double DefaultHandleSeconds = 180;

    /// <summary>How much the newest handle time weighs in the queue's mean.</summary>
    public const double NewestWeight = 0.05;

    public static double Next(double mean, int samples, double handled) =>
        samples == 0 ? handled : (1 - NewestWeight) * mean + NewestWeight * handled;

    public static double? Seconds(int ahead, int free, double agentsAtWork, double handleSeconds)
    {
        if (ahead < free)
        {
            return 0;
        }
        if (agentsAtWork <= 0)
        {
            return null;
        }
        return Math.Round((ahead + 1) * handleSeconds / agentsAtWork, 1);
    }
}
