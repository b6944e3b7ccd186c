using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Scoring;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Scoring;

/// <summary>
/// <c>predict --output</c>: batched ONNX Runtime scores streamed to CSV or JSON lines equal the saved ML.NET chain's
/// scores of the same images (ML.NET's <c>Transform</c> of the model.zip, row by row); an unreadable image is a row
/// with its error and exit 2; a bad extension exits 1 naming --output.
/// </summary>
[Collection("NoParallelization")]
public sealed class BatchedPredictTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();
    private readonly string _data;
    private readonly string _model;

    public BatchedPredictTests(ITestOutputHelper log)
    {
        _log = log;
        _data = Path.Combine(_folder.Root, "data");
        SyntheticChestXrays.WriteDataset(_data, size: 40, train: 24, validation: 8, test: 11);
        _model = Path.Combine(_folder.Root, "model.zip");
        var train = CliProcess.Run(_log, "train", "--data", _data, "--grayscale", "--strategy", "feature-extraction", "--epochs", "1",
            "--batch-size", "8", "--image-size", "32", "--output", _model);
        Assert.Equal(0, train.ExitCode);
    }

    public void Dispose() => _folder.Dispose();

    private string TestFolder => Path.Combine(_data, "test");

    [Fact]
    public void Csv_scores_in_batches_equal_the_ML_NET_chains_scores()
    {
        string csv = Path.Combine(_folder.Root, "out", "predictions.csv");
        // 11 images in batches of 4: two full batches and a partial one.
        var run = CliProcess.Run(_log, "predict", "--model", _model, TestFolder, "--output", csv, "--batch-size", "4");
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("predicting", run.Error); // no bar when stderr is not a terminal

        var lines = File.ReadAllLines(csv);
        var (chain, classes) = ChainScores();
        Assert.Equal(new[] { "file", "predicted", "probability" }.Concat(classes.Select(c => $"p({c})")).Append("error"), lines[0].Split(','));
        Assert.Equal(chain.Files.Count, lines.Length - 1);
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            int i = chain.Files.ToList().IndexOf(cells[0]);
            Assert.True(i >= 0, $"{cells[0]} is not one of the chain's rows");
            var scores = cells.Skip(3).Take(classes.Count).Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            for (int j = 0; j < classes.Count; j++)
            {
                // The same graph on the same pixels; a batch of 4 may sum in another order than a batch of 1.
                Assert.Equal(chain.Scores[i][j], scores[j], 1e-5f);
            }

            Assert.Equal(classes[chain.Predicted![i]], cells[1]);
            Assert.Equal("", cells[^1]);
        }
    }

    [Fact]
    public void Json_lines_hold_one_object_per_image_and_an_unreadable_image_is_a_row_with_its_error()
    {
        string images = Path.Combine(_folder.Root, "mixed");
        Directory.CreateDirectory(images);
        foreach (var file in Directory.GetFiles(TestFolder, "*.png", SearchOption.AllDirectories).Take(5))
        {
            File.Copy(file, Path.Combine(images, Path.GetFileName(file)));
        }

        string broken = Path.Combine(images, "broken.png");
        File.WriteAllText(broken, "not an image");
        string jsonl = Path.Combine(_folder.Root, "predictions.jsonl");
        var run = CliProcess.Run(_log, "predict", "--model", _model, images, "--output", jsonl, "--batch-size", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(broken, run.Error);
        var objects = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, objects.Count);
        var error = Assert.Single(objects, o => o.TryGetProperty("error", out _));
        Assert.Equal(broken, error.GetProperty("file").GetString());
        Assert.All(objects.Where(o => !o.TryGetProperty("error", out _)), o => Assert.Equal(2, o.GetProperty("scores").EnumerateObject().Count()));
    }

    [Fact]
    public void An_output_that_is_not_csv_or_jsonl_exits_1_naming_the_option()
    {
        var run = CliProcess.Run(_log, "predict", "--model", _model, TestFolder, "--output", Path.Combine(_folder.Root, "x.txt"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--output", run.Error);
        Assert.False(File.Exists(Path.Combine(_folder.Root, "x.txt")));
    }

    private (ScoredSet Rows, System.Collections.Generic.IReadOnlyList<string> Classes) ChainScores()
    {
        var ml = new MLContext(seed: 1);
        using var model = ModelFile.Load(ml, _model);
        var files = ml.Data.LoadFromImagePaths(new[] { TestFolder }).GetColumn<string>("ImagePath").ToList();
        var rows = ModelScorer.Score(ml, model, files.Select(f => new ImageRecord(f, null, null, null, f)).ToList());
        return (rows, model.ClassNames);
    }
}
