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
