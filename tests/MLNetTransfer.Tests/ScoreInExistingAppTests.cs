using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests;

/// <summary>
/// samples/ScoreInExistingApp, built from this project (a ProjectReference that is not referenced), run as a separate
/// process on a model.zip trained here: it references only ML.NET, ImageAnalytics, OnnxTransformer and ONNX Runtime, and
/// must give the in-memory transformer's scores from image paths alone, both for the model of a String label (README's
/// pipeline) and for one whose label was mapped to a key before the estimator and left out of the saved chain, as
/// `mlnet-transfer train` saves it (issue 4, item 4; issue 15, item 6).
/// </summary>
[Collection("NoParallelization")]
public sealed class ScoreInExistingAppTests
{
    private readonly ITestOutputHelper _output;

    public ScoreInExistingAppTests(ITestOutputHelper output) => _output = output;

    private sealed class Prediction
    {
        public string ImagePath { get; set; } = "";

        public float[] Score { get; set; } = Array.Empty<float>();

        public string PredictedLabel { get; set; } = "";

        public float Probability { get; set; }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScoreInExistingApp_gives_the_in_memory_scores_in_a_process_without_TorchSharp(bool labelKeyedBeforeTheEstimator)
    {
        using var train = new SyntheticFolder(48, 64, seed: 11);
        using var test = new SyntheticFolder(12, 64, seed: 12);
        var ml = new MLContext(seed: 1);
        var trainData = ml.Data.LoadFromEnumerable(Absolute(train));
        var fineTune = ml.Transforms.FineTuneResNet(new ResNetFineTuneTrainer.Options
        {
            ImageColumnName = "ImagePath",
            Strategy = FreezeStrategy.FeatureExtraction,
            Grayscale = true,
            Augmentation = AugmentationOptions.EvalOnly(64, 56),
            Epochs = 1,
            BatchSize = 16,
        });
        var pipeline = fineTune.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var fitOn = labelKeyedBeforeTheEstimator
            ? ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Fit(trainData).Transform(trainData)
            : trainData;
        using var fitted = pipeline.Fit(fitOn);
        string zip = Path.Combine(train.Root, "model.zip");
        ml.Model.Save(fitted, trainData.Schema, zip);

        // In memory, the test images in the app's order (ordinal by absolute path).
        var testRows = Absolute(test).OrderBy(r => r.ImagePath, StringComparer.Ordinal).ToList();
        var expected = ml.Data.CreateEnumerable<Prediction>(fitted.Transform(ml.Data.LoadFromEnumerable(testRows)), reuseRowObject: false).ToList();

        var run = RunApp(new[] { zip, test.Root });
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}; stderr: {run.Error}");
        Assert.Contains("PredictionEngine: ", run.Error, StringComparison.Ordinal);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.Equal(expected.Select(e => e.ImagePath), lines.Select(l => l[0]));
        double maxDifference = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].PredictedLabel, lines[i][1]);
            maxDifference = Math.Max(maxDifference, Math.Abs((double)expected[i].Probability - float.Parse(lines[i][2], CultureInfo.InvariantCulture)));
            var score = lines[i][3].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(expected[i].Score.Length, score.Length);
            maxDifference = Math.Max(maxDifference, expected[i].Score.Zip(score, (a, b) => Math.Abs((double)a - b)).Max());
        }

        _output.WriteLine($"{expected.Count} images; max |in-memory Score - ScoreInExistingApp score| = {maxDifference:E2}");
        Assert.True(maxDifference <= 1e-6, $"max abs difference {maxDifference}");
    }

    private static List<SyntheticFolder.Row> Absolute(SyntheticFolder folder) =>
        folder.Rows.Select(r => new SyntheticFolder.Row { ImagePath = Path.Combine(folder.Root, r.ImagePath), Label = r.Label, Patient = r.Patient }).ToList();

    [Fact]
    public void ScoreInExistingApp_output_folder_holds_no_TorchSharp_libtorch_or_MLNetTransfer()
    {
        string folder = Path.GetDirectoryName(AppDll())!;
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Contains("Microsoft.ML.OnnxTransformer.dll", files);
        Assert.DoesNotContain(files, f => f!.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f!.Contains("LibTorchSharp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f!.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f!.StartsWith("MLNetTransfer", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ScoreInExistingApp_with_a_missing_model_exits_non_zero_and_names_the_file()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.zip");
        var run = RunApp(new[] { missing, Path.GetTempPath() });
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(missing, run.Error, StringComparison.Ordinal);
    }

    private sealed record Run(int ExitCode, string Output, string Error);

    private Run RunApp(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AppDll());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("ScoreInExistingApp did not finish in 3 minutes.");
        }

        var run = new Run(process.ExitCode, output.Result, error.Result);
        _output.WriteLine($"ScoreInExistingApp exit code {run.ExitCode}; stderr: {run.Error.Trim()}");
        return run;
    }

    private static string AppDll() => BuiltApp.Dll("samples/ScoreInExistingApp", "ScoreInExistingApp.dll");
}
