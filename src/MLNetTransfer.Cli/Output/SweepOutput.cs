using System.Globalization;
using System.IO;
using MLNetTransfer.Cli.Training;
using Spectre.Console;

namespace MLNetTransfer.Cli.Output;

/// <summary>What <c>train --strategy compare</c> prints and writes: the table of strategies and the recommendation.</summary>
/// <param name="Settings">The run's settings (shared by every strategy).</param>
/// <param name="Run">The data it trained and evaluated on.</param>
/// <param name="EvaluatedOn">The evaluated images, in words.</param>
/// <param name="ClassName">The class (or label) whose AUC ranks the strategies.</param>
/// <param name="Outcome">The ranking.</param>
internal sealed record SweepOutput(TrainSettings Settings, PreparedRun Run, string EvaluatedOn, string ClassName, SweepOutcome Outcome)
{
    public void Print()
    {
        AnsiConsole.WriteLine($"Strategies compared on the {EvaluatedOn}, by the AUC of {ClassName}:");
        var table = new Table().AddColumn("strategy")
            .AddColumn(new TableColumn("trainable parameters").RightAligned())
            .AddColumn(new TableColumn("train s").RightAligned())
            .AddColumn(new TableColumn("AUC").RightAligned())
            .AddColumn(new TableColumn("95% CI").RightAligned())
            .AddColumn(new TableColumn("delta vs best").RightAligned())
            .AddColumn(new TableColumn("p vs best").RightAligned())
            .AddColumn("");
        foreach (var row in Outcome.Rows)
        {
            table.AddRow(
                Markup.Escape(Label(row)),
                row.TrainableParameters.ToString("N0", CultureInfo.InvariantCulture),
                row.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture),
                Formats.Metric(row.Auc),
                row.AucCi95.IsDefined ? Markup.Escape(row.AucCi95.ToString()) : "n/a",
                row.IsBest ? "best" : Formats.Metric(row.VersusBest?.DeltaAuc ?? double.NaN),
                row.IsBest ? "" : Markup.Escape(ComparisonOutput.PValue(row.VersusBest?.PValue ?? double.NaN)),
                ReferenceEquals(row, Outcome.Recommended) ? "recommended" : row.NotSignificantlyBelowBest ? "within noise" : "");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Outcome.Recommended is { } chosen
            ? Markup.Escape($"Recommended: {Label(chosen)} ({chosen.ModelPath}). {Outcome.Reason}")
            : $"[yellow]{Markup.Escape(Outcome.Reason)}[/]");
    }

    /// <summary>Writes the JSON file (keys in README.md, "--strategy compare"); returns its full path.</summary>
    public string Write(string path) => JsonValues.WriteObject(path, json =>
    {
        json.WriteString("command", "train");
        json.WriteString("strategy_requested", StrategySweep.Value);
        json.WriteString("task", MetricsJson.TaskName(Run.Dataset.Task));
        json.WriteStartArray("classes");
        foreach (var name in Run.Dataset.ClassNames)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteString("class", ClassName);
        json.WriteString("evaluated_on", EvaluatedOn);
        json.WriteNumber("evaluated_images", Run.Evaluated().Records.Count);
        json.WriteStartArray("strategies");
        foreach (var row in Outcome.Rows)
        {
            json.WriteStartObject();
            json.WriteString("strategy", row.Strategy);
            json.WriteString("resolved_strategy", row.ResolvedStrategy);
            json.WriteString("model", row.ModelPath);
            json.NumberOrNull("auc", row.Auc);
            json.Interval("auc_ci95", row.AucCi95);
            json.NumberOrNull("train_seconds", row.TrainSeconds);
            json.WriteNumber("trainable_parameters", row.TrainableParameters);
            json.NumberOrNull("delta_auc_vs_best", row.IsBest ? 0 : row.VersusBest?.DeltaAuc ?? double.NaN);
            json.NumberOrNull("p_value_vs_best", row.VersusBest?.PValue ?? double.NaN);
            json.WriteBoolean("best", row.IsBest);
            json.WriteBoolean("not_significantly_below_best", row.NotSignificantlyBelowBest);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (Outcome.Recommended is { } chosen)
        {
            json.WriteString("recommended", chosen.Strategy);
        }
        else
        {
            json.WriteNull("recommended");
        }

        json.WriteString("recommended_reason", Outcome.Reason);
        json.WriteString("architecture", Settings.ArchitectureName);
        json.WriteString("weights", Settings.WeightsPath is null ? TrainingRun.DefaultWeights(Settings) : Path.GetFullPath(Settings.WeightsPath));
        json.WriteBoolean("grayscale", Settings.Grayscale);
        json.WriteNumber("image_size", Settings.ImageSize);
        json.WriteNumber("epochs_requested", Settings.Epochs);
        json.WriteNumber("batch_size", Settings.BatchSize);
        json.WriteNumber("learning_rate", Settings.LearningRate);
        json.WriteString("threshold_method_requested", Settings.ThresholdMethod.ToString());
        json.WriteBoolean("calibration", Settings.Calibrate);
        json.WriteNumber("seed", Settings.Seed);
        json.WriteString("data", Path.GetFullPath(Settings.Data.DataPath));
        json.WriteNumber("train_images", Run.Train.Count);
        json.WriteNumber("validation_images", Run.Validation.Count);
        json.WriteNumber("test_images", Run.Dataset.Test?.Count ?? 0);
        if (Settings.BadImages == BadImagePolicy.Skip)
        {
            MetricsJson.WriteSkipped(json, Run.Skipped);
        }
    });

    // auto is listed with what it resolved to, even when that is another row's strategy.
    private static string Label(SweepRow row) => row.Strategy == row.ResolvedStrategy ? row.Strategy : $"{row.Strategy} -> {row.ResolvedStrategy}";
}
