using System.CommandLine;
using System.IO;
using Microsoft.ML;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Scoring;
using Spectre.Console;

namespace MLNetTransfer.Cli.Commands;

/// <summary><c>mlnet-transfer export</c>: the ONNX graph inside a model.zip, for ONNX Runtime or an inference server.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = EvaluateCommand.ModelOption();
        var onnx = new Option<string>("--onnx") { Description = "Where the ONNX file goes.", Required = true };
        var command = new Command("export", "Write the ONNX graph of a model.zip: raw 0-255 pixel planes in, class probabilities out, dynamic batch axis.");
        command.Options.Add(model);
        command.Options.Add(onnx);
        command.SetAction((parse, cancellation) => Cli.Run(() =>
        {
            new OutputPaths().File("--onnx", parse.GetValue(onnx)).Input("--model", parse.GetValue(model)).Check();
            var ml = ProcessTempFolder.NewContext(seed: 1);
            using var loaded = ModelFile.Load(ml, parse.GetValue(model)!);
            byte[] graph;
            try
            {
                graph = ml.Model.ExtractOnnx(loaded.Path);
            }
            catch (InvalidDataException e)
            {
                throw new CliException(ExitCodes.ModelError, $"--model: {e.Message}", e);
            }

            string target = Path.GetFullPath(parse.GetValue(onnx)!);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            cancellation.ThrowIfCancellationRequested();
            // Written beside the target and renamed, so the --onnx file only ever appears complete.
            AtomicFile.Write(target, stream => stream.Write(graph));
            AnsiConsole.WriteLine($"Wrote {target} ({graph.Length / 1024.0 / 1024.0:F1} MB; classes: {string.Join(", ", loaded.ClassNames)})");
            return ExitCodes.Success;
        }));
        return command;
    }
}
