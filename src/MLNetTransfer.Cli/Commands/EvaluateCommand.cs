using System.CommandLine;
using System.IO;
using Microsoft.ML;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Scoring;
using MLNetTransfer.Torch.Metrics;
using Spectre.Console;

namespace MLNetTransfer.Cli.Commands;

/// <summary><c>mlnet-transfer evaluate</c>: a saved model.zip on labelled images, through ML.NET's evaluators.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = ModelOption();
        var data = new DataArguments();
        var metricsJson = new Option<string?>("--metrics-json") { Description = "Write the metrics as JSON here (keys in README.md)." };
        var report = new Option<string?>("--report") { Description = "Write the report (ROC curves, confusion matrix, index.html) into this folder." };
        var command = new Command("evaluate", "Evaluate a model.zip on labelled images: the test/ split of --data if it has one, else all of it.");
        command.Options.Add(model);
        data.AddTo(command);
        command.Options.Add(metricsJson);
        command.Options.Add(report);
        command.SetAction((parse, _) => Cli.Run(() =>
        {
            var ml = new MLContext(seed: 1);
            using var loaded = ModelFile.Load(ml, parse.GetValue(model)!);
            var source = data.Read(parse);
            if (loaded.Task == TaskKind.MultiLabel && !source.IsMultiLabel)
            {
                // A multi-label model knows its label columns; the CSV is read with them unless others are named.
                source = new DataSourceOptions
                {
                    DataPath = source.DataPath,
                    ImageColumn = source.ImageColumn,
                    LabelColumns = loaded.ClassNames,
                    GroupColumn = source.GroupColumn,
                    ValidationPath = source.ValidationPath,
                    TestPath = source.TestPath,
                };
            }

            var dataset = DatasetReader.Read(source);
            var (records, evaluatedOn) = dataset.Test is { } test
                ? (test, $"test split of {source.DataPath} ({test.Count} images)")
                : (dataset.Train, $"{source.DataPath} ({dataset.Train.Count} images)");
            var (metrics, rows) = ModelEvaluator.Evaluate(ml, loaded, records, evaluatedOn);
            Summary.Print(metrics, evaluatedOn);
            var described = new[]
            {
                new System.Collections.Generic.KeyValuePair<string, object?>("model", loaded.Path),
                new("data", Path.GetFullPath(source.DataPath)),
            };
            if (parse.GetValue(metricsJson) is { } json)
            {
                MetricsJson.Write(json, "evaluate", metrics, evaluatedOn, null, described);
                AnsiConsole.WriteLine($"Wrote {Path.GetFullPath(json)}");
            }

            if (parse.GetValue(report) is { } folder)
            {
                string index = ReportWriter.Write(folder, $"mlnet-transfer evaluate: {Path.GetFileName(loaded.Path)}", metrics, rows, evaluatedOn, null, described);
                AnsiConsole.WriteLine($"Wrote the report {index}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    internal static Option<string> ModelOption() => new("--model", "-m")
    {
        Description = "A model.zip written by mlnet-transfer train (or by ml.Model.Save of a FineTuneResNet pipeline).",
        Required = true,
    };
}
