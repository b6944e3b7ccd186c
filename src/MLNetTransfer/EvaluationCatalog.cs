using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Data;
using MLNetTransfer.Evaluation;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer;

/// <summary>
/// Per-class ROC AUC, which ML.NET's evaluators do not give: one-vs-rest for multiclass scores, per label for
/// multi-label scores. Use next to <c>mlContext.MulticlassClassification.Evaluate</c> and
/// <c>mlContext.BinaryClassification.Evaluate</c>.
/// </summary>
public static class EvaluationCatalog
{
    /// <summary>One-vs-rest ROC AUC of each class of a single-label model.</summary>
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

        var (scores, rows) = ReadScores(data, scoreColumnName, labels.Outputs);
        var classes = new int[rows];
        using (var cursor = data.GetRowCursor(new[] { data.Schema[labelColumnName] }))
        {
            var getter = LabelGetter(cursor, data.Schema[labelColumnName], labels.Kind);
            for (int i = 0; cursor.MoveNext(); i++)
            {
                classes[i] = getter();
            }
        }

        var (macro, perClass, undefined) = RocAuc.OneVsRest(scores, classes, labels.Outputs);
        var positives = Enumerable.Range(0, labels.Outputs).Select(c => classes.Count(l => l == c)).ToArray();
        return new PerClassAucMetrics(labels.ClassNames, perClass, macro, undefined, positives, rows);
    }

    /// <summary>ROC AUC of each label of a multi-label model; missing targets (NaN) are left out label by label.</summary>
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
        var labels = LabelSchema.From(data.Schema, labelColumnName);
        if (labels.Task != TaskKind.MultiLabel)
        {
            throw new ArgumentOutOfRangeException(nameof(data), $"Label column '{labelColumnName}' is not a vector of targets: use EvaluatePerClassAuc.");
        }

        var (scores, rows) = ReadScores(data, scoreColumnName, labels.Outputs);
        var targets = new float[rows * labels.Outputs];
        using (var cursor = data.GetRowCursor(new[] { data.Schema[labelColumnName] }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[labelColumnName]);
            VBuffer<float> value = default;
            for (int i = 0; cursor.MoveNext(); i++)
            {
                getter(ref value);
                value.DenseValues().ToArray().CopyTo(targets, i * labels.Outputs);
            }
        }

        targets = uncertainty.Apply(targets);
        var (perLabel, macro, undefined) = RocAuc.PerLabel(scores, targets, labels.Outputs);
        var positives = Enumerable.Range(0, labels.Outputs)
            .Select(j => Enumerable.Range(0, rows).Count(i => targets[i * labels.Outputs + j] == 1f)).ToArray();
        return new PerClassAucMetrics(labels.ClassNames, perLabel, macro, undefined, positives, rows);
    }

    private static (float[] Scores, int Rows) ReadScores(IDataView data, string scoreColumnName, int outputs)
    {
        var column = SchemaChecks.Find(data.Schema, scoreColumnName);
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n } vector || n.RawType != typeof(float) || vector.Size != outputs)
        {
            throw SchemaChecks.Mismatch(scoreColumnName, $"vector of {outputs} Single (one score per class)", column.Type);
        }

        var scores = new List<float>();
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        int rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            scores.AddRange(value.DenseValues());
            rows++;
        }

        return (scores.ToArray(), rows);
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
