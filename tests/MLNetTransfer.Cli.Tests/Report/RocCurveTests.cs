using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Cli.Report;
using MLNetTransfer.Torch.Metrics;
using Xunit;
using static MLNetTransfer.Cli.Tests.Report.RocReferences;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>
/// RocCurve gives scikit-learn's roc_curve points (ties collapsed, leading (0, 0)) and area, and RocCurveSet picks the
/// curves of each task as the engine's AUCs do.
/// </summary>
public sealed class RocCurveTests : IClassFixture<RocReferences>
{
    // Rates are one division each, as in numpy; the area sums up to a few thousand trapezoids in another order.
    private const double RateTolerance = 1e-15;
    private const double AreaTolerance = 1e-12;

    private readonly RocReferences _references;

    public RocCurveTests(RocReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Binary_curves_equal_sklearn_roc_curve_including_ties_signed_zeros_and_extremes()
    {
        foreach (JsonElement c in _references.Cases("binary"))
        {
            string name = c.GetProperty("name").GetString()!;
            RocCurve? curve = RocCurve.Compute(Floats(c.GetProperty("scores")), Bools(c.GetProperty("positives")));

            Assert.NotNull(curve);
            AssertCurve(c, curve, name);
            Assert.True(Math.Abs(c.GetProperty("roc_auc_score").GetDouble() - curve.Auc) <= AreaTolerance, $"{name}: area vs roc_auc_score");
        }
    }

    [Fact]
    public void Area_equals_the_engines_Mann_Whitney_AUC()
    {
        foreach (JsonElement c in _references.Cases("binary"))
        {
            float[] scores = Floats(c.GetProperty("scores"));
            bool[] positives = Bools(c.GetProperty("positives"));
            Assert.Equal(RocAuc.Binary(scores, positives), RocCurve.Compute(scores, positives)!.Auc, 12);
        }
    }

    [Fact]
    public void Multiclass_set_has_one_vs_rest_curves_and_names_absent_classes_undefined()
    {
        foreach (JsonElement c in _references.Cases("multiclass"))
        {
            string name = c.GetProperty("name").GetString()!;
            int classes = c.GetProperty("classes").GetInt32();
            string[] names = Enumerable.Range(0, classes).Select(k => $"class{k}").ToArray();
            var input = new ReportInput
            {
                Title = name,
                ClassNames = names,
                Task = TaskKind.Multiclass,
                Scores = Rows(Floats(c.GetProperty("scores")), classes),
                Labels = Ints(c.GetProperty("labels")),
            };

            AssertSet(RocCurveSet.From(input), c.GetProperty("per_class"), names, name);
        }
    }

    [Fact]
    public void Multilabel_set_drops_missing_targets_and_names_one_valued_labels_undefined()
    {
        foreach (JsonElement c in _references.Cases("multilabel"))
        {
            string name = c.GetProperty("name").GetString()!;
            int labels = c.GetProperty("labels").GetInt32();
            string[] names = Enumerable.Range(0, labels).Select(k => $"finding{k}").ToArray();
            var input = new ReportInput
            {
                Title = name,
                ClassNames = names,
                Task = TaskKind.MultiLabel,
                Scores = Rows(Floats(c.GetProperty("scores")), labels),
                MultiLabels = Rows(Floats(c.GetProperty("targets")), labels),
            };

            RocCurveSet set = RocCurveSet.From(input);
            AssertSet(set, c.GetProperty("per_label"), names, name);
            Assert.NotEmpty(set.Undefined); // the reference really exercises the undefined path
        }
    }

    [Fact]
    public void Binary_set_has_the_positive_class_curve_only()
    {
        var input = new ReportInput
        {
            Title = "binary",
            ClassNames = ["NORMAL", "OPACITY"],
            Task = TaskKind.Binary,
            Scores = [[0.9f, 0.1f], [0.3f, 0.7f], [0.6f, 0.4f], [0.2f, 0.8f]],
            Labels = [0, 1, 1, 1],
        };

        RocCurveSet set = RocCurveSet.From(input);

        (string name, RocCurve curve) = Assert.Single(set.Curves);
        Assert.Equal("OPACITY", name);
        Assert.Equal(3, curve.Positives);
        Assert.Equal(1.0, curve.Auc);
        Assert.Empty(set.Undefined);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void One_class_only_has_no_curve(bool onlyClass)
    {
        Assert.Null(RocCurve.Compute([0.1f, 0.5f, 0.9f], [onlyClass, onlyClass, onlyClass]));
        Assert.Null(RocCurve.Compute([], []));
    }

    [Fact]
    public void Non_finite_scores_and_mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.1f, float.NaN], [true, false]));
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.1f, float.PositiveInfinity], [true, false]));
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.1f, 0.2f], [true]));
    }

    private static void AssertSet(RocCurveSet set, JsonElement expectedPerItem, string[] names, string what)
    {
        var expected = expectedPerItem.EnumerateArray().ToArray();
        Assert.Equal(
            names.Where((_, k) => expected[k].ValueKind == JsonValueKind.Null),
            set.Undefined);
        Assert.Equal(
            names.Where((_, k) => expected[k].ValueKind != JsonValueKind.Null),
            set.Curves.Select(c => c.Name));
        foreach ((string name, RocCurve curve) in set.Curves)
        {
            AssertCurve(expected[Array.IndexOf(names, name)], curve, $"{what} {name}");
        }
    }

    private static void AssertCurve(JsonElement expected, RocCurve actual, string what)
    {
        AssertClose(Doubles(expected.GetProperty("fpr")), actual.FalsePositiveRates, RateTolerance, $"{what} fpr");
        AssertClose(Doubles(expected.GetProperty("tpr")), actual.TruePositiveRates, RateTolerance, $"{what} tpr");

        // scikit-learn 1.2's first threshold is max + 1 (1.3+: inf); ours is +inf. The rest are the scores themselves.
        Assert.Equal(float.PositiveInfinity, actual.Thresholds[0]);
        Assert.Equal(Floats(expected.GetProperty("thresholds")), actual.Thresholds.Skip(1).ToArray());
        Assert.True(Math.Abs(expected.GetProperty("auc").GetDouble() - actual.Auc) <= AreaTolerance, $"{what}: auc {actual.Auc:R}");
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} points, got {actual.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}.");
        }
    }
}
