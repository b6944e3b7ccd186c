using System.Collections.Generic;
using System.IO;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Training;

/// <summary>
/// resnet34-152 without --weights: a pretrained strategy names the missing torch.hub file and the options that supply it
/// (--weights, --allow-download); --strategy scratch needs no file at all.
/// </summary>
[Collection("NoParallelization")]
public sealed class TorchvisionWeightsOptionTests : System.IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();
    private readonly Dictionary<string, string> _emptyTorchHub;

    public TorchvisionWeightsOptionTests(ITestOutputHelper log)
    {
        _log = log;
        SyntheticChestXrays.WriteDataset(Path.Combine(_folder.Root, "data"), size: 40, train: 24, validation: 8, test: 8);
        // An empty torch.hub cache, so that nothing on this machine supplies torchvision's file.
        _emptyTorchHub = new Dictionary<string, string> { ["TORCH_HOME"] = _folder.Folder("torch-home") };
    }

    public void Dispose() => _folder.Dispose();

    private string[] Train(string strategy) => new[]
    {
        "train", "--data", Path.Combine(_folder.Root, "data"), "--arch", "resnet34", "--strategy", strategy, "--epochs", "1",
        "--batch-size", "8", "--image-size", "32", "--output", Path.Combine(_folder.Root, strategy + ".zip"),
    };

    [Fact]
    public void A_pretrained_strategy_names_the_missing_file_and_the_options_that_supply_it()
    {
        var run = CliProcess.Run(_log, Train("last-stages:1"), _emptyTorchHub);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("--arch resnet34", run.Error);
        Assert.Contains("resnet34-", run.Error);
        Assert.Contains("--allow-download", run.Error);
        Assert.Contains("--weights FILE", run.Error);
    }

    [Fact]
    public void Scratch_trains_without_a_weights_file()
    {
        var run = CliProcess.Run(_log, Train("scratch"), _emptyTorchHub);

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(_folder.Root, "scratch.zip")));
        Assert.Contains("none: torchvision's layout, initialised at random", run.Output);
    }

    [Fact]
    public void Allow_download_is_documented_in_help()
    {
        var help = CliProcess.Run(_log, "train", "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--allow-download", help.Output);
    }
}
