using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// Scores a labelled split with a model.zip and evaluates it with ML.NET's own evaluators (binary, multiclass) and
/// MLNetTransfer's per-class and multi-label AUC, which match scikit-learn (tests/MLNetTransfer.Tests/Evaluation).
/// </summary>
internal static class ModelEvaluator
{
    /// <summary>
    /// A multi-label target is predicted positive when its probability is above this (strictly), as in the engine's
    /// validation accuracy, so the epoch table and the final metrics agree.
    /// </summary>
    public const float MultiLabelThreshold = EvaluationCatalog.MultiLabelThreshold;

    public static (EvaluationMetrics Metrics, ScoredSet Rows) Evaluate(MLContext ml, ModelFile model, IReadOnlyList<ImageRecord> records, string what)
    {
        if (records.Count == 0)
        {
            throw new CliException(ExitCodes.DataError, $"{what} has no images to evaluate.");
        }

        CheckLabels(model, records, what);
        CheckImages(records, what);
        var (scored, rows) = ModelScorer.Score(ml, model, records);
        var classes = model.ClassNames;
        if (model.Task == TaskKind.MultiLabel)
        {
            var perLabel = ml.MulticlassClassification.EvaluateMultiLabelAuc(scored);
            // Uncertain targets (-1) are left out of both, by the evaluators' default UncertaintyPolicy.Ignore.
            double accuracy = ml.MulticlassClassification.EvaluateMultiLabelAccuracy(scored);
            return (new EvaluationMetrics(model.Task, rows.Scores.Length, perLabel.MacroAuc, accuracy, classes,
                perLabel.PerClassAuc, perLabel.UndefinedCount, Array.Empty<KeyValuePair<string, double>>()), rows);
        }

        var perClass = ml.MulticlassClassification.EvaluatePerClassAuc(scored);
        if (model.Task == TaskKind.Binary && rows.Labels!.Distinct().Count() < 2)
        {
            // ML.NET's binary evaluator throws without both classes (its AUC is undefined); the accuracy, the
            // sensitivity on positives only, say, is still worth reporting.
            double accuracy = rows.Labels!.Zip(rows.Predicted!).Count(p => p.First == p.Second) / (double)rows.Labels!.Length;
            return (new EvaluationMetrics(model.Task, rows.Scores.Length, double.NaN, accuracy, classes,
                perClass.PerClassAuc, perClass.UndefinedCount, Array.Empty<KeyValuePair<string, double>>()), rows);
        }

        if (model.Task == TaskKind.Binary)
        {
            // ML.NET's binary evaluator thresholds its score column at 0: Logit is the log-odds shifted by the model's
            // decision threshold, so it is positive exactly when PredictedLabel is the positive class (README.md).
            var binary = ml.BinaryClassification.Evaluate(scored, "Label", scoreColumnName: "Logit", probabilityColumnName: "Probability", predictedLabelColumnName: "PredictedLabel");
            return (new EvaluationMetrics(model.Task, rows.Scores.Length, binary.AreaUnderRocCurve, binary.Accuracy, classes,
                perClass.PerClassAuc, perClass.UndefinedCount, new[]
                {
                    Pair("f1", binary.F1Score),
                    Pair("precision", binary.PositivePrecision),
                    Pair("recall", binary.PositiveRecall),
                    Pair("log_loss", binary.LogLoss),
                }), rows);
        }

        var multiclass = ml.MulticlassClassification.Evaluate(scored, "Label", "Score", "PredictedLabel");
        return (new EvaluationMetrics(model.Task, rows.Scores.Length, perClass.MacroAuc, multiclass.MicroAccuracy, classes,
            perClass.PerClassAuc, perClass.UndefinedCount, new[]
            {
                Pair("macro_accuracy", multiclass.MacroAccuracy),
                Pair("log_loss", multiclass.LogLoss),
            }), rows);
    }

    // A label the model does not know would become ML.NET's missing key and silently drop out of the metrics.
    private static void CheckLabels(ModelFile model, IReadOnlyList<ImageRecord> records, string what)
    {
        if (model.Task == TaskKind.MultiLabel)
        {
            var wrong = records.FirstOrDefault(r => r.Labels is null || r.Labels.Length != model.ClassNames.Count);
            if (wrong is not null)
            {
                throw new CliException(ExitCodes.DataError,
                    $"{what}: {wrong.Source} has {wrong.Labels?.Length ?? 0} targets, but the model has {model.ClassNames.Count} labels ({string.Join(", ", model.ClassNames)}); pass them with --label-columns in that order.");
            }

            return;
        }

        var unknown = records.FirstOrDefault(r => r.Label is null || !model.ClassNames.Contains(r.Label, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw new CliException(ExitCodes.DataError,
                $"{what}: {unknown.Source} has the label '{unknown.Label}', which is not one of the model's classes ({string.Join(", ", model.ClassNames)}).");
        }
    }

    /// <summary>
    /// Fails, naming the files, when some of <paramref name="records"/> cannot be read: fully decoded by ML.NET's image
    /// loader (what scoring uses), or with <paramref name="signatureOnly"/> only their first bytes checked (training).
    /// </summary>
    public static void CheckImages(IReadOnlyList<ImageRecord> records, string what, bool signatureOnly = false)
    {
        var bad = records
            .Select(r => (r.Source, Problem: signatureOnly ? ImageCheck.SignatureProblem(r.Path) : ImageCheck.Problem(r.Path), r.Path))
            .Where(p => p.Problem is not null).ToList();
        if (bad.Count > 0)
        {
            throw new CliException(ExitCodes.DataError, $"{what}: {bad.Count} image(s) cannot be read: " +
                string.Join("; ", bad.Take(5).Select(b => $"{b.Path} ({b.Source}): {b.Problem}")) + (bad.Count > 5 ? "; ..." : ""));
        }
    }

    private static KeyValuePair<string, double> Pair(string name, double value) => new(name, value);
}
