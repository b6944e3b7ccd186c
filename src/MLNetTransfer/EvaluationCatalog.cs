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
/// What ML.NET's evaluators do not give: per-class ROC AUC and ROC curves (one-vs-rest for multiclass scores, per label
/// for multi-label scores), the accuracy and per-label confusion of multi-label models, diagnostic-accuracy reports
/// with confidence intervals and calibration (<see cref="EvaluateDiagnostics"/>), and DeLong's paired comparison of two
/// models' AUCs (<see cref="CompareAuc"/>). Use next to <c>mlContext.MulticlassClassification.Evaluate</c> and
/// <c>mlContext.BinaryClassification.Evaluate</c>.
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

    /// <summary>
    /// A diagnostic-accuracy report of a scored set: per class (one-vs-rest) or per label the ROC AUC with DeLong's 95%
    /// interval and the confusion at the model's decision with sensitivity, specificity and predictive values, each with
    /// its 95% Wilson interval; the expected calibration error, a reliability diagram and the log loss; and, when
    /// <paramref name="bootstrapSamples"/> is positive, percentile bootstrap intervals of accuracy, AUC and F1 (and of
    /// sensitivity and specificity for binary and multi-label models).
    /// </summary>
    /// <param name="catalog">The multiclass catalog (it serves binary and multi-label models too).</param>
    /// <param name="data">Scored data.</param>
    /// <param name="labelColumnName">
    /// The label: a key or Boolean (single-label), or a known-size vector of Single targets (multi-label): 1, 0, -1
    /// (uncertain, left out) or NaN (missing, left out).
    /// </param>
    /// <param name="scoreColumnName">
    /// The model's probabilities, in [0, 1]: one per class in key order (softmax), or one per label (sigmoid).
    /// </param>
    /// <param name="thresholds">
    /// The decision thresholds (a row is called positive when its probability is at least the threshold). Binary: one,
    /// on the positive (second) class's probability. Multi-label: one per label. Multiclass: must be null (the largest
    /// probability decides). Default when null: 0.5 for each. The rule p ≥ t is that of <see cref="ThresholdMethod"/>'s
    /// candidates (a threshold chosen on validation scores is one of them); <see cref="EvaluateMultiLabelConfusion"/>
    /// counts strictly above its threshold, so a probability of exactly 0.5 is decided differently there.
    /// </param>
    /// <param name="temperatures">
    /// The temperature scaling the model applied to its probabilities (one value, or for multi-label one per label),
    /// to report the calibration error before it as well (<see cref="DiagnosticMetrics.ExpectedCalibrationErrorUncalibrated"/>).
    /// Null when the model applies none.
    /// </param>
    /// <param name="bootstrapSamples">Bootstrap resamples for <see cref="DiagnosticMetrics.Bootstrap"/> (1000 is usual); 0, the default, for none.</param>
    /// <param name="seed">Seeds the bootstrap's System.Random; the same seed gives the same intervals.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A column is missing or of the wrong type, a probability is outside [0, 1], a temperature is not positive, or
    /// <paramref name="bootstrapSamples"/> is negative.
    /// </exception>
    /// <exception cref="ArgumentException">The thresholds or temperatures do not fit the task (see above).</exception>
    public static DiagnosticMetrics EvaluateDiagnostics(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score", IReadOnlyList<float>? thresholds = null,
        IReadOnlyList<float>? temperatures = null, int bootstrapSamples = 0, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(bootstrapSamples);
        var labels = LabelSchema.From(data.Schema, labelColumnName);
        RequireThresholds(thresholds, labels);
        double[]? temperatureValues = Temperatures(temperatures, labels);
        var (scores, classes, targets) = ReadScored(data, labels, labelColumnName, [scoreColumnName]);
        if (labels.Task == TaskKind.MultiLabel)
        {
            return DiagnosticsReport.MultiLabel(scores[0], UncertaintyPolicy.Ignore.Apply(targets!), labels.ClassNames,
                thresholds ?? Enumerable.Repeat(DiagnosticsReport.DefaultThreshold, labels.Outputs).ToArray(), temperatureValues,
                bootstrapSamples, seed, scoreColumnName);
        }

        return DiagnosticsReport.SingleLabel(scores[0], classes!, labels.ClassNames, thresholds?[0], temperatureValues?[0],
            bootstrapSamples, seed, scoreColumnName);
    }

    /// <summary>
    /// DeLong's paired test of two models' ROC AUCs on the same rows (e.g. a fine-tuned model against a baseline scored on
    /// the same test set): both AUCs, their difference with its 95% interval, the z statistic and the two-sided p-value.
    /// </summary>
    /// <param name="catalog">The multiclass catalog (it serves binary and multi-label models too).</param>
    /// <param name="data">Data scored by both models.</param>
    /// <param name="scoreColumnNameA">The first model's probabilities (one per class, or one per label).</param>
    /// <param name="scoreColumnNameB">The second model's probabilities, of the same shape.</param>
    /// <param name="labelColumnName">The label: a key or Boolean, or a vector of multi-label targets (-1 and NaN left out).</param>
    /// <param name="classIndex">
    /// The class (one-vs-rest) or label whose AUCs are compared, 0-based. -1, the default, means the positive (second)
    /// class of a binary model; a multiclass or multi-label model needs the index given.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type, or <paramref name="classIndex"/> is missing or out of range.</exception>
    public static AucComparison CompareAuc(this MulticlassClassificationCatalog catalog, IDataView data, string scoreColumnNameA,
        string scoreColumnNameB, string labelColumnName = "Label", int classIndex = -1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var labels = LabelSchema.From(data.Schema, labelColumnName);
        int index = ClassIndex(classIndex, labels);
        var (scores, classes, targets) = ReadScored(data, labels, labelColumnName, [scoreColumnNameA, scoreColumnNameB]);
        int outputs = labels.Outputs;
        int rows = scores[0].Length / outputs;
        var a = new List<double>(rows);
        var b = new List<double>(rows);
        var positive = new List<bool>(rows);
        float[]? known = targets is null ? null : UncertaintyPolicy.Ignore.Apply(targets);
        for (int i = 0; i < rows; i++)
        {
            int at = i * outputs + index;
            bool? isPositive = known is null ? classes![i] == index : RocAuc.BinaryTarget(known[at], at, labelColumnName);
            if (isPositive is bool value)
            {
                a.Add(scores[0][at]);
                b.Add(scores[1][at]);
                positive.Add(value);
            }
        }

        PairedAucTest test = DeLong.Paired(a.ToArray(), b.ToArray(), positive.ToArray());
        return new AucComparison(test.AucA, test.AucB, test.Delta, new ConfidenceInterval(test.Lower, test.Upper), test.Z, test.PValue,
            positive.Count, test.Positives, test.Negatives, test.UndefinedReason);
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

    // Scores of one or more score columns and the labels (single-label) or targets (multi-label) from one cursor, row by
    // row, so they cannot fall out of step.
    private static (float[][] Scores, int[]? Classes, float[]? Targets) ReadScored(IDataView data, LabelSchema labels, string labelColumnName, string[] scoreColumnNames)
    {
        var scoreColumns = scoreColumnNames.Select(name => ScoreColumn(data, name, labels.Outputs)).ToArray();
        var labelColumn = data.Schema[labelColumnName];
        var scoreLists = scoreColumns.Select(_ => new List<float>()).ToArray();
        var classList = new List<int>();
        var targetList = new List<float>();
        using (var cursor = data.GetRowCursor(scoreColumns.Append(labelColumn)))
        {
            var readScores = scoreColumns.Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToArray();
            Func<int>? readLabel = labels.Task == TaskKind.MultiLabel ? null : LabelGetter(cursor, labelColumn, labels.Kind);
            var readTargets = labels.Task == TaskKind.MultiLabel ? cursor.GetGetter<VBuffer<float>>(labelColumn) : null;
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                for (int k = 0; k < readScores.Length; k++)
                {
                    readScores[k](ref value);
                    scoreLists[k].AddRange(value.DenseValues());
                }

                if (readLabel is not null)
                {
                    classList.Add(readLabel());
                }
                else
                {
                    readTargets!(ref value);
                    targetList.AddRange(value.DenseValues());
                }
            }
        }

        return (scoreLists.Select(l => l.ToArray()).ToArray(),
            labels.Task == TaskKind.MultiLabel ? null : classList.ToArray(),
            labels.Task == TaskKind.MultiLabel ? targetList.ToArray() : null);
    }

    private static void RequireThresholds(IReadOnlyList<float>? thresholds, LabelSchema labels)
    {
        if (thresholds is null)
        {
            return;
        }

        int expected = labels.Task switch
        {
            TaskKind.Multiclass => throw new ArgumentException(
                $"Label column '{labels.ColumnName}' has {labels.Outputs} classes: a multiclass model decides by the largest probability, so thresholds must be null.", nameof(thresholds)),
            TaskKind.Binary => 1,
            _ => labels.Outputs,
        };
        if (thresholds.Count != expected)
        {
            throw new ArgumentException(labels.Task == TaskKind.Binary
                ? $"A binary model takes one threshold (on the probability of class '{labels.ClassNames[1]}'); got {thresholds.Count}."
                : $"Label column '{labels.ColumnName}' has {labels.Outputs} labels; got {thresholds.Count} thresholds, need one per label.", nameof(thresholds));
        }

        if (thresholds.Any(float.IsNaN))
        {
            throw new ArgumentException("A threshold is NaN.", nameof(thresholds));
        }
    }

    // The temperatures as doubles, one per label for multi-label (one given is used for all), or null.
    private static double[]? Temperatures(IReadOnlyList<float>? temperatures, LabelSchema labels)
    {
        if (temperatures is null)
        {
            return null;
        }

        bool multiLabel = labels.Task == TaskKind.MultiLabel;
        if (temperatures.Count != 1 && !(multiLabel && temperatures.Count == labels.Outputs))
        {
            throw new ArgumentException(multiLabel
                ? $"Label column '{labels.ColumnName}' has {labels.Outputs} labels; got {temperatures.Count} temperatures, need one, or one per label."
                : $"A single-label model has one temperature; got {temperatures.Count}.", nameof(temperatures));
        }

        foreach (float t in temperatures)
        {
            if (!(t > 0) || float.IsInfinity(t))
            {
                throw new ArgumentOutOfRangeException(nameof(temperatures), t, "A temperature must be positive and finite.");
            }
        }

        return multiLabel && temperatures.Count == 1
            ? Enumerable.Repeat((double)temperatures[0], labels.Outputs).ToArray()
            : temperatures.Select(t => (double)t).ToArray();
    }

    // The class or label CompareAuc compares: -1 is the positive class of a binary model and an error otherwise.
    private static int ClassIndex(int classIndex, LabelSchema labels)
    {
        if (classIndex == -1 && labels.Task == TaskKind.Binary)
        {
            return 1;
        }

        string what = labels.Task == TaskKind.MultiLabel ? "labels" : "classes";
        if (classIndex == -1)
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex,
                $"Label column '{labels.ColumnName}' has {labels.Outputs} {what} ({string.Join(", ", labels.ClassNames)}): pass classIndex, 0 to {labels.Outputs - 1}, to say which one to compare.");
        }

        if (classIndex < 0 || classIndex >= labels.Outputs)
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex,
                $"Label column '{labels.ColumnName}' has {labels.Outputs} {what}; classIndex must be in [0, {labels.Outputs - 1}].");
        }

        return classIndex;
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
