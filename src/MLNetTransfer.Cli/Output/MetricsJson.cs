using System;
using System.Collections.Generic;
using System.Text.Json;
using MLNetTransfer.Cli.Scoring;

namespace MLNetTransfer.Cli.Output;

/// <summary>
/// The <c>--metrics-json</c> file (keys documented in README.md, "The command line"): snake_case keys, numbers in
/// invariant form, NaN (an undefined AUC) as null.
/// </summary>
internal static class MetricsJson
{
    /// <summary>
    /// Writes the metrics of <c>train</c> (with <paramref name="training"/>) or <c>evaluate</c> (without); with
    /// <c>--bad-images skip</c>, <paramref name="skipped"/> (possibly empty) as <c>skipped_images</c>.
    /// </summary>
    public static void Write(string path, string command, EvaluationMetrics metrics, string evaluatedOn, FineTuneResult? training,
        IReadOnlyList<KeyValuePair<string, object?>> settings, IReadOnlyList<SkippedImageRow>? skipped = null)
    {
        JsonValues.WriteObject(path, json =>
        {
            WriteMembers(json, command, metrics, evaluatedOn, training, settings);
            if (skipped is not null)
            {
                WriteSkipped(json, skipped);
            }
        });
    }

    // --bad-images skip: [{"path", "split", "reason"}], in the order they were found.
    internal static void WriteSkipped(Utf8JsonWriter json, IReadOnlyList<SkippedImageRow> skipped)
    {
        json.WriteStartArray("skipped_images");
        foreach (var s in skipped)
        {
            json.WriteStartObject();
            json.WriteString("path", s.Path);
            json.WriteString("split", s.Split);
            json.WriteString("reason", s.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteMembers(Utf8JsonWriter json, string command, EvaluationMetrics metrics, string evaluatedOn, FineTuneResult? training,
        IReadOnlyList<KeyValuePair<string, object?>> settings)
    {
        json.WriteString("command", command);
        json.NumberOrNull("auc", metrics.Auc);
        json.NumberOrNull("accuracy", metrics.Accuracy);
        json.WriteStartObject("per_class_auc");
        for (int i = 0; i < metrics.ClassNames.Count; i++)
        {
            json.NumberOrNull(metrics.ClassNames[i], metrics.PerClassAuc[i]);
        }

        json.WriteEndObject();
        json.WriteNumber("undefined_auc_count", metrics.UndefinedAucCount);
        json.WriteString("task", TaskName(metrics.Task));
        json.WriteStartArray("classes");
        foreach (var name in metrics.ClassNames)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        if (metrics.Task == TaskKind.Binary)
        {
            json.WriteString("positive_class", metrics.ClassNames[1]);
        }

        json.WriteString("evaluated_on", evaluatedOn);
        json.WriteNumber("evaluated_images", metrics.Rows);
        foreach (var (name, value) in metrics.Extra)
        {
            json.NumberOrNull(name, value);
        }

        WriteDiagnostics(json, metrics);
        if (training is not null)
        {
            WriteTraining(json, training);
        }

        foreach (var (name, value) in settings)
        {
            Value(json, name, value);
        }
    }

    public static string TaskName(TaskKind task) => task switch
    {
        TaskKind.Binary => "binary",
        TaskKind.Multiclass => "multiclass",
        _ => "multi-label",
    };

    // The library's diagnostics at the model's stored operating point, and the calibration stored in the model
    // (README.md, "Metrics file"). Binary tasks get the positive class's figures at the top level; every task gets them
    // per class or label under per_class_diagnostics.
    private static void WriteDiagnostics(Utf8JsonWriter json, EvaluationMetrics metrics)
    {
        var d = metrics.Diagnostics;
        var calibration = metrics.Calibration;
        bool binary = metrics.Task == TaskKind.Binary;
        var positive = binary ? d.PerClass[1] : null;
        if (positive is not null)
        {
            json.Interval("auc_ci95", positive.AucCi95);
            json.WriteString("auc_ci95_method", "delong");
        }
        else if (d.Bootstrap.TryGetValue("auc", out var aucInterval))
        {
            json.Interval("auc_ci95", aucInterval);
            json.WriteString("auc_ci95_method", $"bootstrap ({d.BootstrapSamples} resamples)");
        }
        else
        {
            // A macro AUC has no DeLong interval; the per-class ones are below, and --bootstrap gives one for the mean.
            json.WriteNull("auc_ci95");
            json.WriteString("auc_ci95_method", "none: macro AUC; see per_class_diagnostics, or pass --bootstrap N");
        }

        if (metrics.Task == TaskKind.MultiLabel)
        {
            json.WriteStartArray("threshold");
            foreach (var c in d.PerClass)
            {
                json.NumberOrNullValue(c.Threshold);
            }

            json.WriteEndArray();
        }
        else
        {
            json.NumberOrNull("threshold", positive?.Threshold ?? double.NaN);
        }

        json.WriteString("threshold_method", metrics.Task == TaskKind.Multiclass ? "argmax"
            : calibration is null ? "fixed" : calibration.ThresholdMethodName);
        json.NumberOrNull("sensitivity", positive?.Sensitivity ?? double.NaN);
        json.Interval("sensitivity_ci95", positive?.SensitivityCi95);
        json.NumberOrNull("specificity", positive?.Specificity ?? double.NaN);
        json.Interval("specificity_ci95", positive?.SpecificityCi95);
        json.NumberOrNull("ppv", positive?.PositivePredictiveValue ?? double.NaN);
        json.Interval("ppv_ci95", positive?.PositivePredictiveValueCi95);
        json.NumberOrNull("npv", positive?.NegativePredictiveValue ?? double.NaN);
        json.Interval("npv_ci95", positive?.NegativePredictiveValueCi95);
        if (metrics.Task == TaskKind.MultiLabel && calibration is not null)
        {
            json.WriteStartArray("temperature");
            foreach (double t in calibration.Temperatures)
            {
                json.NumberOrNullValue(t);
            }

            json.WriteEndArray();
        }
        else
        {
            json.NumberOrNull("temperature", calibration?.Temperatures[0] ?? 1);
        }

        json.WriteBoolean("test_time_flip", calibration?.TestTimeFlip ?? false);
        json.NumberOrNull("ece", d.ExpectedCalibrationError);
        json.NumberOrNull("ece_uncalibrated", d.ExpectedCalibrationErrorUncalibrated);
        json.NumberOrNull("log_loss", d.LogLoss);
        json.WriteString("loss_unit", "nats");
        if (calibration is not null)
        {
            json.NumberOrNull("validation_log_loss", calibration.ValidationLoss);
            json.NumberOrNull("validation_log_loss_uncalibrated", calibration.ValidationLossUncalibrated);
            json.NumberOrNull("validation_ece", calibration.ValidationEce);
            json.NumberOrNull("validation_ece_uncalibrated", calibration.ValidationEceUncalibrated);
            if (calibration.ThresholdNote is { } note)
            {
                json.WriteString("threshold_note", note);
            }
        }

        json.WriteStartObject("per_class_diagnostics");
        foreach (var c in d.PerClass)
        {
            json.WriteStartObject(c.ClassName);
            json.WriteNumber("positives", c.Positives);
            json.WriteNumber("negatives", c.Negatives);
            json.NumberOrNull("auc", c.Auc);
            json.Interval("auc_ci95", c.AucCi95);
            json.NumberOrNull("threshold", c.Threshold);
            json.WriteNumber("true_positives", c.TruePositives);
            json.WriteNumber("false_positives", c.FalsePositives);
            json.WriteNumber("true_negatives", c.TrueNegatives);
            json.WriteNumber("false_negatives", c.FalseNegatives);
            json.NumberOrNull("sensitivity", c.Sensitivity);
            json.Interval("sensitivity_ci95", c.SensitivityCi95);
            json.NumberOrNull("specificity", c.Specificity);
            json.Interval("specificity_ci95", c.SpecificityCi95);
            json.NumberOrNull("ppv", c.PositivePredictiveValue);
            json.Interval("ppv_ci95", c.PositivePredictiveValueCi95);
            json.NumberOrNull("npv", c.NegativePredictiveValue);
            json.Interval("npv_ci95", c.NegativePredictiveValueCi95);
            if (c.UndefinedReason is { } reason)
            {
                json.WriteString("undefined_reason", reason);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartArray("reliability");
        foreach (var bin in d.ReliabilityBins)
        {
            json.WriteStartObject();
            json.NumberOrNull("lower", bin.Lower);
            json.NumberOrNull("upper", bin.Upper);
            json.WriteNumber("count", bin.Count);
            json.NumberOrNull("mean_confidence", bin.MeanConfidence);
            json.NumberOrNull("observed", bin.Observed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (d.BootstrapSamples > 0)
        {
            json.WriteNumber("bootstrap_samples", d.BootstrapSamples);
            json.WriteStartObject("bootstrap_ci95");
            foreach (var (name, interval) in d.Bootstrap)
            {
                json.Interval(name, interval);
            }

            json.WriteEndObject();
        }
    }

    private static void WriteTraining(Utf8JsonWriter json, FineTuneResult training)
    {
        json.WriteString("strategy", training.Strategy.ToString());
        if (training.StrategyReason is { } reason)
        {
            json.WriteString("strategy_reason", reason);
        }

        json.WriteNumber("trainable_parameters", training.TrainableParameters);
        json.WriteStartArray("epochs");
        foreach (var e in training.Epochs)
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", e.Epoch);
            json.NumberOrNull("train_loss", e.TrainLoss);
            json.NumberOrNull("val_loss", e.ValidationLoss);
            json.NumberOrNull("val_auc", e.ValidationAuc);
            json.NumberOrNull("val_accuracy", e.ValidationAccuracy);
            json.NumberOrNull("learning_rate", e.LearningRate);
            json.NumberOrNull("images_per_second", e.ImagesPerSecond);
            json.NumberOrNull("seconds", e.Seconds);
            json.WriteBoolean("best", e.IsBest);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("best_epoch", training.BestEpoch);
        json.WriteBoolean("stopped_early", training.StoppedEarly);
        json.WriteBoolean("feature_cache", training.UsedFeatureCache);
        json.NumberOrNull("train_seconds", training.TrainSeconds);
        json.NumberOrNull("images_per_second", training.ImagesPerSecond);
    }

    private static void Value(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(name);
                break;
            case bool b:
                json.WriteBoolean(name, b);
                break;
            case int i:
                json.WriteNumber(name, i);
                break;
            case long l:
                json.WriteNumber(name, l);
                break;
            case double d:
                json.NumberOrNull(name, d);
                break;
            default:
                json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}
