using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Dicom;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Radiology;

/// <summary>
/// The command line on DICOM data (issue 14, items 3 and 4), through the built tool: a folder per class of 12-bit CT-like
/// slices written by pydicom (tests/reference/make_dicom_dataset.py), some without an extension, whose class signal is
/// +60 stored units (in the low 8 bits) that only the files' own window brings out. train reads them at full precision
/// by itself, groups the hold-out by each file's PatientID tag, and learns the task; evaluate, predict (console and
/// batched) and explain read them with the reader the model names; the scores are the same through the console, the
/// batched file and an ML.NET app that loads model.zip and feeds it the library's LoadModelPixels. A CSV that points at
/// the DICOM files trains too.
/// </summary>
[Collection("NoParallelization")]
public sealed class DicomEndToEndTests : IDisposable
{
    private const int Size = 48;
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public DicomEndToEndTests(ITestOutputHelper log)
    {
        _log = log;
        MakeDataset(Path.Combine(Root, "ct"), train: 48, test: 24, Size, seed: 3);
    }

    private string Root => _folder.Root;

    private string Data => Path.Combine(Root, "ct");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_folder_of_DICOM_files_trains_evaluates_predicts_and_explains_and_every_path_scores_the_same()
    {
        string model = Path.Combine(Root, "ct.zip");
        string metricsPath = Path.Combine(Root, "metrics.json");
        var train = CliProcess.Run(_log, "train", "--data", Data, "--group-column", "dicom:PatientID", "--grayscale", "--strategy", "feature-extraction",
            "--epochs", "3", "--batch-size", "16", "--image-size", "42", "--output", model, "--metrics-json", metricsPath);
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("read at full precision by dicom(frame=0", train.Output);
        Assert.Contains("held out of --data by dicom:PatientID", train.Output);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(metricsPath)))
        {
            double auc = metrics.RootElement.GetProperty("auc").GetDouble();
            _log.WriteLine($"test AUC {auc:F3}");
            Assert.True(auc >= 0.9, $"test AUC {auc}");
        }

        var testFiles = Directory.GetFiles(Path.Combine(Data, "test"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains(testFiles, f => !Path.HasExtension(f));
        var evaluate = CliProcess.Run(_log, "evaluate", "--model", model, "--data", Path.Combine(Data, "test"));
        Assert.Equal(0, evaluate.ExitCode);

        // Console (PredictionEngine chain), batched file (ONNX Runtime on the chain's own steps), and a plain ML.NET app.
        var console = CliProcess.Run(_log, "predict", "--model", model, Path.Combine(Data, "test"), "--json");
        Assert.Equal(0, console.ExitCode);
        var fromConsole = ConsoleScores(console.Output);
        string csv = Path.Combine(Root, "predictions.csv");
        var batched = CliProcess.Run(_log, "predict", "--model", model, Path.Combine(Data, "test"), "--output", csv, "--batch-size", "5");
        Assert.Equal(0, batched.ExitCode);
        var fromCsv = CsvScores(csv);
        var fromApp = AppScores(model, testFiles);
        Assert.Equal(testFiles.Length, fromConsole.Count);
        foreach (var file in testFiles)
        {
            Assert.Equal(fromApp[file], fromConsole[file]);
            Assert.Equal(fromApp[file], fromCsv[file]);
        }

        string explained = Path.Combine(Root, "explained");
        var explain = CliProcess.Run(_log, "explain", "--model", model, Path.Combine(Data, "test", "OPACITY"), "--output", explained);
        Assert.Equal(0, explain.ExitCode);
        Assert.Equal(12, Directory.GetFiles(explained, "*.png").Length);
        Assert.True(File.Exists(Path.Combine(explained, "index.html")));
    }

    [Fact]
    public void A_CSV_can_point_at_DICOM_files_and_an_8bit_run_refuses_them_naming_the_reader()
    {
        var csv = new StringBuilder("path,finding\n");
        foreach (var file in Directory.GetFiles(Path.Combine(Data, "train"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            csv.Append(CultureInfo.InvariantCulture, $"\"{file}\",{Path.GetFileName(Path.GetDirectoryName(file))}\n");
        }

        string data = Path.Combine(Root, "ct.csv");
        File.WriteAllText(data, csv.ToString());
        string model = Path.Combine(Root, "csv.zip");
        var train = CliProcess.Run(_log, "train", "--data", data, "--image-column", "path", "--label-column", "finding", "--group-column", "dicom:PatientID",
            "--strategy", "feature-extraction", "--epochs", "1", "--batch-size", "16", "--image-size", "42", "--output", model);
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("read at full precision by dicom(", train.Output);

        // ML.NET's 8-bit loader cannot read DICOM: the gate names the file and what reads it.
        var eightBit = CliProcess.Run(_log, "train", "--data", data, "--image-column", "path", "--label-column", "finding", "--pixels", "8bit",
            "--epochs", "1", "--image-size", "42", "--output", Path.Combine(Root, "8bit.zip"));
        Assert.Equal(2, eightBit.ExitCode);
        Assert.Contains("is a DICOM file", eightBit.Error);
        Assert.Contains("DicomPixelReader", eightBit.Error);
    }

    // The per-class probabilities predict --json prints, by file.
    private static Dictionary<string, float[]> ConsoleScores(string output)
    {
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("predictions").EnumerateArray().ToDictionary(
            r => r.GetProperty("file").GetString()!,
            r => r.GetProperty("scores").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray());
    }

    private static Dictionary<string, float[]> CsvScores(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int first = Array.FindIndex(header, h => h.StartsWith("p(", StringComparison.Ordinal));
        int count = header.Count(h => h.StartsWith("p(", StringComparison.Ordinal));
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(
            cells => cells[0],
            cells => cells.Skip(first).Take(count).Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray());
    }

    // An ML.NET app: model.zip loaded with Model.Load, the reader it names rebuilt from its description, the library's
    // LoadModelPixels in front.
    private static Dictionary<string, float[]> AppScores(string model, string[] files)
    {
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(model, out _);
        var input = ml.Model.LoadPixelInput(model) ?? throw new InvalidOperationException("The model names no pixel reader.");
        Assert.True(DicomPixelReader.TryFromDescription(input.ReaderDescription, out var reader));
        var paths = ml.Data.LoadFromEnumerable(files.Select(f => new PathRow { ImagePath = f }).ToList());
        var scored = loaded.Transform(ml.Transforms.LoadModelPixels(reader, input.Size).Fit(paths).Transform(paths));
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        (loaded as IDisposable)?.Dispose();
        return files.Select((f, i) => (f, scores[i])).ToDictionary(p => p.f, p => p.Item2);
    }

    private static void MakeDataset(string folder, int train, int test, int size, int seed)
    {
        string script = Path.Combine(ReadmePipeline.RepositoryRoot(AppContext.BaseDirectory), "tests", "reference", "make_dicom_dataset.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, folder, train.ToString(CultureInfo.InvariantCulture), test.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"make_dicom_dataset.py failed ({process.ExitCode}; python3-pydicom is installed by scripts/setup.sh): {error}");
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
