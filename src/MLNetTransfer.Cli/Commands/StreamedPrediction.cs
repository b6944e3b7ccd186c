using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Scoring;
using Spectre.Console;

namespace MLNetTransfer.Cli.Commands;

/// <summary>
/// <c>predict --output x.csv|x.jsonl</c>: the images scored in batches (<see cref="BatchedScorer"/>) and each row
/// written as soon as its batch is scored, to a temporary file beside the target that is renamed when every image is
/// done (<see cref="AtomicFile"/>). Memory holds one batch of pixels and the list of file names.
/// </summary>
internal static class StreamedPrediction
{
    public static int Run(MLContext ml, string modelPath, IReadOnlyList<string> files, string outputPath, int batchSize, CancellationToken cancellation)
    {
        using var model = ModelFile.Load(ml, modelPath);
        using var scorer = new BatchedScorer(ml, model, batchSize);
        string target = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        int scored = 0, unreadable = 0;
        AtomicFile.Write(target, stream =>
        {
            using var writer = PredictionWriter.Open(stream, target, model.ClassNames);
            WithProgress(files.Count, advance =>
            {
                // The gate runs as the scorer pulls each file, so a bad file is reported where it is met and never loaded.
                var readable = files.Where(file =>
                {
                    if (ImageCheck.Problem(file, reader: model.PixelReader) is not { } problem)
                    {
                        return true;
                    }

                    writer.Error(file, problem);
                    Console.Error.WriteLine($"mlnet-transfer: error: {file}: {problem}");
                    unreadable++;
                    advance();
                    return false;
                });
                scorer.Score(readable, (file, scores, index) =>
                {
                    var (label, probability) = Predicted(model, scores, index);
                    writer.Prediction(file, label, probability, scores);
                    scored++;
                    advance();
                }, cancellation);
            });
        });
        AnsiConsole.WriteLine($"Wrote {scored} predictions{(unreadable > 0 ? $" and {unreadable} errors" : "")} to {target}");
        return unreadable == 0 ? ExitCodes.Success : ExitCodes.DataError;
    }

    /// <summary>The predicted class (the graph's, at the stored threshold) or, multi-label, every label at probability &gt; 0.5, as predict's table shows them.</summary>
    private static (string Label, float Probability) Predicted(ModelFile model, float[] scores, int index)
    {
        if (model.Task != TaskKind.MultiLabel)
        {
            return index < 0 || index >= scores.Length ? ("", float.NaN) : (model.ClassNames[index], scores[index]);
        }

        var positive = Enumerable.Range(0, scores.Length).Where(j => scores[j] > EvaluationCatalog.MultiLabelThreshold).ToList();
        return (string.Join("+", positive.Select(j => model.ClassNames[j])), positive.Count == 0 ? float.NaN : positive.Max(j => scores[j]));
    }

    // A bar on stderr only when stderr is a terminal: redirected, it would print every refresh into the log.
    private static void WithProgress(int total, Action<Action> work)
    {
        if (Console.IsErrorRedirected)
        {
            work(() => { });
            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("predicting", maxValue: Math.Max(total, 1));
                work(() => task.Increment(1));
                task.Value = task.MaxValue;
            });
    }
}
