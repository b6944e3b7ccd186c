using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Report;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// Scores a labelled split with a model.zip and evaluates it with ML.NET's own evaluators (accuracy, confusion matrix,
/// binary F1) and MLNetTransfer's (per-class and per-label AUC with their ROC curves; the diagnostics at the model's
/// stored thresholds: intervals, calibration error, log-loss in nats; multi-label accuracy and confusion), which match
/// scikit-learn (tests/MLNetTransfer.Tests/Evaluation). Each metric is computed once, by one of them.
/// </summary>
internal static class ModelEvaluator
{
    /// <summary>Scores <paramref name="records"/> with <paramref name="model"/> and evaluates them; <paramref name="what"/> names them in errors.</summary>
    /// <param name="ml">The context.</param>
    /// <param name="model">The loaded model.zip.</param>
    /// <param name="records">Labelled images.</param>
    /// <param name="what">How errors and the report name the images.</param>
    /// <param name="bootstrapSamples">Seeded bootstrap resamples for the summary metrics' intervals; 0 for none.</param>
    /// <param name="cancellation">Checked between scored rows; cancelled, the evaluation throws <see cref="OperationCanceledException"/>.</param>
    public static EvaluationMetrics Evaluate(MLContext ml, ModelFile model, IReadOnlyList<ImageRecord> records, string what, int bootstrapSamples = 0,
        CancellationToken cancellation = default)
    {
        if (records.Count == 0)
        {
            throw new CliException(ExitCodes.DataError, $"{what} has no images to evaluate.");
        }

        CheckLabels(model, records, what);
        CheckImages(records, what, reader: model.PixelReader);
        IDataView scored = Cached(ml, ModelScorer.Transform(ml, model, records));
        Fill(scored, cancellation);
        var classes = model.ClassNames;
        // At the model's own thresholds, with its temperature undone for the uncalibrated ECE (the library's evaluator).
        var diagnostics = ml.MulticlassClassification.EvaluateDiagnostics(scored, thresholds: model.Thresholds, temperatures: model.Temperatures,
            bootstrapSamples: bootstrapSamples, seed: 1);
        if (model.Task == TaskKind.MultiLabel)
        {
            // Uncertain targets (-1) are left out, by the evaluators' default UncertaintyPolicy.Ignore; the decisions are
            // each label's stored threshold, as the diagnostics count them.
            var perLabel = ml.MulticlassClassification.EvaluateMultiLabelAuc(scored);
            return new EvaluationMetrics(model.Task, RowsOf(perLabel, records), perLabel.MacroAuc, diagnostics.Accuracy, classes,
                perLabel.PerClassAuc, perLabel.UndefinedCount, Array.Empty<KeyValuePair<string, double>>(), perLabel.RocCurves,
                ConfusionTable.FromDiagnostics(diagnostics))
            {
                Diagnostics = diagnostics,
                Calibration = model.Calibration,
            };
        }

        var perClass = ml.MulticlassClassification.EvaluatePerClassAuc(scored);
        int rows = RowsOf(perClass, records);
        if (model.Task == TaskKind.Binary && perClass.Positives.Contains(0))
        {
            // ML.NET's binary evaluator throws without both classes (its AUC is undefined); the accuracy, the
            // sensitivity on positives only, say, is still worth reporting, so its multiclass evaluator counts the
            // model's decisions.
            var decisions = ml.MulticlassClassification.Evaluate(DecisionScores.Add(ml, scored), "Label", DecisionScores.Column, "PredictedLabel");
            return new EvaluationMetrics(model.Task, rows, double.NaN, decisions.MicroAccuracy, classes,
                perClass.PerClassAuc, perClass.UndefinedCount, Array.Empty<KeyValuePair<string, double>>(), perClass.RocCurves,
                ConfusionTable.FromMulticlass(decisions.ConfusionMatrix, classes))
            {
                Diagnostics = diagnostics,
                Calibration = model.Calibration,
            };
        }

        if (model.Task == TaskKind.Binary)
        {
            // ML.NET's binary evaluator thresholds its score column at 0: Logit is the log-odds shifted by the model's
            // decision threshold, so it is positive exactly when PredictedLabel is the positive class (README.md).
            var binary = ml.BinaryClassification.Evaluate(scored, "Label", scoreColumnName: "Logit", probabilityColumnName: "Probability", predictedLabelColumnName: "PredictedLabel");
            return new EvaluationMetrics(model.Task, rows, binary.AreaUnderRocCurve, binary.Accuracy, classes,
                perClass.PerClassAuc, perClass.UndefinedCount, new[]
                {
                    Pair("f1", binary.F1Score),
                    Pair("precision", binary.PositivePrecision),
                    Pair("recall", binary.PositiveRecall),
                }, perClass.RocCurves, ConfusionTable.FromBinary(binary.ConfusionMatrix, classes))
            {
                Diagnostics = diagnostics,
                Calibration = model.Calibration,
            };
        }

        var multiclass = ml.MulticlassClassification.Evaluate(scored, "Label", "Score", "PredictedLabel");
        return new EvaluationMetrics(model.Task, rows, perClass.MacroAuc, multiclass.MicroAccuracy, classes,
            perClass.PerClassAuc, perClass.UndefinedCount, new[]
            {
                Pair("macro_accuracy", multiclass.MacroAccuracy),
            }, perClass.RocCurves, ConfusionTable.FromMulticlass(multiclass.ConfusionMatrix, classes))
        {
            Diagnostics = diagnostics,
            Calibration = model.Calibration,
        };
    }

