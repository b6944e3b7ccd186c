using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Report;
using MLNetTransfer.Cli.Scoring;
using Spectre.Console;

namespace MLNetTransfer.Cli.Commands;

/// <summary>
/// <c>mlnet-transfer explain</c>: Grad-CAM heatmaps (Selvaraju et al., ICCV 2017) over images, as PNGs, and an
/// index.html that shows them with the class explained and its probability.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var model = EvaluateCommand.ModelOption();
        var inputs = new Argument<string[]>("images") { Description = "Image files or folders (searched recursively for .png, .jpg, .jpeg, .dcm and extensionless DICOM files).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "The folder the heatmap PNGs and index.html go to.", Required = true };
        var className = new Option<string?>("--class")
        {
            Description = "The class (or label) to explain for every image. Default: the predicted class; for a multi-label model every label at or over its threshold, or the top label when none is.",
        };
        var stage = new Option<string>("--stage")
        {
            Description = $"The ResNet stage whose activations make the map: {string.Join(", ", GradCamExplainer.Stages)}. Earlier stages are finer and less class-specific.",
            DefaultValueFactory = _ => GradCamExplainer.DefaultStage,
        };
        var command = new Command("explain", "Grad-CAM: write a heatmap of where the model looked over each image (PNG), and an index.html. Needs libtorch.");
        command.Options.Add(model);
        command.Arguments.Add(inputs);
        command.Options.Add(output);
        command.Options.Add(className);
        command.Options.Add(stage);
        command.SetAction((parse, cancellation) => Cli.Run(() =>
        {
            string stageName = parse.GetValue(stage)!;
            if (!GradCamExplainer.Stages.Contains(stageName, StringComparer.Ordinal))
            {
                throw new CliException(ExitCodes.Usage, $"--stage '{stageName}' is not a ResNet stage; use one of {string.Join(", ", GradCamExplainer.Stages)}.");
            }

            string folder = Path.GetFullPath(parse.GetValue(output)!);
            var paths = new OutputPaths().Folder("--output", folder).Input("--model", parse.GetValue(model));
            foreach (var input in parse.GetValue(inputs)!)
            {
                paths.Input("images", input);
            }

            paths.Check();
            var ml = ProcessTempFolder.NewContext(seed: 1);
            var files = PredictCommand.Collect(ml, parse.GetValue(inputs)!);
            string modelPath;
            IImagePixelReader? reader;
            using (var loaded = ModelFile.Load(ml, parse.GetValue(model)!))
            {
                // A full-precision model's images are read by the reader it names, as evaluate and predict read them.
                (modelPath, reader) = (loaded.Path, loaded.PixelReader);
            }

            GradCamExplainer explainer;
            try
            {
                explainer = ml.Model.LoadGradCam(modelPath, reader);
            }
            catch (InvalidDataException e)
            {
                throw new CliException(ExitCodes.ModelError, $"--model: {e.Message}", e);
            }

            using (explainer)
            {
                int? classIndex = null;
                if (parse.GetValue(className) is { } name)
                {
                    classIndex = explainer.ClassNames.ToList().IndexOf(name) is var i and >= 0
                        ? i
                        : throw new CliException(ExitCodes.Usage, $"--class '{name}' is not a class of the model; its classes are {string.Join(", ", explainer.ClassNames)}.");
                }

                Directory.CreateDirectory(folder);
                var rows = new List<(string File, GradCamMap Map, string Png)>();
                var problems = new List<(string File, string Problem)>();
                foreach (var (file, n) in files.Select((f, n) => (f, n)))
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (ImageCheck.Problem(file, reader: reader) is { } problem)
                    {
                        problems.Add((file, problem));
                        continue;
                    }

                    IReadOnlyList<GradCamMap> maps;
                    try
                    {
                        maps = classIndex is { } c ? new[] { explainer.Explain(file, c, stageName) } : explainer.ExplainPrediction(file, stageName);
                    }
                    catch (InvalidDataException e)
                    {
                        problems.Add((file, e.Message));
                        continue;
                    }

                    foreach (var map in maps)
                    {
                        string png = GradCamPage.PngName(n, file, map.ClassName);
                        AtomicFile.Write(Path.Combine(folder, png), s => s.Write(map.ToOverlayPng()));
                        rows.Add((file, map, png));
                    }
                }

                string index = Path.Combine(folder, "index.html");
                AtomicFile.Write(index, s => s.Write(Encoding.UTF8.GetBytes(GradCamPage.Render(modelPath, stageName, rows))));
                AnsiConsole.WriteLine($"Wrote {rows.Count} heatmap(s) and {index}");
                foreach (var (file, problem) in problems)
                {
                    Console.Error.WriteLine($"mlnet-transfer: error: {file}: {problem}");
                }

                return problems.Count == 0 ? ExitCodes.Success : ExitCodes.DataError;
            }
        }));
        return command;
    }
}
