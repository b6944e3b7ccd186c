using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MLNetTransfer.Cli.Report;
using MLNetTransfer.Cli.Scoring;

namespace MLNetTransfer.Cli.Output;

/// <summary>Hands what <c>train</c> and <c>evaluate</c> measured to <see cref="TrainingReport"/>.</summary>
internal static class ReportWriter
{
    /// <summary>Writes the report into <paramref name="directory"/> and returns the path of its index.html.</summary>
    public static string Write(string directory, string title, EvaluationMetrics metrics, string evaluatedOn,
        FineTuneResult? training, IReadOnlyList<KeyValuePair<string, object?>> settings, IReadOnlyList<SkippedImageRow>? skipped = null)
    {
        var metricRows = new List<(string, string)>
        {
            ("AUC", Formats.Metric(metrics.Auc)),
            ("accuracy", Formats.Metric(metrics.Accuracy)),
        };
        metricRows.AddRange(metrics.ClassNames.Select((name, i) => ($"AUC {name}", Formats.Metric(metrics.PerClassAuc[i]))));
        metricRows.AddRange(metrics.Extra.Select(e => (e.Key, Formats.Metric(e.Value))));
        metricRows.AddRange(DiagnosticRows.Of(metrics));
        if (training is not null)
        {
            metricRows.Add(("strategy", training.Strategy + (training.StrategyReason is null ? "" : $" (auto: {training.StrategyReason})")));
            metricRows.Add(("trainable parameters", training.TrainableParameters.ToString("N0", CultureInfo.InvariantCulture)));
            metricRows.Add(("best epoch", training.BestEpoch.ToString(CultureInfo.InvariantCulture)));
            metricRows.Add(("training time", $"{training.TrainSeconds.ToString("F0", CultureInfo.InvariantCulture)} s"));
            metricRows.Add(("images per second", training.ImagesPerSecond.ToString("F1", CultureInfo.InvariantCulture)));
        }

        var input = new ReportInput
        {
            Title = title,
            // Booleans as the metrics file writes them (true, not .NET's True).
            Settings = settings.Select(s => (s.Key, s.Value is bool b ? (b ? "true" : "false") : Convert.ToString(s.Value, CultureInfo.InvariantCulture) ?? "")).ToList(),
            Metrics = metricRows,
            Epochs = training?.Epochs ?? Array.Empty<EpochMetrics>(),
            BestEpoch = training?.BestEpoch ?? 0,
            ClassNames = metrics.ClassNames,
            Task = metrics.Task,
            // The evaluators' own curves and counts: the plots show what the metrics beside them were computed from.
            RocCurves = metrics.RocCurves,
            Confusion = metrics.Confusion,
            EvaluatedOn = evaluatedOn,
            Reliability = metrics.Diagnostics.ReliabilityBins,
            Ece = metrics.Diagnostics.ExpectedCalibrationError,
            SkippedImages = skipped,
        };
        TrainingReport.Write(input, directory);
        return Path.Combine(Path.GetFullPath(directory), TrainingReport.PageFile);
    }
}
