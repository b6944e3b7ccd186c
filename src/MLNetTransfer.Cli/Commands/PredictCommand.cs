using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Scoring;
using Spectre.Console;

namespace MLNetTransfer.Cli.Commands;

/// <summary><c>mlnet-transfer predict</c>: label and probability per image, as a table or JSON.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = EvaluateCommand.ModelOption();
        var inputs = new Argument<string[]>("images") { Description = "Image files or folders (searched recursively for .png, .jpg, .jpeg, .dcm and extensionless DICOM files).", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print JSON: per image the file, predicted label(s) and every class probability." };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Stream the predictions to this file instead of the console, for folders of any size: x.csv (file, predicted, probability, p(class)..., error) or x.jsonl (one JSON object per image). Scored in batches by ONNX Runtime with bounded memory; a progress bar on stderr when it is a terminal.",
        };
        var batchSize = new Option<int>("--batch-size") { Description = "With --output: images per ONNX Runtime call.", DefaultValueFactory = _ => 32 };
        var command = new Command("predict", "Predict the class of images with a model.zip.");
        command.Options.Add(model);
        command.Arguments.Add(inputs);
        command.Options.Add(json);
        // Accepted for symmetry with train and evaluate: predict already scores the images that pass the gate and names
        // the others on stderr (exit 2), under both values.
        var badImages = BadImagesOption.Create("fail or skip; predict does the same under both: it scores the images that pass the image gate and names each refused one on stderr (exit code 2 when any was refused).");
        command.Options.Add(badImages);
        command.Options.Add(output);
        command.Options.Add(batchSize);
        command.SetAction((parse, cancellation) => Cli.Run(() =>
        {
            var ml = ProcessTempFolder.NewContext(seed: 1);
            if (parse.GetValue(output) is { } outputPath)
            {
                if (parse.GetValue(json))
                {
                    throw new CliException(ExitCodes.Usage, "--json prints to the console; with --output the format follows the file's extension (.csv or .jsonl).");
                }

                PredictionWriter.IsCsv(outputPath);
                new OutputPaths().File("--output", outputPath).Input("--model", parse.GetValue(model)).Check();
                return StreamedPrediction.Run(ml, parse.GetValue(model)!, Collect(ml, parse.GetValue(inputs)!), outputPath,
                    TrainCommand.AtLeast(parse.GetValue(batchSize), 1, "--batch-size"), cancellation);
            }

            var files = Collect(ml, parse.GetValue(inputs)!);
            using var loaded = ModelFile.Load(ml, parse.GetValue(model)!);
            var problems = files.Select(f => (File: f, Problem: ImageCheck.Problem(f, reader: loaded.PixelReader))).Where(p => p.Problem is not null).ToList();
            var unreadable = problems.Select(p => p.File).ToHashSet(StringComparer.Ordinal);
            var readable = files.Where(f => !unreadable.Contains(f)).ToList();
            ScoredSet? rows = readable.Count == 0
                ? null
                : ModelScorer.Score(ml, loaded, readable.Select(f => new ImageRecord(f, null, null, null, f)).ToList(), cancellation);
            if (parse.GetValue(json))
            {
                Console.WriteLine(Json(loaded, rows, problems));
            }
            else if (rows is not null)
            {
                PrintTable(loaded, rows);
            }

            foreach (var (file, problem) in problems)
            {
                Console.Error.WriteLine($"mlnet-transfer: error: {file}: {problem}");
            }

            return problems.Count == 0 ? ExitCodes.Success : ExitCodes.DataError;
        }));
        return command;
    }

    /// <summary>
    /// The images to score, by the library's rule for which files in a folder are images, so that predict reads a folder
    /// as train read it. The library's messages name its parameter <c>paths</c>; here that is the argument <c>images</c>.
    /// </summary>
    internal static List<string> Collect(MLContext ml, IEnumerable<string> inputs)
    {
        try
        {
            return ml.Data.LoadFromImagePaths(inputs).GetColumn<string>("ImagePath").ToList();
        }
        catch (InvalidDataException e)
        {
            const string parameter = "paths:";
            string message = e.Message.StartsWith(parameter, StringComparison.Ordinal) ? "images:" + e.Message[parameter.Length..] : e.Message;
            throw new CliException(ExitCodes.DataError, message, e);
        }
    }

    /// <summary>The predicted labels of one row: the class, or for multi-label models every label at probability &gt; 0.5.</summary>
    private static (string Label, float Probability) Predicted(ModelFile model, ScoredSet rows, int i)
    {
        if (model.Task != TaskKind.MultiLabel)
        {
            int c = rows.Predicted![i];
            return c < 0 ? ("", float.NaN) : (model.ClassNames[c], rows.Scores[i][c]);
        }

        var positive = Enumerable.Range(0, model.ClassNames.Count).Where(j => rows.Scores[i][j] > EvaluationCatalog.MultiLabelThreshold).ToList();
        return (string.Join("+", positive.Select(j => model.ClassNames[j])), positive.Count == 0 ? float.NaN : positive.Max(j => rows.Scores[i][j]));
    }

    private static void PrintTable(ModelFile model, ScoredSet rows)
    {
        var table = new Table().AddColumn("image").AddColumn("predicted").AddColumn(new TableColumn("probability").RightAligned());
        foreach (var name in model.ClassNames)
        {
            table.AddColumn(new TableColumn(Markup.Escape($"p({name})")).RightAligned());
        }

        for (int i = 0; i < rows.Files.Count; i++)
        {
            var (label, probability) = Predicted(model, rows, i);
            var cells = new List<string> { Markup.Escape(rows.Files[i]), Markup.Escape(label), Format(probability) };
            cells.AddRange(rows.Scores[i].Select(p => Format(p)));
            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
    }

    private static string Json(ModelFile model, ScoredSet? rows, IReadOnlyList<(string File, string? Problem)> problems)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("model", model.Path);
            json.WriteString("task", Output.MetricsJson.TaskName(model.Task));
            json.WriteStartArray("classes");
            model.ClassNames.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteStartArray("predictions");
            for (int i = 0; rows is not null && i < rows.Files.Count; i++)
            {
                var (label, probability) = Predicted(model, rows, i);
                json.WriteStartObject();
                Output.PredictionWriter.WritePrediction(json, rows.Files[i], label, probability, model.ClassNames, rows.Scores[i]);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("errors");
            foreach (var (file, problem) in problems)
            {
                json.WriteStartObject();
                json.WriteString("file", file);
                json.WriteString("error", problem);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Format(float value) => float.IsFinite(value) ? value.ToString("F4", CultureInfo.InvariantCulture) : "";
}
