using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Data;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer;

/// <summary>
/// What ML.NET's evaluators do not give: per-class ROC AUC and ROC curves (one-vs-rest for multiclass scores, per label
/// for multi-label scores), and the accuracy and per-label confusion of multi-label models. Use next to
/// <c>mlContext.MulticlassClassification.Evaluate</c> and <c>mlContext.BinaryClassification.Evaluate</c>.
/// </summary>
public static class EvaluationCatalog
{
    /// <summary>One-vs-rest ROC AUC and ROC curve of each class of a single-label model.</summary>
    /// <param name="catalog">The multiclass catalog.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">The label: a key (or Boolean for two classes).</param>
    /// <param name="scoreColumnName">Class probabilities, one per class, in key order.</param>
    public static PerClassAucMetrics EvaluatePerClassAuc(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var labels = LabelSchema.From(data.Schema, labelColumnName);
        if (labels.Task == TaskKind.MultiLabel)
        {
            throw new ArgumentOutOfRangeException(nameof(data), $"Label column '{labelColumnName}' is a vector: use EvaluateMultiLabelAuc.");
        }

        // Scores and labels from one cursor, row by row, so they cannot fall out of step.
        var scores = new List<float>();
        var classList = new List<int>();
        var scoreColumn = ScoreColumn(data, scoreColumnName, labels.Outputs);
        var labelColumn = data.Schema[labelColumnName];
        using (var cursor = data.GetRowCursor(new[] { scoreColumn, labelColumn }))
        {
            var readScore = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            var readLabel = LabelGetter(cursor, labelColumn, labels.Kind);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                readScore(ref value);
                scores.AddRange(value.DenseValues());
                classList.Add(readLabel());
            }
        }

