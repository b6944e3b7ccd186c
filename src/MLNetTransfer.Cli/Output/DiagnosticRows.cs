using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MLNetTransfer.Cli.Scoring;

namespace MLNetTransfer.Cli.Output;

/// <summary>
/// The diagnostics a clinician reads, as (name, value) rows for the console table and the report's table alike: the
/// AUC's interval, the operating threshold and how it was chosen, sensitivity, specificity, PPV and NPV with their 95%
/// intervals (binary: the positive class; otherwise per class or label), the temperature, the calibration error
/// before and after, and the log-loss in nats.
/// </summary>
internal static class DiagnosticRows
{
    public static IReadOnlyList<(string Name, string Value)> Of(EvaluationMetrics metrics)
    {
        var d = metrics.Diagnostics;
        var c = metrics.Calibration;
        var rows = new List<(string, string)>();
        if (metrics.Task == TaskKind.Binary)
        {
            var p = d.PerClass[1];
            rows.Add(("AUC 95% CI (DeLong)", Interval(p.AucCi95)));
            rows.Add(($"threshold ({(c is null ? "fixed" : c.ThresholdMethodName)})", Formats.Metric(p.Threshold)));
            rows.Add(("sensitivity", $"{Formats.Metric(p.Sensitivity)} {Interval(p.SensitivityCi95)}"));
            rows.Add(("specificity", $"{Formats.Metric(p.Specificity)} {Interval(p.SpecificityCi95)}"));
            rows.Add(("PPV", $"{Formats.Metric(p.PositivePredictiveValue)} {Interval(p.PositivePredictiveValueCi95)}"));
            rows.Add(("NPV", $"{Formats.Metric(p.NegativePredictiveValue)} {Interval(p.NegativePredictiveValueCi95)}"));
        }
        else
        {
            foreach (var k in d.PerClass)
            {
                string decision = metrics.Task == TaskKind.Multiclass ? "argmax" : $"p >= {Formats.Metric(k.Threshold)}";
                rows.Add(($"{k.ClassName}: AUC 95% CI, sens / spec at {decision}",
                    $"{Interval(k.AucCi95)}, {Formats.Metric(k.Sensitivity)} {Interval(k.SensitivityCi95)} / {Formats.Metric(k.Specificity)} {Interval(k.SpecificityCi95)}"));
            }
        }

        if (c is not null)
        {
            rows.Add(("temperature", string.Join(", ", c.Temperatures.Select(t => t.ToString("0.###", CultureInfo.InvariantCulture)))));
        }

        rows.Add(("ECE (15 bins): calibrated / uncalibrated", $"{Formats.Metric(d.ExpectedCalibrationError)} / {Formats.Metric(d.ExpectedCalibrationErrorUncalibrated)}"));
        rows.Add(("log-loss (nats)", Formats.Metric(d.LogLoss)));
        foreach (var (name, interval) in d.Bootstrap)
        {
            rows.Add(($"{name} 95% CI (bootstrap, {d.BootstrapSamples})", Interval(interval)));
        }

        return rows;
    }

    private static string Interval(ConfidenceInterval interval) => interval.IsDefined ? interval.ToString() : "[n/a]";
}
