using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Scoring;
using Spectre.Console;

namespace MLNetTransfer.Cli.Training;

/// <summary>
/// <c>train --strategy compare</c>: with the same data, split, seed and options, trains scratch, feature-extraction, the
/// auto choice and full (<see cref="TrainingRun.FitAndSave"/> each), saves each beside <c>--output</c> as
/// <c>NAME-STRATEGY.zip</c>, scores the evaluated images with each saved file, and prints (and with
/// <c>--metrics-json</c> writes) one table and the cheapest strategy whose AUC is not significantly below the best
/// (<see cref="SweepRanking"/>).
/// </summary>
internal static class StrategySweep
{
    /// <summary>The <c>--strategy</c> value that asks for the sweep.</summary>
    public const string Value = "compare";

    /// <summary>The class (or label) whose AUC ranks the strategies.</summary>
    public const string ClassOption = "--compare-class";

    /// <summary>The strategies, in the order they are trained, with the names the table and the files use.</summary>
    public static IReadOnlyList<(string Name, FreezeStrategy Strategy)> Strategies { get; } = new[]
    {
        ("scratch", FreezeStrategy.FromScratch),
        ("feature-extraction", FreezeStrategy.FeatureExtraction),
        ("auto", FreezeStrategy.Auto()),
        ("full", FreezeStrategy.Full()),
    };

    public static bool Requested(string strategy) => string.Equals(strategy.Trim(), Value, StringComparison.OrdinalIgnoreCase);

    public static int Run(TrainSettings settings, string? className, CancellationToken cancellation)
    {
        // One run's checkpoint or report per folder: four runs would overwrite each other's. The bootstrap is of one
        // model's metrics, which the sweep does not compute (evaluate does).
        var single = new[]
        {
            (settings.CheckpointDirectory is not null, "--checkpoint-dir"), (settings.Resume, "--resume"), (settings.ReportDirectory is not null, "--report"),
            (settings.BootstrapSamples > 0, "--bootstrap"),
        };
        foreach (var (given, option) in single)
        {
            if (given)
            {
                throw new CliException(ExitCodes.Usage, $"{option} is not for --strategy {Value}, which trains {Strategies.Count} models; " +
                    "train the strategy you choose on its own with it, or run mlnet-transfer evaluate on its model.");
            }
        }

        var run = TrainingRun.Prepare(settings);
        int classIndex = ComparedClass.Resolve(className, run.Dataset.Task, run.Dataset.ClassNames, ClassOption);
        if (run.Dataset.Test is null)
        {
            // The test split was checked by Prepare. The validation set, on which the models are then compared, is checked
            // here, before the first fit: with --bad-images skip its bad images are left out of the comparison, as each
            // fit leaves them out of validation (the same gate, so the same images).
            var validation = run.Evaluated().Records;
            if (settings.BadImages == BadImagePolicy.Skip)
            {
                run.Skipped.AddRange(ImageCheck.Partition(validation, SkippedImageRow.ValidationSplit, settings.MaxImagePixels, run.PixelReader).Skipped);
            }
            else
            {
                ModelEvaluator.CheckImages(validation, "The validation set", settings.MaxImagePixels, run.PixelReader);
            }
        }

        var (evaluated, evaluatedOn) = run.Evaluated();

        var models = new List<SweptModel>();
        foreach (var (name, strategy) in Strategies)
        {
            string path = ModelPath(settings.ModelPath, name);
            AnsiConsole.MarkupLine(Markup.Escape($"Strategy {models.Count + 1} of {Strategies.Count}: {name} -> {path}"));
            var training = TrainingRun.FitAndSave(run, settings with { Strategy = strategy }, path, cancellation);

            // The saved file is what is compared, as train evaluates its saved model.
            using var saved = ModelFile.Load(run.Ml, path);
            models.Add(new SweptModel(name, training, path, ModelScorer.Score(run.Ml, saved, evaluated).Scores));
        }

        var outcome = SweepRanking.Rank(run.Ml, run.Dataset, evaluated, evaluatedOn, classIndex, models);
        var output = new SweepOutput(settings, run, evaluatedOn, run.Dataset.ClassNames[classIndex], outcome);
        output.Print();
        if (settings.MetricsJsonPath is { } json)
        {
            AnsiConsole.WriteLine($"Wrote {output.Write(json)}");
        }

        return ExitCodes.Success;
    }

    /// <summary><paramref name="output"/> with <c>-<paramref name="strategy"/></c> before its extension: model.zip → model-full.zip.</summary>
    public static string ModelPath(string output, string strategy)
    {
        string full = Path.GetFullPath(output);
        string extension = Path.GetExtension(full);
        return Path.Combine(Path.GetDirectoryName(full)!, $"{Path.GetFileNameWithoutExtension(full)}-{strategy}{(extension.Length == 0 ? ".zip" : extension)}");
    }
}
