using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Evaluation;
using MLNetTransfer.Torch.Metrics;
using Xunit;
using static MLNetTransfer.Tests.Evaluation.StatisticsReferences;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// DeLong's AUC variance and paired test by Sun and Xu's midrank algorithm equal DeLong's definition computed pair by
/// pair in numpy (and scikit-learn's AUC, scipy's normal tail), ties, tiny and imbalanced sets included; undefined cases
/// are NaN with a reason.
/// </summary>
public sealed class DeLongTests : IClassFixture<StatisticsReferences>
{
    // The AUC is one rounding from exact; the variances are sums of a few hundred squares in another order.
    private const double Tolerance = 1e-12;

    private readonly StatisticsReferences _references;

    public DeLongTests(StatisticsReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Auc_and_variance_equal_the_pairwise_definition_and_roc_auc_score()
    {
        foreach (JsonElement c in _references.Cases("delong"))
        {
            string name = c.GetProperty("name").GetString()!;
            AucEstimate estimate = DeLong.Auc(Widened(c.GetProperty("scores")), Bools(c.GetProperty("positives")));

            Close(c.GetProperty("auc"), estimate.Auc, Tolerance, $"{name} auc");
            Close(c.GetProperty("roc_auc_score"), estimate.Auc, Tolerance, $"{name} roc_auc_score");
            Close(c.GetProperty("variance"), estimate.Variance, Tolerance, $"{name} variance");
            Interval(c.GetProperty("ci"), estimate.Ci95.Lower, estimate.Ci95.Upper, Tolerance, $"{name} ci");
            Assert.Equal(double.IsNaN(estimate.Variance), estimate.UndefinedReason is not null);
        }
    }

    [Fact]
    public void Paired_test_equals_the_covariance_of_the_pairwise_placements()
    {
        foreach (JsonElement c in _references.Cases("paired"))
        {
            string name = c.GetProperty("name").GetString()!;
            PairedAucTest test = DeLong.Paired(Widened(c.GetProperty("a")), Widened(c.GetProperty("b")), Bools(c.GetProperty("positives")));

            Close(c.GetProperty("auc_a"), test.AucA, Tolerance, $"{name} auc_a");
            Close(c.GetProperty("auc_b"), test.AucB, Tolerance, $"{name} auc_b");
            Close(c.GetProperty("delta"), test.Delta, Tolerance, $"{name} delta");
            Close(c.GetProperty("variance"), test.Variance, Tolerance, $"{name} variance");
            Close(c.GetProperty("z"), test.Z, 1e-9, $"{name} z");
            Close(c.GetProperty("p"), test.PValue, 1e-12, $"{name} p");
            Interval(c.GetProperty("ci"), test.Lower, test.Upper, Tolerance, $"{name} ci");
            Assert.Equal(double.IsNaN(test.PValue), test.UndefinedReason is not null);
        }
    }

    [Fact]
    public void The_references_exercise_every_undefined_case()
    {
        var delong = _references.Cases("delong").ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(JsonValueKind.Null, delong["single_positive"].GetProperty("variance").ValueKind);
        Assert.Equal(0.0, delong["perfect"].GetProperty("variance").GetDouble());
        var paired = _references.Cases("paired").ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(JsonValueKind.Null, paired["identical"].GetProperty("z").ValueKind);
        Assert.Equal(JsonValueKind.Null, paired["no_negative"].GetProperty("auc_a").ValueKind);
    }

    [Fact]
    public void Undefined_cases_say_why()
    {
        AucEstimate noPositive = DeLong.Auc([0.1, 0.2, 0.3], [false, false, false]);
        Assert.True(double.IsNaN(noPositive.Auc));
        Assert.Contains("no positive rows", noPositive.UndefinedReason);

        AucEstimate onePositive = DeLong.Auc([0.1, 0.2, 0.3, 0.9], [false, false, false, true]);
        Assert.Equal(1.0, onePositive.Auc);
        Assert.True(double.IsNaN(onePositive.Variance));
        Assert.Contains("at least two of each", onePositive.UndefinedReason);

        PairedAucTest identical = DeLong.Paired([0.1, 0.4, 0.3, 0.9], [0.1, 0.4, 0.3, 0.9], [false, true, false, true]);
        Assert.Equal(0.0, identical.Delta);
        Assert.True(double.IsNaN(identical.Z) && double.IsNaN(identical.PValue) && double.IsNaN(identical.Lower));
        Assert.Contains("variance of the AUC difference is 0", identical.UndefinedReason);

        PairedAucTest noNegative = DeLong.Paired([0.1, 0.2], [0.3, 0.4], [true, true]);
        Assert.Contains("no negative rows", noNegative.UndefinedReason);
    }

    [Fact]
    public void Bad_input_is_refused_with_the_argument_named()
    {
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => DeLong.Auc([0.1, double.NaN], [true, false])).ParamName);
        Assert.Throws<ArgumentException>(() => DeLong.Auc([0.1, 0.2], [true]));
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => DeLong.Paired([0.1, 0.2], [0.1, double.PositiveInfinity], [true, false])).ParamName);
    }

    [Fact]
    public void Auc_equals_the_engines_Mann_Whitney_auc_on_a_large_tied_set()
    {
        // 200 000 rows: O(m·n) would be 10¹⁰ pairs; the midrank algorithm sorts three times.
        var random = new Random(7);
        int n = 200_000;
        var scores = new float[n];
        var positive = new bool[n];
        for (int i = 0; i < n; i++)
        {
            positive[i] = random.NextDouble() < 0.3;
            scores[i] = MathF.Round((float)random.NextDouble() * 50 + (positive[i] ? 10 : 0)) / 60;
        }

        AucEstimate estimate = DeLong.Auc(scores.Select(s => (double)s).ToArray(), positive);

        Assert.Equal(RocAuc.Binary(scores, positive), estimate.Auc, 12);

        // Birnbaum and Klose (Annals of Mathematical Statistics 28(4), 1957): Var(AUC) ≤ AUC(1 − AUC)/min(m, n).
        int m = positive.Count(p => p);
        Assert.InRange(estimate.Variance, double.Epsilon, estimate.Auc * (1 - estimate.Auc) / Math.Min(m, n - m));
    }

    [Fact]
    public void Erfc_and_the_two_sided_p_value_equal_scipy()
    {
        foreach (JsonElement c in _references.Cases("erfc"))
        {
            double x = c.GetProperty("x").GetDouble();
            double expected = c.GetProperty("erfc").GetDouble();
            double actual = NormalDistribution.Erfc(x);
            Assert.True(Math.Abs(expected - actual) <= 1e-14 * Math.Abs(expected) + 1e-300, $"erfc({x:R}): expected {expected:R}, got {actual:R}.");

            double p = c.GetProperty("two_sided_p").GetDouble();
            double pActual = NormalDistribution.TwoSidedPValue(x);
            // |z|/√2 is rounded before erfc, whose relative sensitivity to its argument grows as z² in the tail.
            Assert.True(Math.Abs(p - pActual) <= 2e-15 * (1 + x * x) * p + 1e-300, $"p({x:R}): expected {p:R}, got {pActual:R}.");
        }

        Assert.Equal(0.975, NormalDistribution.Cdf(NormalDistribution.Z95), 15);
    }
}
