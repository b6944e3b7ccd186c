using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>
/// Scored rows evaluated through the public API, as <c>evaluate</c> does it: the library's evaluators
/// (<c>EvaluatePerClassAuc</c>, <c>EvaluateMultiLabelAuc</c>, <c>EvaluateMultiLabelConfusion</c>) and ML.NET's.
/// </summary>
internal static class Evaluations
{
    /// <summary>One-vs-rest AUCs and ROC curves of <paramref name="scores"/> for the class indices <paramref name="labels"/>.</summary>
    public static PerClassAucMetrics PerClassAuc(float[][] scores, int[] labels) =>
        Ml.MulticlassClassification.EvaluatePerClassAuc(SingleLabel(scores, labels));

    /// <summary>ML.NET's multiclass evaluator's confusion matrix (it predicts the argmax of the scores).</summary>
    public static ConfusionMatrix MulticlassConfusion(float[][] scores, int[] labels) =>
        Ml.MulticlassClassification.Evaluate(SingleLabel(scores, labels)).ConfusionMatrix;

    /// <summary>ML.NET's binary evaluator's confusion matrix of <paramref name="logits"/> thresholded at 0.</summary>
    public static ConfusionMatrix BinaryConfusion(bool[] positives, float[] logits) =>
        Ml.BinaryClassification.EvaluateNonCalibrated(Ml.Data.LoadFromEnumerable(
            positives.Select((p, i) => new BinaryRow { Label = p, Score = logits[i], PredictedLabel = logits[i] > 0 }))).ConfusionMatrix;

    /// <summary>
    /// Per-label AUCs and curves, and the per-label confusion at <paramref name="threshold"/>; the targets carry
    /// <paramref name="names"/> as slot names, as <c>evaluate</c>'s do.
    /// </summary>
    public static (PerClassAucMetrics Auc, MultiLabelConfusionMetrics Confusion) MultiLabel(float[][] scores, float[][] targets, string[] names, float threshold)
    {
        int labels = targets[0].Length;
        var definition = SchemaDefinition.Create(typeof(MultiLabelRow));
        definition[nameof(MultiLabelRow.Label)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labels);
        definition[nameof(MultiLabelRow.Label)].AddAnnotation(
            "SlotNames", new VBuffer<ReadOnlyMemory<char>>(labels, names.Select(n => n.AsMemory()).ToArray()), new VectorDataViewType(TextDataViewType.Instance, labels));
        definition[nameof(MultiLabelRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labels);
        var data = Ml.Data.LoadFromEnumerable(targets.Select((t, i) => new MultiLabelRow { Label = t, Score = scores[i] }), definition);
        return (Ml.MulticlassClassification.EvaluateMultiLabelAuc(data),
            Ml.MulticlassClassification.EvaluateMultiLabelConfusion(data, threshold: threshold));
    }

    private static MLContext Ml => new(seed: 1);

    private static IDataView SingleLabel(float[][] scores, int[] labels)
    {
        int classes = scores[0].Length;

        // LoadFromEnumerable reads a key property as a 0-based index, so class indices go in as they are.
        var definition = SchemaDefinition.Create(typeof(SingleLabelRow));
        definition[nameof(SingleLabelRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        definition[nameof(SingleLabelRow.PredictedLabel)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        definition[nameof(SingleLabelRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        return Ml.Data.LoadFromEnumerable(labels.Select((l, i) => new SingleLabelRow
        {
            Label = (uint)l,
            Score = scores[i],
            PredictedLabel = (uint)Array.IndexOf(scores[i], scores[i].Max()),
        }), definition);
    }

    private sealed class SingleLabelRow
    {
        public uint Label { get; set; }

        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
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
