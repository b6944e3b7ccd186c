using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using MLNetTransfer.Cli.Scoring;

namespace MLNetTransfer.Cli.Output;

/// <summary>
/// The <c>--metrics-json</c> file (keys documented in README.md, "The command line"): snake_case keys, numbers in
/// invariant form, NaN (an undefined AUC) as null.
/// </summary>
internal static class MetricsJson
{
    /// <summary>Writes the metrics of <c>train</c> (with <paramref name="training"/>) or <c>evaluate</c> (without).</summary>
    public static void Write(string path, string command, EvaluationMetrics metrics, string evaluatedOn, FineTuneResult? training,
        IReadOnlyList<KeyValuePair<string, object?>> settings)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var stream = File.Create(full);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("command", command);
        Number(json, "auc", metrics.Auc);
        Number(json, "accuracy", metrics.Accuracy);
        json.WriteStartObject("per_class_auc");
        for (int i = 0; i < metrics.ClassNames.Count; i++)
        {
            Number(json, metrics.ClassNames[i], metrics.PerClassAuc[i]);
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
            Number(json, name, value);
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

        json.WriteEndObject();
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
            Interval(json, "auc_ci95", positive.AucCi95);
            json.WriteString("auc_ci95_method", "delong");
        }
        else if (d.Bootstrap.TryGetValue("auc", out var aucInterval))
        {
            Interval(json, "auc_ci95", aucInterval);
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
                NumberValue(json, c.Threshold);
            }

            json.WriteEndArray();
        }
        else
        {
            Number(json, "threshold", positive?.Threshold ?? double.NaN);
        }

        json.WriteString("threshold_method", metrics.Task == TaskKind.Multiclass ? "argmax"
            : calibration is null ? "fixed" : calibration.ThresholdMethodName);
        Number(json, "sensitivity", positive?.Sensitivity ?? double.NaN);
        Interval(json, "sensitivity_ci95", positive?.SensitivityCi95);
        Number(json, "specificity", positive?.Specificity ?? double.NaN);
        Interval(json, "specificity_ci95", positive?.SpecificityCi95);
        Number(json, "ppv", positive?.PositivePredictiveValue ?? double.NaN);
        Interval(json, "ppv_ci95", positive?.PositivePredictiveValueCi95);
        Number(json, "npv", positive?.NegativePredictiveValue ?? double.NaN);
        Interval(json, "npv_ci95", positive?.NegativePredictiveValueCi95);
        if (metrics.Task == TaskKind.MultiLabel && calibration is not null)
        {
            json.WriteStartArray("temperature");
            foreach (double t in calibration.Temperatures)
            {
                NumberValue(json, t);
            }

            json.WriteEndArray();
        }
        else
        {
            Number(json, "temperature", calibration?.Temperatures[0] ?? 1);
        }

        json.WriteBoolean("test_time_flip", calibration?.TestTimeFlip ?? false);
        Number(json, "ece", d.ExpectedCalibrationError);
        Number(json, "ece_uncalibrated", d.ExpectedCalibrationErrorUncalibrated);
        Number(json, "log_loss", d.LogLoss);
        json.WriteString("loss_unit", "nats");
        if (calibration is not null)
        {
            Number(json, "validation_log_loss", calibration.ValidationLoss);
            Number(json, "validation_log_loss_uncalibrated", calibration.ValidationLossUncalibrated);
            Number(json, "validation_ece", calibration.ValidationEce);
            Number(json, "validation_ece_uncalibrated", calibration.ValidationEceUncalibrated);
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
            Number(json, "auc", c.Auc);
            Interval(json, "auc_ci95", c.AucCi95);
            Number(json, "threshold", c.Threshold);
            json.WriteNumber("true_positives", c.TruePositives);
            json.WriteNumber("false_positives", c.FalsePositives);
            json.WriteNumber("true_negatives", c.TrueNegatives);
            json.WriteNumber("false_negatives", c.FalseNegatives);
            Number(json, "sensitivity", c.Sensitivity);
            Interval(json, "sensitivity_ci95", c.SensitivityCi95);
            Number(json, "specificity", c.Specificity);
            Interval(json, "specificity_ci95", c.SpecificityCi95);
            Number(json, "ppv", c.PositivePredictiveValue);
            Interval(json, "ppv_ci95", c.PositivePredictiveValueCi95);
            Number(json, "npv", c.NegativePredictiveValue);
            Interval(json, "npv_ci95", c.NegativePredictiveValueCi95);
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
            Number(json, "lower", bin.Lower);
            Number(json, "upper", bin.Upper);
            json.WriteNumber("count", bin.Count);
            Number(json, "mean_confidence", bin.MeanConfidence);
            Number(json, "observed", bin.Observed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (d.BootstrapSamples > 0)
        {
            json.WriteNumber("bootstrap_samples", d.BootstrapSamples);
            json.WriteStartObject("bootstrap_ci95");
            foreach (var (name, interval) in d.Bootstrap)
            {
                Interval(json, name, interval);
            }

            json.WriteEndObject();
        }
    }

    private static void Interval(Utf8JsonWriter json, string name, ConfidenceInterval? interval)
    {
        if (interval is null || !interval.IsDefined)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartArray(name);
        json.WriteNumberValue(interval.Lower);
        json.WriteNumberValue(interval.Upper);
        json.WriteEndArray();
    }

    private static void NumberValue(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
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
            Number(json, "train_loss", e.TrainLoss);
            Number(json, "val_loss", e.ValidationLoss);
            Number(json, "val_auc", e.ValidationAuc);
            Number(json, "val_accuracy", e.ValidationAccuracy);
            Number(json, "learning_rate", e.LearningRate);
            Number(json, "images_per_second", e.ImagesPerSecond);
            Number(json, "seconds", e.Seconds);
            json.WriteBoolean("best", e.IsBest);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("best_epoch", training.BestEpoch);
        json.WriteBoolean("stopped_early", training.StoppedEarly);
        json.WriteBoolean("feature_cache", training.UsedFeatureCache);
        Number(json, "train_seconds", training.TrainSeconds);
        Number(json, "images_per_second", training.ImagesPerSecond);
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
                Number(json, name, d);
                break;
            default:
                json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
