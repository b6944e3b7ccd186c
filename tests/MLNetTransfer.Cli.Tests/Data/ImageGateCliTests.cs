using System;
using System.IO;
using System.Linq;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Data;

/// <summary>
/// A PNG cut in half, wherever it lies, is refused by name with exit 2 before anything is trained or counted: in the
/// training data (it used to fail at its first decoding, mid-run, with exit 4), in the test split and in evaluate (it
/// used to be scored as a half-grey image and counted in the accuracy), and predict names it and scores the others.
/// </summary>
[Collection("NoParallelization")]
[Trait("Category", "Reliability")]
public sealed class ImageGateCliTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public ImageGateCliTests(ITestOutputHelper log)
    {
        _log = log;
        SyntheticChestXrays.WriteDataset(Data, size: 48, train: 32, validation: 16, test: 12);
    }

    private string Data => Path.Combine(_folder.Root, "data");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_truncated_training_image_stops_the_run_before_epoch_1_with_exit_2()
    {
        string cut = Truncate("train");
        var run = CliProcess.Run(_log, "train", "--data", Data, "--epochs", "1", "--image-size", "40", "--output", Path.Combine(_folder.Root, "model.zip"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(cut, run.Error);
        Assert.Contains("truncated", run.Error);
        Assert.DoesNotContain("train loss", run.Output);
    }

    [Fact]
    public void A_truncated_test_image_is_refused_by_train_evaluate_and_named_by_predict()
    {
        string cut = Truncate("test");
        string model = Path.Combine(_folder.Root, "model.zip");
        var train = CliProcess.Run(_log, "train", "--data", Data, "--epochs", "1", "--image-size", "40", "--output", model);
        Assert.Equal(2, train.ExitCode);
        Assert.Contains(cut, train.Error);
        Assert.False(File.Exists(model), "the test split is checked before training");

        // A model trained without the test split, then evaluate and predict on the folder with the cut file.
        var trained = CliProcess.Run(_log, "train", "--data", Path.Combine(Data, "train"), "--validation", Path.Combine(Data, "val"),
            "--strategy", "feature-extraction", "--epochs", "1", "--image-size", "40", "--output", model);
        Assert.Equal(0, trained.ExitCode);
        var evaluate = CliProcess.Run(_log, "evaluate", "--model", model, "--data", Path.Combine(Data, "test"));
        Assert.Equal(2, evaluate.ExitCode);
        Assert.Contains(cut, evaluate.Error);

        var predict = CliProcess.Run(_log, "predict", "--model", model, Path.Combine(Data, "test"), "--json");
        Assert.Contains(cut, predict.Error);
        Assert.Contains("truncated", predict.Error);
        Assert.Equal(11, System.Text.Json.JsonDocument.Parse(predict.Output).RootElement.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public void The_pixel_budget_and_upscaling_are_the_users_to_set()
    {
        // 48 px images: 2,304 pixels each, over a budget of 1,000, and below a 64 px crop.
        var budget = CliProcess.Run(_log, "train", "--data", Data, "--epochs", "1", "--image-size", "40", "--max-image-pixels", "1000",
            "--output", Path.Combine(_folder.Root, "model.zip"));
        Assert.Equal(2, budget.ExitCode);
        Assert.Contains("over the limit of 1,000", budget.Error);
        var small = CliProcess.Run(_log, "train", "--data", Data, "--epochs", "1", "--image-size", "64", "--output", Path.Combine(_folder.Root, "model.zip"));
        Assert.Equal(2, small.ExitCode);
        Assert.Contains("smaller than the 64 px crop", small.Error);
        Assert.Equal(1, CliProcess.Run(_log, "train", "--data", Data, "--max-image-pixels", "0").ExitCode);
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
