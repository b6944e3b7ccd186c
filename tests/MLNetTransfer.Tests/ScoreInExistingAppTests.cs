using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
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
/// must give the in-memory transformer's probabilities (issue 4, item 4).
/// </summary>
[Collection("NoParallelization")]
public sealed class ScoreInExistingAppTests
{
    private const string PathColumn = "XrayFile"; // not ImagePath: the app reads the name from the model's input schema

    private readonly ITestOutputHelper _output;

    public ScoreInExistingAppTests(ITestOutputHelper output) => _output = output;

    private sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        public string PredictedLabel { get; set; } = "";
    }

    [Fact]
    public void ScoreInExistingApp_gives_the_in_memory_probabilities_in_a_process_without_TorchSharp()
    {
        using var train = new SyntheticFolder(80, 64, seed: 11);
        using var test = new SyntheticFolder(16, 64, seed: 12);
        var ml = new MLContext(seed: 1);
        var trainData = Load(ml, train.Rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.LoadImages("Image", train.Root, PathColumn))
            .Append(ml.Transforms.FineTuneResNet(new ResNetFineTuneTrainer.Options
            {
                Strategy = FreezeStrategy.FeatureExtraction,
                Grayscale = true,
                Augmentation = AugmentationOptions.EvalOnly(64, 56),
                Epochs = 3,
                BatchSize = 16,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        using var fitted = pipeline.Fit(trainData);
        string zip = Path.Combine(train.Root, "model.zip");
        ml.Model.Save(fitted, trainData.Schema, zip);

        // In memory, on absolute paths (Path.Combine keeps them as they are).
        var testRows = test.Rows.Select(r => new SyntheticFolder.Row { ImagePath = Path.Combine(test.Root, r.ImagePath), Label = r.Label, Patient = r.Patient }).ToList();
        var expected = ml.Data.CreateEnumerable<Prediction>(fitted.Transform(Load(ml, testRows)), reuseRowObject: false).ToList();

        var run = RunApp(new[] { zip }.Concat(testRows.Select(r => r.ImagePath)).Append("--json"));
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}; stderr: {run.Error}");
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(PathColumn, root.GetProperty("pathColumn").GetString());
        Assert.Equal(new[] { "NORMAL", "OPACITY" }, root.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Empty(root.GetProperty("errors").EnumerateArray());
        var actual = root.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(testRows.Select(r => r.ImagePath), actual.Select(p => p.GetProperty("file").GetString()));

        double maxDifference = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            var score = actual[i].GetProperty("score").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(expected[i].Score.Length, score.Length);
            maxDifference = Math.Max(maxDifference, expected[i].Score.Zip(score, (a, b) => Math.Abs((double)a - b)).Max());
            Assert.Equal(expected[i].PredictedLabel, actual[i].GetProperty("predictedLabel").GetString());
            Assert.Equal(score[1], actual[i].GetProperty("probability").GetSingle());
        }

        _output.WriteLine($"{expected.Count} images; max |in-memory Score - ScoreInExistingApp score| = {maxDifference:E2}");
        Assert.True(maxDifference <= 1e-5, $"max abs difference {maxDifference}");

        // A folder, as a table: every image of the test folder (a relative name per line), exit code 0.
        var table = RunApp(new[] { zip, test.Root });
        Assert.True(table.ExitCode == 0, $"exit code {table.ExitCode}; stderr: {table.Error}");
        Assert.All(test.Rows, r => Assert.Contains(r.ImagePath, table.Output, StringComparison.Ordinal));

        // A file that is not an image: named, non-zero exit, and the readable image is still scored.
        string broken = Path.Combine(test.Root, "broken.png");
        File.WriteAllText(broken, "not a PNG");
        var bad = RunApp(new[] { zip, testRows[0].ImagePath, broken, "--json" });
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains(broken, bad.Error, StringComparison.Ordinal);
        using var partial = JsonDocument.Parse(bad.Output);
        Assert.Single(partial.RootElement.GetProperty("predictions").EnumerateArray());
    }

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

    private static IDataView Load(MLContext ml, IEnumerable<SyntheticFolder.Row> rows)
    {
        var definition = SchemaDefinition.Create(typeof(SyntheticFolder.Row));
        definition[nameof(SyntheticFolder.Row.ImagePath)].ColumnName = PathColumn;
        return ml.Data.LoadFromEnumerable(rows, definition);
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
