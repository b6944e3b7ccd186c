using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Scoring;
using Spectre.Console;

namespace MLNetTransfer.Cli.Commands;

/// <summary>
/// <c>mlnet-transfer compare</c>: two model.zip files on the same labelled images, their AUCs compared by the library's
/// paired DeLong test (<c>ml.MulticlassClassification.CompareAuc</c>); the command line computes none of the numbers.
/// </summary>
internal static class CompareCommand
{
    public const string ModelOption = "--model";
    public const string ClassOption = "--class";

    public static Command Create()
    {
        var models = new Option<string[]>(ModelOption, "-m")
        {
            Description = "A model.zip; give it twice: --model a.zip --model b.zip (A and B; delta_auc is A - B).",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        models.Validators.Add(result =>
        {
            int given = result.GetValueOrDefault<string[]>()?.Length ?? 0;
            if (given != 2)
            {
                result.AddError($"{ModelOption} must be given exactly twice, once per model to compare (--model a.zip --model b.zip); got {given}.");
            }
        });
        var data = new DataArguments();
        var className = new Option<string?>(ClassOption)
        {
            Description = "The class (one-vs-rest) or label whose AUCs are compared; needed for more than two classes and for multi-label models. Two classes: default the positive one.",
        };
        var metricsJson = new Option<string?>("--metrics-json") { Description = "Write the comparison as JSON here (keys in README.md)." };
        var command = new Command("compare", "Compare two model.zip files on the same labelled images (the test/ split of --data if it has one, else all of it): both AUCs, their difference with its 95% interval and the paired DeLong p-value.");
        command.Options.Add(models);
        data.AddTo(command);
        command.Options.Add(className);
        command.Options.Add(metricsJson);
        command.SetAction((parse, cancellation) => Cli.Run(() =>
        {
            var ml = ProcessTempFolder.NewContext(seed: 1);
            var paths = parse.GetValue(models)!;
            using var a = ModelFile.Load(ml, paths[0]);
            using var b = ModelFile.Load(ml, paths[1]);
            int[] slotsOfB = SlotsInOrderOf(a, b);
            int classIndex = ComparedClass.Resolve(parse.GetValue(className), a.Task, a.ClassNames, ClassOption);
            var (records, evaluatedOn) = EvaluateCommand.LabelledImages(a, data.Read(parse));
            if (records.Count == 0)
            {
                throw new CliException(ExitCodes.DataError, $"{evaluatedOn} has no images to compare the models on.");
            }

            // Each model's own gate: a full-precision model reads its images with its reader (DICOM, 16-bit PNG).
            ModelEvaluator.CheckImages(records, evaluatedOn, reader: a.PixelReader);
            if (b.PixelReader?.Description != a.PixelReader?.Description)
            {
                ModelEvaluator.CheckImages(records, evaluatedOn, reader: b.PixelReader);
            }

            float[][] scoresA = ModelScorer.Score(ml, a, records, cancellation).Scores;
            float[][] scoresB = ModelScorer.Score(ml, b, records, cancellation).Scores.Select(row => slotsOfB.Select(s => row[s]).ToArray()).ToArray();
            var scored = PairedScores.Create(ml, a.Task, a.ClassNames, records, scoresA, scoresB, evaluatedOn);
            var comparison = ml.MulticlassClassification.CompareAuc(scored, PairedScores.ScoreA, PairedScores.ScoreB, PairedScores.LabelColumn, classIndex);
            var result = new ComparisonOutput(a.Path, b.Path, a.Task, a.ClassNames[classIndex], records.Count, evaluatedOn, comparison);
            result.Print();
            if (parse.GetValue(metricsJson) is { } json)
            {
                AnsiConsole.WriteLine($"Wrote {result.Write(json)}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// For each of <paramref name="a"/>'s classes in its order, the slot of <paramref name="b"/>'s scores that holds it:
    /// the two may order the same classes differently (e.g. another positive class). Different tasks or classes are an
    /// error that names both files.
    /// </summary>
    internal static int[] SlotsInOrderOf(ModelFile a, ModelFile b)
    {
        if (a.Task != b.Task || !a.ClassNames.Order(StringComparer.Ordinal).SequenceEqual(b.ClassNames.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            throw new CliException(ExitCodes.Usage,
                $"{ModelOption}: the models must have the same task and classes to be compared on the same images; {Describe(a)}, but {Describe(b)}.");
        }

        var slotOf = b.ClassNames.Select((name, slot) => (name, slot)).ToDictionary(p => p.name, p => p.slot, StringComparer.Ordinal);
        return a.ClassNames.Select(name => slotOf[name]).ToArray();
    }

    private static string Describe(ModelFile model) =>
        $"{model.Path} is a {MetricsJson.TaskName(model.Task)} model of {(model.Task == TaskKind.MultiLabel ? "labels" : "classes")} {string.Join(", ", model.ClassNames)}";
}
