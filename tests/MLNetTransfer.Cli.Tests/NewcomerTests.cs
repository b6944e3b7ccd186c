using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Cli.Tests.Data;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests;

/// <summary>
/// What a newcomer does with the tool (issue 5, item 6): train on a small folder-per-class set, evaluate, predict and
/// export, each as a separate run of the built mlnet-transfer, checking the exit codes and the files written. Tiny
/// images (48 px, 40 px crops), few rows and two epochs keep it near a minute on 2 cores.
/// </summary>
[Collection("NoParallelization")]
public sealed class NewcomerTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public NewcomerTests(ITestOutputHelper log)
    {
        _log = log;
        SyntheticChestXrays.WriteDataset(Data, size: 48, train: 48, validation: 16, test: 20);
    }

    private string Data => Path.Combine(Root, "data");

    private string Root => _folder.Root;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TrainEvaluatePredictExportOnAFolderPerClassSet()
    {
        string model = Path.Combine(Root, "model.zip");
        string metricsPath = Path.Combine(Root, "metrics.json");
        string report = Path.Combine(Root, "report");
        var train = CliProcess.Run(_log, "train", "--data", Data, "--grayscale", "--strategy", "last-stages:1", "--epochs", "2",
            "--batch-size", "8", "--image-size", "40", "--output", model, "--metrics-json", metricsPath, "--report", report);
        Assert.Equal(0, train.ExitCode);
        Assert.True(File.Exists(model));

        using var metrics = JsonDocument.Parse(File.ReadAllText(metricsPath));
        var m = metrics.RootElement;
        foreach (var key in new[] { "auc", "accuracy", "per_class_auc", "strategy", "trainable_parameters", "epochs", "train_seconds", "images_per_second" })
        {
            Assert.True(m.TryGetProperty(key, out _), $"metrics.json lacks '{key}'");
        }

        Assert.Equal("last-stages:1", m.GetProperty("strategy").GetString());
        Assert.Equal("binary", m.GetProperty("task").GetString());
        Assert.Equal("OPACITY", m.GetProperty("positive_class").GetString());
        Assert.Equal(20, m.GetProperty("evaluated_images").GetInt32());
        Assert.True(m.GetProperty("trainable_parameters").GetInt64() > 0);
        Assert.Equal(2, m.GetProperty("epochs").GetArrayLength());
        foreach (var epoch in m.GetProperty("epochs").EnumerateArray())
        {
            Assert.True(double.IsFinite(epoch.GetProperty("train_loss").GetDouble()));
            Assert.True(double.IsFinite(epoch.GetProperty("val_loss").GetDouble()));
        }

        Assert.True(m.GetProperty("train_seconds").GetDouble() > 0);
        Assert.True(m.GetProperty("images_per_second").GetDouble() > 0);
        var perClass = m.GetProperty("per_class_auc");
        Assert.Equal(new[] { "NORMAL", "OPACITY" }, perClass.EnumerateObject().Select(p => p.Name).ToArray());
        foreach (var file in new[] { "index.html", "loss.png", "auc.png", "roc.png", "confusion.png" })
        {
            Assert.True(File.Exists(Path.Combine(report, file)), $"the report lacks {file}");
        }

        // predict --json over the test split; the AUC of its probabilities, counted pair by pair here (Mann-Whitney),
        // must be the metrics file's AUC, which ML.NET's binary evaluator computed from the same model.
        var normal = Predict(model, Path.Combine(Data, "test", "NORMAL"));
        var opacity = Predict(model, Path.Combine(Data, "test", "OPACITY"));
        Assert.Equal(Directory.GetFiles(Path.Combine(Data, "test", "NORMAL")).Length, normal.Count);
        double pairs = 0;
        foreach (var p in opacity)
        {
            foreach (var n in normal)
            {
                pairs += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }

        Assert.Equal(pairs / (opacity.Count * normal.Count), m.GetProperty("auc").GetDouble(), 6);

        // evaluate on the same folder takes its test/ split: the same numbers as train's evaluation.
        string evaluatePath = Path.Combine(Root, "evaluate.json");
        var evaluate = CliProcess.Run(_log, "evaluate", "--model", model, "--data", Data, "--metrics-json", evaluatePath, "--report", Path.Combine(Root, "evaluate-report"));
        Assert.Equal(0, evaluate.ExitCode);
        using var evaluated = JsonDocument.Parse(File.ReadAllText(evaluatePath));
        Assert.Equal(m.GetProperty("auc").GetDouble(), evaluated.RootElement.GetProperty("auc").GetDouble(), 12);
        Assert.Equal(m.GetProperty("accuracy").GetDouble(), evaluated.RootElement.GetProperty("accuracy").GetDouble(), 12);
        Assert.False(File.Exists(Path.Combine(Root, "evaluate-report", "loss.png")), "evaluate has no epochs to plot");
        Assert.True(File.Exists(Path.Combine(Root, "evaluate-report", "roc.png")));

        // export: the graph inside model.zip, which ONNX's own checker accepts.
        string onnx = Path.Combine(Root, "model.onnx");
        var export = CliProcess.Run(_log, "export", "--model", model, "--onnx", onnx);
        Assert.Equal(0, export.ExitCode);
        CheckOnnx(onnx);

        // A target that cannot be written (a folder) is refused before the model is read: a one-line argument error
        // naming the option and the path, not a stack trace.
        var unwritable = CliProcess.Run(_log, "export", "--model", model, "--onnx", Root);
        Assert.Equal(1, unwritable.ExitCode);
        Assert.Contains("--onnx", unwritable.Error);
        Assert.Contains(Root, unwritable.Error);
        Assert.DoesNotContain("   at ", unwritable.Error);
    }

    [Fact]
    public void AFileThatIsNotAnImageStopsTrainingBeforeItStarts()
    {
        string bad = Path.Combine(Data, "train", "NORMAL", "zz-not-an-image.png");
        File.WriteAllText(bad, "<html>404</html>");
        var run = CliProcess.Run(_log, "train", "--data", Data, "--epochs", "1", "--image-size", "40", "--output", Path.Combine(Root, "model.zip"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(bad, run.Error);
        // The library's image gate runs before epoch 1: no epoch trained (the settings line before it names the epochs).
        Assert.DoesNotContain("train loss", run.Output);
        Assert.DoesNotContain("Saved", run.Output);
    }

    [Fact]
    public void AOneClassTestSplitGivesAccuracyAndNoAuc()
    {
        // Positives only, to read the sensitivity: ML.NET's binary evaluator would throw; the metrics say n/a instead.
        Directory.Delete(Path.Combine(Data, "test", "NORMAL"), recursive: true);
        string metricsPath = Path.Combine(Root, "metrics.json");
        var run = CliProcess.Run(_log, "train", "--data", Data, "--grayscale", "--strategy", "feature-extraction", "--epochs", "1",
            "--batch-size", "8", "--image-size", "40", "--output", Path.Combine(Root, "model.zip"), "--metrics-json", metricsPath);
        Assert.Equal(0, run.ExitCode);
        using var metrics = JsonDocument.Parse(File.ReadAllText(metricsPath));
        Assert.Equal(JsonValueKind.Null, metrics.RootElement.GetProperty("auc").ValueKind);
        double accuracy = metrics.RootElement.GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0, 1);

        // evaluate takes a one-class folder too.
        var evaluate = CliProcess.Run(_log, "evaluate", "--model", Path.Combine(Root, "model.zip"), "--data", Path.Combine(Data, "test"), "--metrics-json", Path.Combine(Root, "evaluate.json"));
        Assert.Equal(0, evaluate.ExitCode);
        using var evaluated = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "evaluate.json")));
        Assert.Equal(accuracy, evaluated.RootElement.GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public void DemoReplacesTheDataItWroteAndRefusesAFolderItDidNot()
    {
        string output = Path.Combine(Root, "demo");
        Assert.Equal(0, CliProcess.Run(_log, "demo", "--output-dir", output, "--train-images", "30", "--epochs", "1").ExitCode);
        Assert.Equal(0, CliProcess.Run(_log, "demo", "--output-dir", output, "--train-images", "21", "--epochs", "1").ExitCode);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json"))))
        {
            Assert.Equal(21, metrics.RootElement.GetProperty("train_images").GetInt32());
            Assert.Equal(7, metrics.RootElement.GetProperty("test_images").GetInt32());
        }

        string foreign = Path.Combine(Root, "mine");
        Directory.CreateDirectory(Path.Combine(foreign, "data"));
        File.WriteAllText(Path.Combine(foreign, "data", "notes.txt"), "my own files");
        var refused = CliProcess.Run(_log, "demo", "--output-dir", foreign);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--output-dir", refused.Error);
        Assert.True(File.Exists(Path.Combine(foreign, "data", "notes.txt")));
    }

    [Fact]
    public void WrongArgumentsExitNonZeroNamingTheArgument()
    {
        string model = Path.Combine(Root, "no-such-model.zip");
        string missing = Path.Combine(Root, "no-such-folder");
        string notWeights = Path.Combine(Root, "weights.txt");
        File.WriteAllText(notWeights, "not weights");
        var cases = new (string[] Arguments, int? ExitCode, string Named)[]
        {
            (new[] { "train" }, null, "--data"),
            (new[] { "train", "--data", Data, "--epochs", "0" }, 1, "--epochs"),
            (new[] { "train", "--data", Data, "--epochs", "two" }, null, "--epochs"),
            (new[] { "train", "--data", Data, "--epochz", "2" }, null, "--epochz"),
            (new[] { "train", "--data", Data, "--strategy", "last-stages:9" }, 1, "--strategy"),
            (new[] { "train", "--data", Data, "--strategy", "freeze-all" }, 1, "--strategy"),
            (new[] { "train", "--data", Data, "--arch", "resnet19" }, null, "--arch"),
            (new[] { "train", "--data", Data, "--lr", "-1" }, 1, "--lr"),
            (new[] { "train", "--data", Data, "--batch-size", "1" }, 1, "--batch-size"),
            (new[] { "train", "--data", Data, "--weights", Path.Combine(Root, "none.pth") }, 1, "--weights"),
            (new[] { "train", "--data", Data, "--resume" }, 1, "--checkpoint-dir"),
            (new[] { "train", "--data", missing }, 2, missing),
            (new[] { "evaluate", "--model", model, "--data", Data }, 3, "--model"),
            (new[] { "predict", "--model", model, Data }, 3, "--model"),
            (new[] { "predict", "--model", model, missing }, 2, missing),
            (new[] { "export", "--model", model }, null, "--onnx"),
            (new[] { "demo", "--epochs", "0" }, 1, "--epochs"),
            (new[] { "train", "--data", Data, "--positive-class", "PNEUMONIA" }, 1, "--positive-class"),
            (new[] { "train", "--data", Data, "--weights", notWeights }, 1, "--weights"),
        };
        foreach (var (arguments, exitCode, named) in cases)
        {
            var run = CliProcess.Run(_log, arguments);
            Assert.True(run.ExitCode != 0, $"{string.Join(" ", arguments)} exited with 0");
            if (exitCode is { } code)
            {
                Assert.True(code == run.ExitCode, $"{string.Join(" ", arguments)}: exit code {run.ExitCode}, expected {code}");
            }

            Assert.True(run.Error.Contains(named, StringComparison.Ordinal), $"{string.Join(" ", arguments)}: stderr does not name {named}: {run.Error}");
        }
    }

    private List<double> Predict(string model, string folder)
    {
        var run = CliProcess.Run(_log, "predict", "--model", model, folder, "--json");
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var predictions = json.RootElement.GetProperty("predictions").EnumerateArray().ToList();
        foreach (var p in predictions)
        {
            var scores = p.GetProperty("scores");
            Assert.Equal(1.0, scores.GetProperty("NORMAL").GetDouble() + scores.GetProperty("OPACITY").GetDouble(), 5);
        }

        return predictions.Select(p => p.GetProperty("scores").GetProperty("OPACITY").GetDouble()).ToList();
    }

    // ONNX's checker (Debian's python3-onnx, installed by scripts/setup.sh), with the full check (shape inference).
    private void CheckOnnx(string path)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("MLNETTRANSFER_PYTHON") ?? "/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok')");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _log.WriteLine($"onnx.checker: {output.Trim()} {error.Trim()}");
        Assert.True(process.ExitCode == 0, $"onnx.checker rejected {path}: {error}");
    }
}

/// <summary>Tests that train run one at a time: libtorch's threads are process-wide, and the machine has 2 cores.</summary>
[CollectionDefinition("NoParallelization", DisableParallelization = true)]
public sealed class NoParallelizationCollection
{
}
