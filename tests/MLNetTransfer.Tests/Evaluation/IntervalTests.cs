using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Evaluation;
using Xunit;
using static MLNetTransfer.Tests.Evaluation.StatisticsReferences;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// Wilson intervals equal scipy's binomtest(...).proportion_ci(method="wilson"); the bootstrap's quantile equals
/// numpy.quantile; the bootstrap is deterministic for a seed and its percentile interval brackets the estimate.
/// </summary>
public sealed class IntervalTests : IClassFixture<StatisticsReferences>
{
    private readonly StatisticsReferences _references;

    public IntervalTests(StatisticsReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Wilson_equals_scipy()
    {
        foreach (JsonElement c in _references.Cases("wilson"))
        {
            int k = c.GetProperty("k").GetInt32(), n = c.GetProperty("n").GetInt32();
            var (lower, upper) = Wilson.Interval95(k, n);
            Interval(c.GetProperty("ci"), lower, upper, 1e-14, $"wilson {k}/{n}");
        }
    }

    [Fact]
    public void Wilson_is_NaN_without_trials_and_refuses_impossible_counts()
    {
        var (lower, upper) = Wilson.Interval95(0, 0);
        Assert.True(double.IsNaN(lower) && double.IsNaN(upper));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval95(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval95(-1, 2));
    }

    [Fact]
    public void Quantile_equals_numpy()
    {
        foreach (JsonElement c in _references.Cases("quantiles"))
        {
            double[] sorted = Doubles(c.GetProperty("values")).Order().ToArray();
            double[] fractions = Doubles(c.GetProperty("fractions"));
            double[] expected = Doubles(c.GetProperty("quantiles"));
            for (int i = 0; i < fractions.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - Bootstrap.Quantile(sorted, fractions[i])) <= 1e-15 * Math.Max(1, Math.Abs(expected[i])),
                    $"quantile {fractions[i]:R} of {sorted.Length}: expected {expected[i]:R}, got {Bootstrap.Quantile(sorted, fractions[i]):R}");
            }
        }
    }

    [Fact]
    public void Bootstrap_is_deterministic_for_a_seed_and_its_width_is_the_standard_error()
    {
        var random = new Random(3);
        double[] values = Enumerable.Range(0, 400).Select(_ => random.NextDouble() * 10).ToArray();
        RowMetric mean = rows =>
        {
            double sum = 0;
            foreach (int r in rows)
            {
                sum += values[r];
            }

            return sum / rows.Length;
        };

        var first = Bootstrap.PercentileIntervals(values.Length, [mean], 1000, seed: 11);
        var again = Bootstrap.PercentileIntervals(values.Length, [mean], 1000, seed: 11);
        var other = Bootstrap.PercentileIntervals(values.Length, [mean], 1000, seed: 12);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        double estimate = values.Average();
        Assert.InRange(estimate, first[0].Lower, first[0].Upper);

        // The percentile interval of a mean spans about 2·1.96 standard errors s/√n.
        double standardError = StandardDeviation(values) / Math.Sqrt(values.Length);
        Assert.InRange((first[0].Upper - first[0].Lower) / (2 * 1.96 * standardError), 0.9, 1.1);

        // Resampling within the strata (below and above 5) keeps their counts, so only the spread inside each stratum
        // is left: for U(0, 10) split in halves the standard deviation halves.
        int[] strata = values.Select(v => v > 5 ? 1 : 0).ToArray();
        var stratified = Bootstrap.PercentileIntervals(values.Length, [mean], 1000, seed: 11, strata: strata);
        Assert.Equal(stratified, Bootstrap.PercentileIntervals(values.Length, [mean], 1000, seed: 11, strata: strata));
        double within = Math.Sqrt(strata.Distinct().Sum(s => Math.Pow(StandardDeviation(values.Where((_, i) => strata[i] == s).ToArray()), 2)
            * strata.Count(x => x == s)) / values.Length) / Math.Sqrt(values.Length);
        Assert.InRange((stratified[0].Upper - stratified[0].Lower) / (2 * 1.96 * within), 0.9, 1.1);
        Assert.InRange(estimate, stratified[0].Lower, stratified[0].Upper);
    }

    [Fact]
    public void Bootstrap_leaves_out_undefined_resamples_and_is_NaN_when_all_are()
    {
        RowMetric never = _ => double.NaN;
        var result = Bootstrap.PercentileIntervals(10, [never], 20, seed: 1);
        Assert.True(double.IsNaN(result[0].Lower) && double.IsNaN(result[0].Upper));
        Assert.Throws<ArgumentException>(() => Bootstrap.PercentileIntervals(3, [never], 20, strata: new[] { 1, 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.PercentileIntervals(3, [never], 0));
    }

    private static double StandardDeviation(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