        var classes = classList.ToArray();
        int rows = classes.Length;
        var curves = new RocCurve?[labels.Outputs];
        var (macro, perClass, undefined) = RocAuc.OneVsRest(scores.ToArray(), classes, labels.Outputs, curves);
        var positives = Enumerable.Range(0, labels.Outputs).Select(c => classes.Count(l => l == c)).ToArray();
        return new PerClassAucMetrics(labels.ClassNames, perClass, macro, undefined, positives, rows, curves);
    }

    /// <summary>
    /// ROC AUC and ROC curve of each label of a multi-label model; missing targets (NaN) are left out label by label.
    /// </summary>
    /// <param name="catalog">The multiclass catalog (ML.NET has no multi-label one).</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">Targets: a known-size Single vector of 1, 0, -1 (uncertain) or NaN (missing).</param>
    /// <param name="scoreColumnName">Per-label probabilities.</param>
    /// <param name="uncertainty">What an uncertain (-1) target counts as. Default: left out, like a missing one.</param>
    public static PerClassAucMetrics EvaluateMultiLabelAuc(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score", UncertaintyPolicy uncertainty = UncertaintyPolicy.Ignore)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var (scores, targets, labels) = ReadMultiLabel(data, labelColumnName, scoreColumnName, "EvaluateMultiLabelAuc");
        int rows = scores.Length / labels.Outputs;
        targets = uncertainty.Apply(targets);
        var curves = new RocCurve?[labels.Outputs];
        var (perLabel, macro, undefined) = RocAuc.PerLabel(scores, targets, labels.Outputs, curves);
        var positives = Enumerable.Range(0, labels.Outputs)
            .Select(j => Enumerable.Range(0, rows).Count(i => targets[i * labels.Outputs + j] == 1f)).ToArray();
        return new PerClassAucMetrics(labels.ClassNames, perLabel, macro, undefined, positives, rows, curves);
    }

    /// <summary>
    /// The probability above which a multi-label model's label counts as predicted (strictly above), in
    /// <see cref="EvaluateMultiLabelAccuracy"/>, <see cref="EvaluateMultiLabelConfusion"/> and in the per-epoch
    /// validation accuracy of fine-tuning. 0.5.
    /// </summary>
    public const float MultiLabelThreshold = Accuracy.DefaultThreshold;

    /// <summary>
    /// Accuracy of a multi-label model: for each label, the share of its known targets (1 or 0) that the prediction
    /// (probability above <paramref name="threshold"/>) gets right, averaged over labels that have any. It is the
    /// per-epoch <see cref="EpochMetrics.ValidationAccuracy"/> of a multi-label fine-tune, computed by the same code.
    /// </summary>
    /// <param name="catalog">The multiclass catalog (ML.NET has no multi-label one).</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">Targets: a known-size Single vector of 1, 0, -1 (uncertain) or NaN (missing).</param>
    /// <param name="scoreColumnName">Per-label probabilities.</param>
    /// <param name="threshold">A label is predicted when its probability is above this. Default <see cref="MultiLabelThreshold"/>.</param>
    /// <param name="uncertainty">What an uncertain (-1) target counts as. Default: left out, like a missing one.</param>
    public static double EvaluateMultiLabelAccuracy(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score", float threshold = MultiLabelThreshold,
        UncertaintyPolicy uncertainty = UncertaintyPolicy.Ignore)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var (scores, targets, labels) = ReadMultiLabel(data, labelColumnName, scoreColumnName, "EvaluateMultiLabelAccuracy");
        return Accuracy.MultiLabel(scores, uncertainty.Apply(targets), labels.Outputs, threshold);
    }

    /// <summary>
    /// The confusion of each label of a multi-label model at <paramref name="threshold"/> (true and false positives and
    /// negatives over its known targets), and the accuracy of <see cref="EvaluateMultiLabelAccuracy"/>, counted from
    /// them.
    /// </summary>
    /// <param name="catalog">The multiclass catalog (ML.NET has no multi-label one).</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">Targets: a known-size Single vector of 1, 0, -1 (uncertain) or NaN (missing).</param>
    /// <param name="scoreColumnName">Per-label probabilities.</param>
    /// <param name="threshold">A label is predicted when its probability is above this. Default <see cref="MultiLabelThreshold"/>.</param>
    /// <param name="uncertainty">What an uncertain (-1) target counts as. Default: left out, like a missing one.</param>
    public static MultiLabelConfusionMetrics EvaluateMultiLabelConfusion(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score", float threshold = MultiLabelThreshold,
        UncertaintyPolicy uncertainty = UncertaintyPolicy.Ignore)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var (scores, targets, labels) = ReadMultiLabel(data, labelColumnName, scoreColumnName, "EvaluateMultiLabelConfusion");
        LabelCounts[] counts = Accuracy.MultiLabelCounts(scores, uncertainty.Apply(targets), labels.Outputs, threshold);
        return new MultiLabelConfusionMetrics(labels.ClassNames, threshold,
            counts.Select(c => c.TrueNegatives).ToArray(), counts.Select(c => c.FalsePositives).ToArray(),
            counts.Select(c => c.FalseNegatives).ToArray(), counts.Select(c => c.TruePositives).ToArray(),
            counts.Select(c => c.Accuracy).ToArray(), Accuracy.MeanOfLabels(counts), scores.Length / labels.Outputs);
    }

    // Scores and targets of a multi-label scored set from one cursor, row by row, so they cannot fall out of step.
    private static (float[] Scores, float[] Targets, LabelSchema Labels) ReadMultiLabel(IDataView data, string labelColumnName, string scoreColumnName, string caller)
    {
        var labels = LabelSchema.From(data.Schema, labelColumnName);
        if (labels.Task != TaskKind.MultiLabel)
        {
            throw new ArgumentOutOfRangeException(nameof(data), $"Label column '{labelColumnName}' is not a vector of targets: {caller} is for multi-label models; use EvaluatePerClassAuc.");
        }

        var scoreList = new List<float>();
        var targetList = new List<float>();
        var scoreColumn = ScoreColumn(data, scoreColumnName, labels.Outputs);
        var labelColumn = data.Schema[labelColumnName];
        using (var cursor = data.GetRowCursor(new[] { scoreColumn, labelColumn }))
        {
            var readScore = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            var readTargets = cursor.GetGetter<VBuffer<float>>(labelColumn);
            VBuffer<float> score = default, target = default;
            while (cursor.MoveNext())
            {
                readScore(ref score);
                readTargets(ref target);
                scoreList.AddRange(score.DenseValues());
                targetList.AddRange(target.DenseValues());
            }
        }

        return (scoreList.ToArray(), targetList.ToArray(), labels);
    }

    private static DataViewSchema.Column ScoreColumn(IDataView data, string scoreColumnName, int outputs)
    {
        var column = SchemaChecks.Find(data.Schema, scoreColumnName);
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n } vector || n.RawType != typeof(float) || vector.Size != outputs)
        {
            throw SchemaChecks.Mismatch(scoreColumnName, $"vector of {outputs} Single (one score per class)", column.Type);
        }

        return column;
    }

    private static Func<int> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column, LabelKind kind)
    {
        if (kind == LabelKind.Boolean)
        {
            var getter = cursor.GetGetter<bool>(column);
            bool value = false;
            return () =>
            {
                getter(ref value);
                return value ? 1 : 0;
            };
        }

        var keyGetter = cursor.GetGetter<uint>(column);
        uint key = 0;
        return () =>
        {
            keyGetter(ref key);
            if (key == 0)
            {
                throw new InvalidOperationException($"Row {cursor.Position} has a missing label in column '{column.Name}'.");
            }

            return (int)key - 1;
        };
    }
}
