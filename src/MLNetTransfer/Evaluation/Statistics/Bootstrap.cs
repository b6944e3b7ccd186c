using System;
using System.Collections.Generic;

namespace MLNetTransfer.Evaluation;

/// <summary>A metric of a resampled set of rows, given as indices into the evaluated rows (repeats allowed).</summary>
internal delegate double RowMetric(ReadOnlySpan<int> rows);

/// <summary>Seeded percentile bootstrap confidence intervals of metrics of a set of rows.</summary>
/// <remarks>
/// <para>
/// Efron and Tibshirani, "An Introduction to the Bootstrap", Chapman &amp; Hall 1993, chapter 13 (the percentile
/// interval): the rows are resampled with replacement B times, each metric is computed on every resample, and the
/// interval is the (1 − level)/2 and (1 + level)/2 quantiles of those B values. Every metric sees the same resamples,
/// so their intervals come from one draw.
/// </para>
/// <para>
/// With strata (e.g. the class of each row) each stratum is resampled to its own size, so every resample has the
/// original class counts and an AUC is defined on every one (Efron and Tibshirani, section 7.2's two-sample bootstrap).
/// Without them, a resample can miss a class; a metric that is NaN on a resample leaves that resample out of its
/// quantiles.
/// </para>
/// <para>
/// The draws come from <see cref="Random"/>(seed) in a fixed order (resample by resample, stratum by stratum, row by
/// row, each an index <c>Next(stratum size)</c>), so a seed gives the same intervals on every run. The quantile is
/// numpy's default (linear interpolation between order statistics, <c>numpy.percentile(method="linear")</c>).
/// </para>
/// </remarks>
internal static class Bootstrap
{
    /// <summary>Resamples drawn when the caller does not say.</summary>
    public const int DefaultSamples = 1000;

    /// <summary>The percentile interval of each metric.</summary>
    /// <param name="rows">Rows in the evaluated set.</param>
    /// <param name="metrics">The metrics, each called once per resample.</param>
    /// <param name="samples">Resamples (B).</param>
    /// <param name="seed">Seeds <see cref="Random"/>.</param>
    /// <param name="level">The interval's coverage, in (0, 1).</param>
    /// <param name="strata">Empty, or one stratum id per row (resampled separately).</param>
    /// <returns>Per metric: the interval, NaN, NaN when the metric was NaN on every resample (or there are no rows).</returns>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1, level outside (0, 1), or rows negative.</exception>
    /// <exception cref="ArgumentException">Strata are given but not one per row.</exception>
    public static (double Lower, double Upper)[] PercentileIntervals(int rows, IReadOnlyList<RowMetric> metrics, int samples = DefaultSamples,
        int seed = 1, double level = 0.95, ReadOnlySpan<int> strata = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The interval's level must be in (0, 1).");
        }

        if (!strata.IsEmpty && strata.Length != rows)
        {
            throw new ArgumentException($"Got {strata.Length} strata for {rows} rows; need one per row, or none.", nameof(strata));
        }

        int[][] groups = Groups(rows, strata);
        var values = new double[metrics.Count][];
        for (int k = 0; k < metrics.Count; k++)
        {
            values[k] = new double[samples];
        }

        var random = new Random(seed);
        var resample = new int[rows];
        for (int b = 0; b < samples; b++)
        {
            int at = 0;
            foreach (int[] group in groups)
            {
                for (int r = 0; r < group.Length; r++)
                {
                    resample[at++] = group[random.Next(group.Length)];
                }
            }

            for (int k = 0; k < metrics.Count; k++)
            {
                values[k][b] = rows == 0 ? double.NaN : metrics[k](resample);
            }
        }

        var intervals = new (double, double)[metrics.Count];
        double tail = (1 - level) / 2;
        for (int k = 0; k < metrics.Count; k++)
        {
            double[] defined = Array.FindAll(values[k], v => !double.IsNaN(v));
            Array.Sort(defined);
            intervals[k] = defined.Length == 0
                ? (double.NaN, double.NaN)
                : (Quantile(defined, tail), Quantile(defined, 1 - tail));
        }

        return intervals;
    }

    /// <summary>
    /// The <paramref name="fraction"/> quantile of sorted values by linear interpolation between the order statistics at
    /// (count − 1)·fraction, as numpy.percentile's default.
    /// </summary>
    internal static double Quantile(ReadOnlySpan<double> sorted, double fraction)
    {
        double position = (sorted.Length - 1) * fraction;
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double weight = position - below;

        // numpy's _lerp: a + (b − a)·t, taken from the upper end when t ≥ 1/2, so the quantile is exact at both ends.
        double a = sorted[below], b = sorted[above];
        double difference = b - a;
        return weight >= 0.5 ? b - difference * (1 - weight) : a + difference * weight;
    }

    // The rows of each stratum in row order, strata in ascending id order; one group of all rows without strata.
    private static int[][] Groups(int rows, ReadOnlySpan<int> strata)
    {
        if (strata.IsEmpty)
        {
            var all = new int[rows];
            for (int i = 0; i < rows; i++)
            {
                all[i] = i;
            }

            return [all];
        }

        var byStratum = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < rows; i++)
        {
            if (!byStratum.TryGetValue(strata[i], out var members))
            {
                byStratum[strata[i]] = members = [];
            }

            members.Add(i);
        }

        var groups = new int[byStratum.Count][];
        int g = 0;
        foreach (var members in byStratum.Values)
        {
            groups[g++] = members.ToArray();
        }

        return groups;
    }
}