    /// <summary>
    /// The scored view with the model's outputs kept in memory as the first evaluator reads them, so the second reads
    /// them back instead of running the model over every image again. The image columns are not kept: no evaluator
    /// reads them.
    /// </summary>
    private static IDataView Cached(MLContext ml, IDataView scored)
    {
        return ml.Data.Cache(scored, OutputsOf(scored).Select(c => c.Name).ToArray());
    }

    /// <summary>
    /// Runs the model over every row once, into the cache, checking <paramref name="cancellation"/> between rows: the
    /// evaluators then only read the cache, so scoring (the slow part) is where a stop request is honoured.
    /// </summary>
    private static void Fill(IDataView cached, CancellationToken cancellation)
    {
        using (var cursor = cached.GetRowCursor(OutputsOf(cached)))
        {
            while (!cancellation.IsCancellationRequested && cursor.MoveNext())
            {
            }
        }

        cancellation.ThrowIfCancellationRequested();
    }

    private static IEnumerable<DataViewSchema.Column> OutputsOf(IDataView scored) =>
        new[] { "Label", "Score", "PredictedLabel", "Logit", "Probability" }
            .Select(name => scored.Schema.GetColumnOrNull(name)).Where(c => c is not null).Select(c => c!.Value);

    // Every image is one row; a model that drops or adds rows would make every metric wrong.
    private static int RowsOf(PerClassAucMetrics metrics, IReadOnlyList<ImageRecord> records) => metrics.Rows == records.Count
        ? metrics.Rows
        : throw new InvalidOperationException($"The model returned {metrics.Rows} rows for {records.Count} images.");

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
    /// Fails, naming the files, when some of <paramref name="records"/> do not pass the library's image gate
    /// (<see cref="ImageCheck"/>): checked in parallel, before any is scored.
    /// </summary>
    /// <param name="records">The images.</param>
    /// <param name="what">How the message names them.</param>
    /// <param name="maxPixels">The pixel budget; 0 for the library's default.</param>
    /// <param name="reader">For a full-precision model, its reader, whose own check replaces the PNG/JPEG gate.</param>
    public static void CheckImages(IReadOnlyList<ImageRecord> records, string what, long maxPixels = 0, IImagePixelReader? reader = null)
    {
        var bad = records.AsParallel().AsOrdered()
            .Select(r => (r.Source, Problem: ImageCheck.Problem(r.Path, maxPixels, reader), r.Path))
            .Where(p => p.Problem is not null).ToList();
        if (bad.Count > 0)
        {
            throw new CliException(ExitCodes.DataError, $"{what}: {bad.Count} image file(s) refused: " +
                string.Join("; ", bad.Take(5).Select(b => $"'{b.Path}' ({b.Source}) {b.Problem}")) + (bad.Count > 5 ? "; ..." : ""));
        }
    }

    private static KeyValuePair<string, double> Pair(string name, double value) => new(name, value);
}
