using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Scoring;
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
        var report = new Option<string?>("--report") { Description = "Write the report (ROC curves, confusion matrix, reliability diagram, index.html) into this folder." };
        var bootstrap = TrainCommand.BootstrapOption();
        var command = new Command("evaluate", "Evaluate a model.zip on labelled images: the test/ split of --data if it has one, else all of it.");
        command.Options.Add(model);
        data.AddTo(command);
        command.Options.Add(metricsJson);
        command.Options.Add(report);
        command.Options.Add(bootstrap);
        var badImages = BadImagesOption.Create("What to do with images the image gate refuses (missing, unreadable by the model's reader (8-bit: not PNG/JPEG), truncated or corrupt, over the pixel budget): " +
            "fail stops, naming them; skip leaves them out of the metrics, prints how many, and lists them in --metrics-json (skipped_images) and --report.");
        command.Options.Add(badImages);
        command.SetAction((parse, cancellation) => Cli.Run(() =>
        {
            int bootstrapSamples = TrainCommand.BootstrapSamples(parse.GetValue(bootstrap));
            var source = data.Read(parse);
            new OutputPaths()
                .File("--metrics-json", parse.GetValue(metricsJson)).Report("--report", parse.GetValue(report))
                .Input("--model", parse.GetValue(model)).Input(DataSourceOptions.DataOption, source.DataPath)
                .Input(DataSourceOptions.ValidationOption, source.ValidationPath).Input(DataSourceOptions.TestOption, source.TestPath)
                .Check();
            var ml = ProcessTempFolder.NewContext(seed: 1);
            using var loaded = ModelFile.Load(ml, parse.GetValue(model)!);
            var (records, evaluatedOn) = LabelledImages(loaded, source);
            IReadOnlyList<SkippedImageRow>? skipped = null;
            if (BadImagesOption.Parse(parse.GetValue(badImages)!) == BadImagePolicy.Skip)
            {
                // Left out before scoring; evaluated_on counts the images scored. "test": the test split; "data": all of --data.
                (records, skipped) = ImageCheck.Partition(records, evaluatedOn.StartsWith("test split", StringComparison.Ordinal) ? SkippedImageRow.TestSplit : "data", reader: loaded.PixelReader);
                evaluatedOn = $"{evaluatedOn}; {skipped.Count} image(s) skipped by --bad-images skip";
                AnsiConsole.WriteLine($"--bad-images skip: {skipped.Count} image(s) left out.");
                foreach (var s in skipped)
                {
                    AnsiConsole.MarkupLine(Markup.Escape($"--bad-images skip: '{s.Path}' {s.Reason}"));
                }
            }

            var metrics = ModelEvaluator.Evaluate(ml, loaded, records, evaluatedOn, bootstrapSamples, cancellation);
            Summary.Print(metrics, evaluatedOn);
            var described = new[]
            {
                new System.Collections.Generic.KeyValuePair<string, object?>("model", loaded.Path),
                new("data", Path.GetFullPath(source.DataPath)),
            };
            if (parse.GetValue(metricsJson) is { } json)
            {
                MetricsJson.Write(json, "evaluate", metrics, evaluatedOn, null, described, skipped);
                AnsiConsole.WriteLine($"Wrote {Path.GetFullPath(json)}");
            }

            if (parse.GetValue(report) is { } folder)
            {
                string index = ReportWriter.Write(folder, $"mlnet-transfer evaluate: {Path.GetFileName(loaded.Path)}", metrics, evaluatedOn, null, described, skipped);
                AnsiConsole.WriteLine($"Wrote the report {index}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// The labelled images that <c>evaluate</c> (and <c>compare</c>) score with <paramref name="model"/>: the test split of
    /// <paramref name="source"/> when there is one, else every image given (train/ and val/ too, as README.md says),
    /// and those words for the output. The data set's warnings are printed.
    /// </summary>
    internal static (IReadOnlyList<ImageRecord> Records, string EvaluatedOn) LabelledImages(ModelFile model, DataSourceOptions source)
    {
        source = LabelColumnsOf(model, source);
        var dataset = DatasetReader.Read(source, DataSetUse.Evaluation);
        foreach (var warning in dataset.Warnings)
        {
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        }

        return dataset.Test is { } test
            ? (test, $"test split of {source.DataPath} ({test.Count} images)")
            : (dataset.Train.Concat(dataset.Validation ?? []).ToList(), $"{source.DataPath} ({dataset.Train.Count + (dataset.Validation?.Count ?? 0)} images)");
    }

    // A multi-label model's outputs are its label columns, in its order: the CSV is read with exactly those columns,
    // found by name, so that no column is scored against another label's output. Other names are refused.
    private static DataSourceOptions LabelColumnsOf(ModelFile model, DataSourceOptions source)
    {
        if (model.Task != TaskKind.MultiLabel)
        {
            return source.IsMultiLabel
                ? throw new CliException(ExitCodes.Usage, $"{DataSourceOptions.LabelColumnsOption}: the model is single-label (classes {string.Join(", ", model.ClassNames)}); name its label column with {DataSourceOptions.LabelColumnOption}.")
                : source;
        }

        if (source.IsMultiLabel && !source.LabelColumns!.Order(StringComparer.Ordinal).SequenceEqual(model.ClassNames.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            throw new CliException(ExitCodes.Usage,
                $"{DataSourceOptions.LabelColumnsOption}: the model's labels are {string.Join(", ", model.ClassNames)}, in that order; got {string.Join(", ", source.LabelColumns!)}. " +
                "The CSV must have a column for each of the model's labels, under the same name; leave the option out to use them.");
        }

        return new DataSourceOptions
        {
            DataPath = source.DataPath,
            ImageColumn = source.ImageColumn,
            LabelColumns = model.ClassNames,
            GroupColumn = source.GroupColumn,
            ValidationPath = source.ValidationPath,
            TestPath = source.TestPath,
        };
    }

    internal static Option<string> ModelOption() => new("--model", "-m")
    {
        Description = "A model.zip written by mlnet-transfer train (or by ml.Model.Save of a FineTuneResNet pipeline).",
        Required = true,
    };
}
