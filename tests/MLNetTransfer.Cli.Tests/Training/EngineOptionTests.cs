using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Cli.Commands;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Training;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Training;

/// <summary>
/// train's engine options (--batchnorm … --device): each is parsed, reaches the estimator's public options through the
/// same path train takes, is in --help, and a bad value exits 1 naming the option; a tiny run shows the augmentation
/// preset reaching the engine.
/// </summary>
[Collection("NoParallelization")]
public sealed class EngineOptionTests : System.IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public EngineOptionTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _folder.Dispose();

    private static EngineSettings Parse(params string[] args)
    {
        var engine = new EngineArguments();
        var command = new Command("train");
        engine.AddTo(command);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return engine.Read(parse, epochs: 4);
    }

    private static ResNetFineTuneTrainer.Options Options(EngineSettings engine) => TrainingRun.FineTuneOptions(
        new TrainSettings { Data = new DataSourceOptions { DataPath = "data" }, Epochs = 4, ImageSize = 56, Engine = engine }, CancellationToken.None);

    [Fact]
    public void The_defaults_are_the_estimators_and_todays_light_augmentation()
    {
        var options = Options(Parse());
        var defaults = new ResNetFineTuneTrainer.Options();
        Assert.Equal(defaults.BatchNormMode, options.BatchNormMode);
        Assert.Equal(defaults.HeadOnlyEpochs, options.HeadOnlyEpochs);
        Assert.Equal(defaults.GradualUnfreezing, options.GradualUnfreezing);
        Assert.Equal(defaults.ClassWeighting, options.ClassWeighting);
        Assert.Null(options.ClassWeights);
        Assert.Null(options.PositiveWeights);
        Assert.Equal(defaults.Uncertainty, options.Uncertainty);
        Assert.Null(options.GpuDeviceId);
        Assert.Equal(1, options.WarmupEpochs);
        var light = new AugmentationOptions { ResizeTo = 64, CropSize = 56 };
        Assert.Equal(light.ToString(), options.Augmentation.ToString());
    }

    [Fact]
    public void Every_option_reaches_the_estimators_options()
    {
        var options = Options(Parse(
            "--batchnorm", "train-affine", "--head-only-epochs", "2", "--gradual-unfreezing", "--class-weighting", "balanced",
            "--class-weights", "1,2.5", "--positive-weights", "3,0.5,1", "--uncertainty", "ones", "--warmup-epochs", "0.5", "--device", "cuda:1"));
        Assert.Equal(BatchNormMode.TrainAffineOnly, options.BatchNormMode);
        Assert.Equal(2, options.HeadOnlyEpochs);
        Assert.True(options.GradualUnfreezing);
        Assert.Equal(ClassWeighting.Balanced, options.ClassWeighting);
        Assert.Equal(new[] { 1f, 2.5f }, options.ClassWeights);
        Assert.Equal(new[] { 3f, 0.5f, 1f }, options.PositiveWeights);
        Assert.Equal(UncertaintyPolicy.Ones, options.Uncertainty);
        Assert.Equal(0.5, options.WarmupEpochs);
        Assert.Equal(1, options.GpuDeviceId);
        Assert.Equal(UncertaintyPolicy.Zeros, Options(Parse("--uncertainty", "zeros")).Uncertainty);
        Assert.Equal(BatchNormMode.Train, Options(Parse("--batchnorm", "train")).BatchNormMode);
        Assert.Equal(0, Options(Parse("--device", "cuda")).GpuDeviceId);
        Assert.Null(Options(Parse("--device", "cpu")).GpuDeviceId);
    }

    [Fact]
    public void The_augmentation_presets_none_and_custom_reach_the_options_with_the_image_size()
    {
        var none = Options(Parse("--augmentation", "none")).Augmentation;
        Assert.False(none.IsRandom);
        Assert.Equal((64, 56), (none.ResizeTo, none.CropSize));

        var custom = Options(Parse("--augmentation", "custom", "--hflip", "0", "--rotation", "5", "--brightness", "0.05", "--contrast", "0", "--no-random-crop")).Augmentation;
        Assert.Equal((0.0, 5.0, 0.05, 0.0, false), (custom.HorizontalFlipProbability, custom.MaxRotationDegrees, custom.Brightness, custom.Contrast, custom.RandomCrop));
        Assert.Equal((64, 56), (custom.ResizeTo, custom.CropSize));

        var strong = Options(Parse("--augmentation", "custom", "--vflip", "0.5", "--rotation", "30", "--allow-strong-augmentation")).Augmentation;
        Assert.Equal((0.5, 30.0, true), (strong.VerticalFlipProbability, strong.MaxRotationDegrees, strong.AllowStrongAugmentation));
    }

    [Theory]
    [InlineData("--batchnorm", "sometimes", "--batchnorm")]
    [InlineData("--head-only-epochs", "9", "--head-only-epochs")]
    [InlineData("--class-weighting", "inverse", "--class-weighting")]
    [InlineData("--class-weights", "1,-2", "--class-weights")]
    [InlineData("--positive-weights", "x", "--positive-weights")]
    [InlineData("--uncertainty", "maybe", "--uncertainty")]
    [InlineData("--augmentation", "heavy", "--augmentation")]
    [InlineData("--warmup-epochs", "-1", "--warmup-epochs")]
    [InlineData("--device", "gpu", "--device")]
    [InlineData("--device", "cuda:x", "--device")]
    public void A_bad_value_is_a_usage_error_naming_the_option(string option, string value, string named)
    {
        var e = Assert.Throws<CliException>(() => Parse(option, value));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.StartsWith(named, e.Message);
    }

    [Fact]
    public void Custom_flags_are_refused_outside_custom_and_past_the_guardrails_name_their_flag()
    {
        var outside = Assert.Throws<CliException>(() => Parse("--rotation", "5"));
        Assert.Contains("--augmentation custom", outside.Message);
        Assert.Contains("--rotation", outside.Message);

        var rotation = Assert.Throws<CliException>(() => Parse("--augmentation", "custom", "--rotation", "30"));
        Assert.StartsWith("--rotation:", rotation.Message);
        Assert.Contains("--allow-strong-augmentation", rotation.Message);
        Assert.StartsWith("--vflip:", Assert.Throws<CliException>(() => Parse("--augmentation", "custom", "--vflip", "0.2")).Message);
        Assert.StartsWith("--brightness:", Assert.Throws<CliException>(() => Parse("--augmentation", "custom", "--brightness", "0.5")).Message);
        Assert.StartsWith("--contrast:", Assert.Throws<CliException>(() => Parse("--augmentation", "custom", "--contrast", "2", "--allow-strong-augmentation")).Message);
        Assert.StartsWith("--hflip:", Assert.Throws<CliException>(() => Parse("--augmentation", "custom", "--hflip", "1.5")).Message);
    }

    [Fact]
    public void Every_option_is_in_train_help()
    {
        var run = CliProcess.Run(_log, "train", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--batchnorm", "--head-only-epochs", "--gradual-unfreezing", "--class-weighting", "--class-weights", "--positive-weights",
            "--uncertainty", "--augmentation", "--hflip", "--vflip", "--rotation", "--brightness", "--contrast", "--no-random-crop", "--allow-strong-augmentation",
            "--warmup-epochs", "--device", "--threshold-method" })
        {
            Assert.Contains(option, run.Output);
        }

        Assert.Contains("U-Ones", run.Output);
    }

    [Fact]
    public void A_bad_value_exits_1_naming_the_option()
    {
        var run = CliProcess.Run(_log, "train", "--data", _folder.Root, "--augmentation", "heavy");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--augmentation", run.Error);
    }

    [Fact]
    public void A_tiny_run_takes_the_options_to_the_engine_and_records_them()
    {
        string data = Path.Combine(_folder.Root, "data");
        SyntheticChestXrays.WriteDataset(data, size: 40, train: 24, validation: 8, test: 8);
        string metrics = Path.Combine(_folder.Root, "metrics.json");
        var run = CliProcess.Run(_log, "train", "--data", data, "--grayscale", "--strategy", "feature-extraction", "--epochs", "2", "--batch-size", "8", "--image-size", "32",
            "--augmentation", "none", "--class-weighting", "balanced", "--head-only-epochs", "1", "--warmup-epochs", "0", "--batchnorm", "frozen", "--device", "cpu",
            "--output", Path.Combine(_folder.Root, "model.zip"), "--metrics-json", metrics);

        Assert.Equal(0, run.ExitCode);
        // No random augmentation: the engine's feature cache holds one view of each image, not --cache-views' 4.
        Assert.Contains("Feature cache: 1 view(s)", run.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(metrics));
        var root = json.RootElement;
        Assert.Equal("Frozen", root.GetProperty("batchnorm").GetString());
        Assert.Equal("Balanced", root.GetProperty("class_weighting").GetString());
        Assert.Equal(1, root.GetProperty("head_only_epochs").GetInt32());
        Assert.Equal(0, root.GetProperty("warmup_epochs_requested").GetDouble());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.StartsWith("none: resize 36, center crop 32", root.GetProperty("augmentation").GetString());
        Assert.Equal(2, root.GetProperty("epochs").GetArrayLength());
    }
}
