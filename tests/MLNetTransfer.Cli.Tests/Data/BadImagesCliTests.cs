using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Data;

/// <summary>
/// <c>--bad-images skip</c>: a PNG cut in half in the training, validation or test split no longer stops train; it is
/// left out, listed in metrics.json's skipped_images with its split and in the report, and counted in no metric. evaluate
/// does the same for the images it scores; predict does what it always did under both values.
/// </summary>
[Collection("NoParallelization")]
[Trait("Category", "Reliability")]
public sealed class BadImagesCliTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public BadImagesCliTests(ITestOutputHelper log)
    {
        _log = log;
        SyntheticChestXrays.WriteDataset(Data, size: 48, train: 32, validation: 16, test: 12);
    }

    private string Data => Path.Combine(_folder.Root, "data");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Skip_trains_without_the_truncated_images_and_lists_each_with_its_split()
    {
        string cutTrain = Truncate("train"), cutValidation = Truncate("val"), cutTest = Truncate("test");
        string model = Path.Combine(_folder.Root, "model.zip"), json = Path.Combine(_folder.Root, "metrics.json"), report = Path.Combine(_folder.Root, "report");
        var train = CliProcess.Run(_log, "train", "--data", Data, "--strategy", "feature-extraction", "--epochs", "1", "--image-size", "40",
            "--bad-images", "skip", "--output", model, "--metrics-json", json, "--report", report);
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("3 image(s) left out (train 1, validation 1, test 1)", train.Output);

        using var metrics = JsonDocument.Parse(File.ReadAllText(json));
        var skipped = metrics.RootElement.GetProperty("skipped_images").EnumerateArray()
            .Select(s => (Path: s.GetProperty("path").GetString()!, Split: s.GetProperty("split").GetString()!, Reason: s.GetProperty("reason").GetString()!)).ToList();
        Assert.Equal(new[] { (cutTest, "test"), (cutTrain, "train"), (cutValidation, "validation") }, skipped.Select(s => (s.Path, s.Split)).OrderBy(s => s.Split).ToArray());
        Assert.All(skipped, s => Assert.Contains("truncated", s.Reason));
        // The test split's 12 images less the cut one.
        Assert.Equal(11, metrics.RootElement.GetProperty("evaluated_images").GetInt32());

        string page = File.ReadAllText(Path.Combine(report, "index.html"));
        Assert.Contains("<h2>Skipped images</h2>", page);
        Assert.Contains(WebUtility.HtmlEncode(cutTest), page);

        // evaluate on the same data: fail (the default) refuses the cut test image; skip scores the other 11.
        Assert.Equal(2, CliProcess.Run(_log, "evaluate", "--model", model, "--data", Data).ExitCode);
        string evaluateJson = Path.Combine(_folder.Root, "evaluate.json");
        var evaluate = CliProcess.Run(_log, "evaluate", "--model", model, "--data", Data, "--bad-images", "skip", "--metrics-json", evaluateJson);
        Assert.Equal(0, evaluate.ExitCode);
        using var evaluated = JsonDocument.Parse(File.ReadAllText(evaluateJson));
        Assert.Equal(11, evaluated.RootElement.GetProperty("evaluated_images").GetInt32());
        var evaluateSkipped = evaluated.RootElement.GetProperty("skipped_images").EnumerateArray().Single();
        Assert.Equal(cutTest, evaluateSkipped.GetProperty("path").GetString());
        Assert.Equal("test", evaluateSkipped.GetProperty("split").GetString());

        // predict names the cut file and scores the others, exit 2, under both values.
        foreach (string policy in new[] { "fail", "skip" })
        {
            var predict = CliProcess.Run(_log, "predict", "--model", model, Path.Combine(Data, "test"), "--json", "--bad-images", policy);
            Assert.Equal(2, predict.ExitCode);
            Assert.Contains(cutTest, predict.Error);
            Assert.Equal(11, JsonDocument.Parse(predict.Output).RootElement.GetProperty("predictions").GetArrayLength());
        }
    }

    [Fact]
    public void Skip_with_nothing_to_skip_writes_an_empty_list_and_a_bad_value_is_a_usage_error()
    {
        string json = Path.Combine(_folder.Root, "metrics.json");
        var train = CliProcess.Run(_log, "train", "--data", Path.Combine(Data, "train"), "--validation", Path.Combine(Data, "val"), "--strategy", "feature-extraction",
            "--epochs", "1", "--image-size", "40", "--bad-images", "skip", "--output", Path.Combine(_folder.Root, "model.zip"), "--metrics-json", json);
        Assert.Equal(0, train.ExitCode);
        using var metrics = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0, metrics.RootElement.GetProperty("skipped_images").GetArrayLength());

        var wrong = CliProcess.Run(_log, "train", "--data", Data, "--bad-images", "ignore");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("--bad-images: 'ignore' is not one of fail, skip.", wrong.Error);
    }

    // Cuts the first PNG of a split's first class in half and returns its path.
    private string Truncate(string split)
    {
        string file = Directory.EnumerateFiles(Path.Combine(Data, split), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        return file;
    }
}
