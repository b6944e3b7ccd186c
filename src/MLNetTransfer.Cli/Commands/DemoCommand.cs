using System.CommandLine;
using System.IO;
using System.Linq;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Training;
using MLNetTransfer.SyntheticData;
using Spectre.Console;

namespace MLNetTransfer.Cli.Commands;

/// <summary>
/// <c>mlnet-transfer demo</c>: writes the embedded synthetic chest X-ray set (data/README.md) and runs <c>train</c> on it
/// with ML.NET's pretrained ResNet18, 1-channel: a model, a metrics file and a report in a few minutes on 2 CPU cores.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output-dir") { Description = "Where the data, model.zip, metrics.json and report/ go.", DefaultValueFactory = _ => "mlnet-transfer-demo" };
        var strategy = new Option<string>("--strategy") { Description = "As for train; auto picks feature extraction for the demo's 300 training images.", DefaultValueFactory = _ => "auto" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 6 };
        var images = new Option<int>("--train-images") { Description = "Training images to generate (validation and test get a third of it each).", DefaultValueFactory = _ => 300 };
        var command = new Command("demo", "Generate the synthetic chest X-ray set and fine-tune ML.NET's ResNet18 on it: model.zip, metrics.json, report/.");
        command.Options.Add(output);
        command.Options.Add(strategy);
        command.Options.Add(epochs);
        command.Options.Add(images);
        command.SetAction((parse, cancellation) => Cli.Run(() =>
        {
            string root = Path.GetFullPath(parse.GetValue(output)!);
            int train = TrainCommand.AtLeast(parse.GetValue(images), 20, "--train-images");
            var settings = new TrainSettings
            {
                Data = new DataSourceOptions { DataPath = Path.Combine(root, "data") },
                Architecture = ResNetArchitecture.ResNet18,
                Strategy = TrainCommand.ParseStrategy(parse.GetValue(strategy)!),
                Grayscale = true,
                Epochs = TrainCommand.AtLeast(parse.GetValue(epochs), 1, "--epochs"),
                BatchSize = 16,
                // The set is written at 128 px; 112 px crops after a resize to 128 (the 8/7 rule of TrainSettings).
                ImageSize = 112,
                ModelPath = Path.Combine(root, "model.zip"),
                MetricsJsonPath = Path.Combine(root, "metrics.json"),
                ReportDirectory = Path.Combine(root, "report"),
            };
            ClaimOutputFolder(root);
            AnsiConsole.WriteLine($"Writing the synthetic chest X-ray set (NORMAL vs OPACITY, 128 px; {train} train, {train / 3} validation, {train / 3} test) to {settings.Data.DataPath} ...");
            FreshDataFolder(settings.Data.DataPath);
            SyntheticChestXrays.WriteDataset(settings.Data.DataPath, size: 128, train: train, validation: train / 3, test: train / 3);
            File.WriteAllText(Path.Combine(settings.Data.DataPath, Marker), "Written by mlnet-transfer demo; the next demo run replaces this folder.\n");
            int code = TrainingRun.Execute(settings, cancellation);
            // A few Grad-CAM overlays of test images in the report (Report/GradCamSection.cs).
            if (code == ExitCodes.Success && settings.ReportDirectory is { } report)
            {
                var testImages = Directory.GetFiles(Path.Combine(settings.Data.DataPath, "test"), "*.png", SearchOption.AllDirectories);
                var overlays = Report.GradCamSection.AddTo(ProcessTempFolder.NewContext(seed: 1), report, settings.ModelPath, testImages);
                AnsiConsole.WriteLine($"Added {overlays.Count} Grad-CAM overlays to the report");
            }

            return code;
        }));
        return command;
    }

    private const string Marker = ".mlnet-transfer-demo";

    /// <summary>The files and folders a demo run writes into --output-dir.</summary>
    private static readonly string[] _outputs = { "data", "model.zip", "metrics.json", "report" };

    // model.zip, metrics.json and report/ are replaced by name: in a user's own folder that would overwrite their files.
    // The demo takes a missing or empty folder, or one a demo run wrote before (its marker, or its data/ folder's marker
    // from before the folder had one); anything else is refused, naming what it holds that the demo would replace.
    private static void ClaimOutputFolder(string root)
    {
        if (File.Exists(root))
        {
            throw new CliException(ExitCodes.Usage, $"--output-dir: {root} is a file; a folder is expected.");
        }

        bool ours = File.Exists(Path.Combine(root, Marker)) || File.Exists(Path.Combine(root, "data", Marker));
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any() && !ours)
        {
            string[] replaced = _outputs.Where(o => Path.Exists(Path.Combine(root, o))).ToArray();
            throw new CliException(ExitCodes.Usage,
                $"--output-dir: {root} is not empty and was not written by a demo run" +
                (replaced.Length > 0 ? $"; the demo would replace its {string.Join(", ", replaced)}" : string.Empty) +
                ". Choose a new or empty --output-dir.");
        }

        new OutputPaths().Folder("--output-dir", root).Check();
        Directory.CreateDirectory(root);
        AtomicFile.Write(Path.Combine(root, Marker), stream => stream.Write("Written by mlnet-transfer demo; the next demo run may replace data/, model.zip, metrics.json and report/ here.\n"u8));
    }

    // A second run with other counts must not train on the first run's images too (WriteDataset overwrites files by
    // name only): a folder an earlier demo wrote is replaced; any other non-empty folder is refused, never deleted.
    private static void FreshDataFolder(string folder)
    {
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            return;
        }

        if (!File.Exists(Path.Combine(folder, Marker)))
        {
            throw new CliException(ExitCodes.Usage, $"--output-dir: {folder} exists and was not written by a demo run; choose another --output-dir.");
        }

        Directory.Delete(folder, recursive: true);
    }
}
