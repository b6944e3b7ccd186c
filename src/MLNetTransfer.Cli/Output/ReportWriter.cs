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
    /// <summary>
    /// The file every report folder gets before its first plot, so that the next run recognises the folder as a report's
    /// (<see cref="IsPreviousReport"/>) and replaces its files, while a user's own files by the same names are refused.
    /// </summary>
    public const string Marker = ".mlnet-transfer-report";

    // How every page HtmlPage renders begins, title included (the titles below all start with "mlnet-transfer "):
    // reports written before the marker existed are recognised by it.
    private const string PageSignature = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mlnet-transfer ";

    /// <summary>The names the report writes (and deletes when a plot is not drawn this time).</summary>
    public static IReadOnlyList<string> FileNames { get; } = new[]
    {
        TrainingReport.PageFile, TrainingReport.LossFile, TrainingReport.AucFile, TrainingReport.RocFile, TrainingReport.ConfusionFile, TrainingReport.ReliabilityFile,
    };

    /// <summary>Whether <paramref name="directory"/> holds a report this tool wrote: its marker, or an index.html of ours.</summary>
    public static bool IsPreviousReport(string directory)
    {
        if (File.Exists(Path.Combine(directory, Marker)))
        {
            return true;
        }

        string page = Path.Combine(directory, TrainingReport.PageFile);
        if (!File.Exists(page))
        {
            return false;
        }

        try
        {
            using var reader = new StreamReader(page);
            var start = new char[PageSignature.Length];
            return reader.ReadBlock(start) == start.Length && new string(start) == PageSignature;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // Unreadable: not known to be ours.
        }
    }

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
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, Marker), stream => stream.Write("Written by mlnet-transfer; the next report written here replaces this folder's index.html and plots.\n"u8));
        TrainingReport.Write(input, directory);
        return Path.Combine(Path.GetFullPath(directory), TrainingReport.PageFile);
    }
}
