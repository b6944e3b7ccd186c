using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using MLNetTransfer.Cli.Tests.Data;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests;

/// <summary>
/// The CSV layouts end to end through the built tool: a CheXpert-style multi-label CSV (1, 0, -1 uncertain, blank
/// missing, a patient column) and a three-class Path,Label CSV, each trained for one epoch on 48 px images, then evaluated
/// and predicted.
/// </summary>
[Collection("NoParallelization")]
public sealed class CsvEndToEndTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public CsvEndToEndTests(ITestOutputHelper log)
    {
        _log = log;
        Directory.CreateDirectory(Path.Combine(Root, "images"));
    }

    private string Root => _folder.Root;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void CheXpertStyleMultiLabelCsvTrainsEvaluatesAndPredicts()
    {
        // Opacity follows the image; Device is a coin flip (its AUC is chance). Every seventh Opacity target is uncertain,
        // every eleventh Device target is missing, and patients own three images each.
        var csv = new StringBuilder("Path,PatientId,Opacity,Device\n");
        var random = new Random(5);
        int n = 0;
        foreach (var image in SyntheticChestXrays.Generate(60, 48, seed: 11))
        {
            string file = Path.Combine("images", image.Name + ".png");
            File.WriteAllBytes(Path.Combine(Root, file), SyntheticChestXrays.EncodePng(image));
            string opacity = n % 7 == 3 ? "-1" : image.Opacity ? "1" : "0";
            string device = n % 11 == 5 ? "" : random.Next(2) == 1 ? "1.0" : "0.0";
            csv.Append(CultureInfo.InvariantCulture, $"{file},P{n / 3},{opacity},{device}\n");
            n++;
        }

        string data = Path.Combine(Root, "train.csv");
        File.WriteAllText(data, csv.ToString());
        string model = Path.Combine(Root, "model.zip");
        string metricsPath = Path.Combine(Root, "metrics.json");
        // Under a German locale, where '.' groups thousands: --lr 0.002 must still be 0.002, not 2.
        var train = CliProcess.Run(_log, new[]
        {
            "train", "--data", data, "--label-columns", "Opacity,Device", "--group-column", "PatientId",
            "--grayscale", "--strategy", "feature-extraction", "--epochs", "1", "--batch-size", "8", "--image-size", "40", "--lr", "0.002",
            "--output", model, "--metrics-json", metricsPath, "--report", Path.Combine(Root, "report"),
        }, new Dictionary<string, string> { ["LANG"] = "de_DE.UTF-8", ["LC_ALL"] = "de_DE.UTF-8" });
        Assert.Equal(0, train.ExitCode);
        using var metrics = JsonDocument.Parse(File.ReadAllText(metricsPath));
        var m = metrics.RootElement;
        Assert.Equal(0.002, m.GetProperty("learning_rate").GetDouble());
        Assert.Equal("multi-label", m.GetProperty("task").GetString());
        Assert.Equal(new[] { "Opacity", "Device" }, m.GetProperty("per_class_auc").EnumerateObject().Select(p => p.Name).ToArray());
        // Held out by patient: whole patients (three images each) on each side.
        int validation = m.GetProperty("validation_images").GetInt32();
        Assert.Equal(60, validation + m.GetProperty("train_images").GetInt32());
        Assert.True(validation > 0 && validation % 3 == 0, $"{validation} validation images: patients were split");
        Assert.Contains("validation set", m.GetProperty("evaluated_on").GetString());
        Assert.True(File.Exists(Path.Combine(Root, "report", "roc.png")));

        // evaluate reads the label columns from the model when none are named.
        var evaluate = CliProcess.Run(_log, "evaluate", "--model", model, "--data", data, "--metrics-json", Path.Combine(Root, "evaluate.json"));
        Assert.Equal(0, evaluate.ExitCode);
        using var evaluated = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "evaluate.json")));
        Assert.Equal(60, evaluated.RootElement.GetProperty("evaluated_images").GetInt32());

        // Label columns are matched by name: the model's two labels named in the other order give the same AUC per label,
        // and names the model does not have are refused rather than scored against its outputs.
        var reordered = CliProcess.Run(_log, "evaluate", "--model", model, "--data", data, "--label-columns", "Device,Opacity", "--metrics-json", Path.Combine(Root, "reordered.json"));
        Assert.Equal(0, reordered.ExitCode);
        using (var again = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "reordered.json"))))
        {
            foreach (var label in new[] { "Opacity", "Device" })
            {
                Assert.Equal(evaluated.RootElement.GetProperty("per_class_auc").GetProperty(label).GetDouble(), again.RootElement.GetProperty("per_class_auc").GetProperty(label).GetDouble(), 12);
            }
        }

        var renamed = CliProcess.Run(_log, "evaluate", "--model", model, "--data", data, "--label-columns", "Opacity,Nodule");
        Assert.Equal(1, renamed.ExitCode);
        Assert.Contains("--label-columns", renamed.Error);
        Assert.Contains("Nodule", renamed.Error);

        var predict = CliProcess.Run(_log, "predict", "--model", model, Path.Combine(Root, "images"), "--json");
        Assert.Equal(0, predict.ExitCode);
        using var predictions = JsonDocument.Parse(predict.Output);
        var rows = predictions.RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(60, rows.Count);
        Assert.All(rows, r => Assert.Equal(2, r.GetProperty("scores").EnumerateObject().Count()));
    }

    [Fact]
    public void ThreeClassCsvTrainsAndAWrongLabelInEvaluationIsNamed()
    {
        // Three classes by image: NORMAL, OPACITY, and OPACITY images flipped upside down as a third class.
        var csv = new StringBuilder("file,finding\n");
        int n = 0;
        foreach (var image in SyntheticChestXrays.Generate(45, 48, seed: 12))
        {
            string label = image.Opacity ? (n % 2 == 0 ? "OPACITY" : "EFFUSION") : "NORMAL";
            string file = Path.Combine(Root, "images", image.Name + ".png");
            File.WriteAllBytes(file, SyntheticChestXrays.EncodePng(image));
            csv.Append(CultureInfo.InvariantCulture, $"\"{file}\",{label}\n");
            n++;
        }

        string data = Path.Combine(Root, "labels.csv");
        File.WriteAllText(data, csv.ToString());
        string model = Path.Combine(Root, "model.zip");
        string metricsPath = Path.Combine(Root, "metrics.json");
        var train = CliProcess.Run(_log, "train", "--data", data, "--image-column", "file", "--label-column", "finding",
            "--strategy", "feature-extraction", "--epochs", "1", "--batch-size", "8", "--image-size", "40", "--output", model, "--metrics-json", metricsPath);
        Assert.Equal(0, train.ExitCode);
        using var metrics = JsonDocument.Parse(File.ReadAllText(metricsPath));
        Assert.Equal("multiclass", metrics.RootElement.GetProperty("task").GetString());
        Assert.Equal(new[] { "EFFUSION", "NORMAL", "OPACITY" }, metrics.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetString()).ToArray());

        // evaluate's accuracy is the share of rows whose predict --json label is the CSV's label.
        var evaluate3 = CliProcess.Run(_log, "evaluate", "--model", model, "--data", data, "--image-column", "file", "--label-column", "finding", "--metrics-json", Path.Combine(Root, "evaluate.json"));
        Assert.Equal(0, evaluate3.ExitCode);
        var predict = CliProcess.Run(_log, "predict", "--model", model, Path.Combine(Root, "images"), "--json");
        Assert.Equal(0, predict.ExitCode);
        var truth = File.ReadAllLines(data).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0].Trim('"'), f => f[1]);
        using (var predictions = JsonDocument.Parse(predict.Output))
        using (var evaluated = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "evaluate.json"))))
        {
            var rows = predictions.RootElement.GetProperty("predictions").EnumerateArray().ToList();
            Assert.Equal(45, rows.Count);
            double right = rows.Count(r => r.GetProperty("predicted").GetString() == truth[r.GetProperty("file").GetString()!]);
            Assert.Equal(right / rows.Count, evaluated.RootElement.GetProperty("accuracy").GetDouble(), 12);
        }

        string other = Path.Combine(Root, "other.csv");
        File.WriteAllText(other, csv.ToString().Replace(",EFFUSION\n", ",PNEUMOTHORAX\n", StringComparison.Ordinal));
        var evaluate = CliProcess.Run(_log, "evaluate", "--model", model, "--data", other, "--image-column", "file", "--label-column", "finding");
        Assert.Equal(2, evaluate.ExitCode);
        Assert.Contains("PNEUMOTHORAX", evaluate.Error);
        Assert.Contains("other.csv", evaluate.Error);
    }
}
