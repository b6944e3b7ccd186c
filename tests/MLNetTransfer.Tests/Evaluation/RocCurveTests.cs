using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Torch.Metrics;
using Xunit;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// The ROC curves the library computes are scikit-learn's roc_curve points (ties collapsed, leading (0, 0)) with its
/// area, the area is the AUC reported beside them, and EvaluatePerClassAuc and EvaluateMultiLabelAuc return one per
/// class or label, none where the AUC is undefined.
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
            RocCurve? curve = RocAuc.BinaryCurve(Floats(c.GetProperty("scores")), Bools(c.GetProperty("positives")));

            Assert.NotNull(curve);
            AssertCurve(c, curve, name);
            Assert.True(Math.Abs(c.GetProperty("roc_auc_score").GetDouble() - curve.AreaUnderCurve) <= AreaTolerance, $"{name}: area vs roc_auc_score");
        }
    }

    [Fact]
    public void Area_equals_the_engines_Mann_Whitney_AUC()
    {
        foreach (JsonElement c in _references.Cases("binary"))
        {
            float[] scores = Floats(c.GetProperty("scores"));
            bool[] positives = Bools(c.GetProperty("positives"));
            Assert.Equal(RocAuc.Binary(scores, positives), RocAuc.BinaryCurve(scores, positives)!.AreaUnderCurve, 12);
        }
    }

    [Fact]
    public void EvaluatePerClassAuc_returns_one_vs_rest_curves_and_none_for_absent_classes()
    {
        var ml = new MLContext(seed: 1);
        foreach (JsonElement c in _references.Cases("multiclass"))
        {
            string name = c.GetProperty("name").GetString()!;
            int classes = c.GetProperty("classes").GetInt32();
            int[] labels = Ints(c.GetProperty("labels"));
            float[][] scores = RocReferences.Rows(Floats(c.GetProperty("scores")), classes);

            // LoadFromEnumerable reads a key property as a 0-based index, so the script's labels go in as they are.
            var definition = SchemaDefinition.Create(typeof(SingleLabelRow));
            definition[nameof(SingleLabelRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes);
            definition[nameof(SingleLabelRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
            var data = ml.Data.LoadFromEnumerable(labels.Select((l, i) => new SingleLabelRow { Label = (uint)l, Score = scores[i] }), definition);

            PerClassAucMetrics metrics = ml.MulticlassClassification.EvaluatePerClassAuc(data);

            Assert.Equal(Enumerable.Range(0, classes).Select(k => labels.Count(l => l == k)), metrics.Positives);
            AssertPerItem(metrics, c.GetProperty("per_class"), name);
        }
    }

    [Fact]
    public void EvaluateMultiLabelAuc_drops_missing_targets_and_returns_no_curve_for_one_valued_labels()
    {
        var ml = new MLContext(seed: 1);
        foreach (JsonElement c in _references.Cases("multilabel"))
        {
            string name = c.GetProperty("name").GetString()!;
            int labels = c.GetProperty("labels").GetInt32();
            float[][] scores = RocReferences.Rows(Floats(c.GetProperty("scores")), labels);
            float[][] targets = RocReferences.Rows(Floats(c.GetProperty("targets")), labels);
            var definition = SchemaDefinition.Create(typeof(MultiLabelRow));
            definition[nameof(MultiLabelRow.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labels);
            definition[nameof(MultiLabelRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labels);
            var data = ml.Data.LoadFromEnumerable(targets.Select((t, i) => new MultiLabelRow { Label = t, Score = scores[i] }), definition);

            PerClassAucMetrics metrics = ml.MulticlassClassification.EvaluateMultiLabelAuc(data);

            AssertPerItem(metrics, c.GetProperty("per_label"), name);
            Assert.Contains(metrics.RocCurves, curve => curve is null); // the reference really exercises the undefined path
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void One_class_only_has_no_curve(bool onlyClass)
    {
        Assert.Null(RocAuc.BinaryCurve([0.1f, 0.5f, 0.9f], [onlyClass, onlyClass, onlyClass]));
        Assert.Null(RocAuc.BinaryCurve([], []));
    }

    [Fact]
    public void Non_finite_scores_and_mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RocAuc.BinaryCurve([0.1f, float.NaN], [true, false]));
        Assert.Throws<ArgumentException>(() => RocAuc.BinaryCurve([0.1f, float.PositiveInfinity], [true, false]));
        Assert.Throws<ArgumentException>(() => RocAuc.BinaryCurve([0.1f, 0.2f], [true]));
    }

    /// <summary>
    /// Each class or label has scikit-learn's curve where it has one, and no curve where scikit-learn draws none; the
    /// curve's area is the AUC the metrics report for it.
    /// </summary>
    private static void AssertPerItem(PerClassAucMetrics metrics, JsonElement expectedPerItem, string what)
    {
        var expected = expectedPerItem.EnumerateArray().ToArray();
        Assert.Equal(expected.Length, metrics.RocCurves.Count);
        Assert.Equal(
            expected.Select(e => e.ValueKind == JsonValueKind.Null),
            metrics.RocCurves.Select(curve => curve is null));
        for (int k = 0; k < expected.Length; k++)
        {
            if (metrics.RocCurves[k] is { } curve)
            {
                AssertCurve(expected[k], curve, $"{what} {metrics.ClassNames[k]}");
                Assert.Equal(metrics.PerClassAuc[k], curve.AreaUnderCurve, 12);
            }
            else
            {
                Assert.True(double.IsNaN(metrics.PerClassAuc[k]), $"{what} {metrics.ClassNames[k]}: no curve, so no AUC");
            }
        }
    }

    private static void AssertCurve(JsonElement expected, RocCurve actual, string what)
    {
        AssertClose(Doubles(expected.GetProperty("fpr")), actual.FalsePositiveRates, RateTolerance, $"{what} fpr");
        AssertClose(Doubles(expected.GetProperty("tpr")), actual.TruePositiveRates, RateTolerance, $"{what} tpr");

        // scikit-learn 1.2's first threshold is max + 1 (1.3+: inf); ours is +inf. The rest are the scores themselves.
        Assert.Equal(float.PositiveInfinity, actual.Thresholds[0]);
        Assert.Equal(Floats(expected.GetProperty("thresholds")), actual.Thresholds.Skip(1).ToArray());
        Assert.True(Math.Abs(expected.GetProperty("auc").GetDouble() - actual.AreaUnderCurve) <= AreaTolerance, $"{what}: auc {actual.AreaUnderCurve:R}");
    }

    private static void AssertClose(double[] expected, IReadOnlyList<double> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Count, $"{what}: expected {expected.Length} points, got {actual.Count}.");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}.");
        }
    }

    private sealed class SingleLabelRow
    {
        public uint Label { get; set; }

        public float[] Score { get; set; } = [];
    }

    private sealed class MultiLabelRow
    {
        public float[] Label { get; set; } = [];

        public float[] Score { get; set; } = [];
    }
}
