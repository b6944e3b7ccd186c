using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Bench.Scoring;

/// <summary>One way of scoring, timed: total wall time over all images and the time of each call.</summary>
internal sealed class Measurement
{
    public Measurement(string method, int batchSize, int images, double seconds, IReadOnlyList<double> callMilliseconds)
    {
        Method = method;
        BatchSize = batchSize;
        Images = images;
        Seconds = seconds;
        CallMilliseconds = callMilliseconds;
    }

    public string Method { get; }

    /// <summary>Images per call: 1 for the row-at-a-time paths.</summary>
    public int BatchSize { get; }

    public int Images { get; }

    public double Seconds { get; }

    /// <summary>Wall time of each call (one image, or one batch: an image's latency is its batch's time).</summary>
    public IReadOnlyList<double> CallMilliseconds { get; }

    /// <summary>Largest |score − the ML.NET chain's score| over all images and classes; NaN when not compared.</summary>
    public double MaxDifference { get; set; } = double.NaN;

    /// <summary>
    /// False for an ML.NET cursor: a cursor over a costly transform runs rows on several threads and hands them out in
    /// blocks (DataViewUtils.TryCreateConsolidatingCursor), so the time between rows is not an image's latency.
    /// </summary>
    public bool LatencyMeaningful { get; init; } = true;

    public double ImagesPerSecond => Images / Seconds;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    // Nearest-rank percentile.
    private double Percentile(double p)
    {
        var sorted = CallMilliseconds.OrderBy(x => x).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
