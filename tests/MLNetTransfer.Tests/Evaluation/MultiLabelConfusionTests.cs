using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// EvaluateMultiLabelConfusion counts each label's known targets as ML.NET's binary evaluator would, label by label, at
/// a strict threshold; its accuracy is EvaluateMultiLabelAccuracy's; uncertain targets follow the UncertaintyPolicy.
/// </summary>
public sealed class MultiLabelConfusionTests
{
    [Fact]
    public void Counts_skip_missing_targets_and_count_a_score_at_the_threshold_as_negative()
    {
        var ml = new MLContext(seed: 1);
        var data = Load(ml, [[0.5f, 0.9f], [0.6f, 0.1f], [0.2f, 0.7f]], [[1f, float.NaN], [0f, 0f], [0f, 1f]]);

        var metrics = ml.MulticlassClassification.EvaluateMultiLabelConfusion(data, threshold: 0.5f);

        // label 0: (truth 1, score 0.5 = threshold -> negative) FN; (0, 0.6) FP; (0, 0.2) TN. label 1: row 0 missing; TN; TP.
        Assert.Equal(new[] { 1, 1 }, metrics.TrueNegatives);
        Assert.Equal(new[] { 1, 0 }, metrics.FalsePositives);
        Assert.Equal(new[] { 1, 0 }, metrics.FalseNegatives);
        Assert.Equal(new[] { 0, 1 }, metrics.TruePositives);
        Assert.Equal(new[] { 1 / 3.0, 1.0 }, metrics.PerLabelAccuracy);
        Assert.Equal((1 / 3.0 + 1.0) / 2, metrics.Accuracy, 15);
        Assert.Equal(0.5f, metrics.Threshold);
        Assert.Equal(3, metrics.Rows);
        Assert.Equal(new[] { "label0", "label1" }, metrics.LabelNames);
    }

    [Fact]
    public void Each_labels_counts_equal_mlnets_binary_confusion_matrix_and_the_accuracy_is_EvaluateMultiLabelAccuracy()
    {
        var random = new Random(3);
        const int Rows = 250;
        const float Threshold = 0.4f;
        var truth = new float[Rows][];
        var scores = new float[Rows][];
        for (int i = 0; i < Rows; i++)
        {
            truth[i] = Enumerable.Range(0, 3).Select(j => random.NextDouble() < 0.15 ? float.NaN : random.Next(2)).ToArray();
            // Two decimals make ties, but none at the threshold: ML.NET's rule there is not what this test is about.
            scores[i] = truth[i].Select(t => (float)Math.Round(Math.Clamp(random.NextDouble() * 0.8 + (t == 1 ? 0.2 : 0), 0.01, 0.99), 2))
                .Select(s => s == Threshold ? s + 0.01f : s).ToArray();
        }

        var ml = new MLContext(seed: 1);
        var metrics = ml.MulticlassClassification.EvaluateMultiLabelConfusion(Load(ml, scores, truth), threshold: Threshold);

        for (int j = 0; j < 3; j++)
        {
            // ML.NET's binary evaluator predicts positive where the score is above 0; its matrix is positive-first.
            var known = Enumerable.Range(0, Rows).Where(i => !float.IsNaN(truth[i][j]))
                .Select(i => new BinaryRow { Label = truth[i][j] == 1f, Score = scores[i][j] - Threshold, PredictedLabel = scores[i][j] > Threshold });
            var counts = ml.BinaryClassification.EvaluateNonCalibrated(ml.Data.LoadFromEnumerable(known)).ConfusionMatrix.Counts;
            Assert.Equal(counts[0][0], metrics.TruePositives[j]);
            Assert.Equal(counts[0][1], metrics.FalseNegatives[j]);
            Assert.Equal(counts[1][0], metrics.FalsePositives[j]);
            Assert.Equal(counts[1][1], metrics.TrueNegatives[j]);
        }

        Assert.Equal(ml.MulticlassClassification.EvaluateMultiLabelAccuracy(Load(ml, scores, truth), threshold: Threshold), metrics.Accuracy);
    }

    [Fact]
    public void Uncertain_targets_are_left_out_by_default_and_count_as_the_policy_says()
    {
        var ml = new MLContext(seed: 1);
        float[][] scores = [[0.9f], [0.8f], [0.2f], [0.7f]];
        float[][] truth = [[-1f], [1f], [0f], [-1f]];

        var ignore = ml.MulticlassClassification.EvaluateMultiLabelConfusion(Load(ml, scores, truth));
        var ones = ml.MulticlassClassification.EvaluateMultiLabelConfusion(Load(ml, scores, truth), uncertainty: UncertaintyPolicy.Ones);
        var zeros = ml.MulticlassClassification.EvaluateMultiLabelConfusion(Load(ml, scores, truth), uncertainty: UncertaintyPolicy.Zeros);

        Assert.Equal((1, 0, 0, 1), Cells(ignore));
        Assert.Equal((1, 0, 0, 3), Cells(ones));
        Assert.Equal((1, 2, 0, 1), Cells(zeros));

        // The AUC's curve sees the same targets: the two known rows under Ignore, all four under Ones and Zeros.
        foreach (var (policy, positives, negatives) in new[] { (UncertaintyPolicy.Ignore, 1, 1), (UncertaintyPolicy.Ones, 3, 1), (UncertaintyPolicy.Zeros, 1, 3) })
        {
            RocCurve curve = ml.MulticlassClassification.EvaluateMultiLabelAuc(Load(ml, scores, truth), uncertainty: policy).RocCurves[0]!;
            Assert.Equal((positives, negatives), (curve.Positives, curve.Negatives));
        }
    }

    private static (int TrueNegatives, int FalsePositives, int FalseNegatives, int TruePositives) Cells(MultiLabelConfusionMetrics metrics) =>
        (metrics.TrueNegatives[0], metrics.FalsePositives[0], metrics.FalseNegatives[0], metrics.TruePositives[0]);

    private static IDataView Load(MLContext ml, float[][] scores, float[][] truth)
    {
        int labels = truth[0].Length;
        var definition = SchemaDefinition.Create(typeof(MultiLabelRow));
        definition[nameof(MultiLabelRow.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labels);
        definition[nameof(MultiLabelRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labels);
        return ml.Data.LoadFromEnumerable(truth.Select((t, i) => new MultiLabelRow { Label = t, Score = scores[i] }), definition);
    }

    private sealed class MultiLabelRow
    {
        public float[] Label { get; set; } = [];

        public float[] Score { get; set; } = [];
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
