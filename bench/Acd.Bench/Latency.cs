using System.Diagnostics;
using HdrHistogram;

namespace Acd.Bench;

/// <summary>A latency histogram in microseconds (HdrHistogram), safe to record from many tasks.</summary>
public sealed class Latency
{
    private readonly LongConcurrentHistogram _histogram = new(1, 60_000_000, 3);

    public void Record(long startTimestamp, long endTimestamp) =>
        _histogram.RecordValue(Math.Max(1, (long)((endTimestamp - startTimestamp) * 1_000_000.0 / Stopwatch.Frequency)));

    public double Percentile(double p) => _histogram.GetValueAtPercentile(p) / 1000.0;

    public long Count => _histogram.TotalCount;
}
