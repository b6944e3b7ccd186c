using System.IO;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Output;

/// <summary>
/// Folders the command line would write into or read from that are not what the user meant: <c>train --resume</c> with
/// a checkpoint folder that holds no checkpoint once started afresh (and overwrote the folder), and <c>demo</c> replaced
/// model.zip, metrics.json and report/ in any folder it was given. Both are refused with exit 1 before any work.
/// </summary>
[Collection("NoParallelization")]
public sealed class ForeignFolderTests : System.IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public ForeignFolderTests(ITestOutputHelper log)
    {
        _log = log;
        SyntheticChestXrays.WriteSplit(Path.Combine(_folder.Root, "data"), SyntheticChestXrays.Generate(16, 64, seed: 5));
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Resume_with_an_empty_or_missing_checkpoint_folder_is_refused_naming_both_options_and_the_folder(bool folderExists)
    {
        string checkpoints = Path.Combine(_folder.Root, "checkpoints");
        if (folderExists)
        {
            Directory.CreateDirectory(checkpoints);
        }

        var run = CliProcess.Run(_log,
            "train", "--data", Path.Combine(_folder.Root, "data"), "--grayscale", "--epochs", "1", "--batch-size", "8", "--image-size", "32",
            "--checkpoint-dir", checkpoints, "--resume", "--output", Path.Combine(_folder.Root, "model.zip"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--resume", run.Error);
        Assert.Contains("--checkpoint-dir", run.Error);
        Assert.Contains(checkpoints, run.Error);
        Assert.Contains("no checkpoint", run.Error);
        Assert.Contains("drop --resume", run.Error);
        Assert.DoesNotContain("poch", run.Output);
        Assert.False(File.Exists(Path.Combine(_folder.Root, "model.zip")));
        Assert.Equal(folderExists, Directory.Exists(checkpoints));
    }

    [Fact]
    public void Demo_refuses_a_users_folder_holding_files_it_would_replace_and_leaves_them_as_they_were()
    {
        string mine = Path.Combine(_folder.Root, "mine");
        Directory.CreateDirectory(Path.Combine(mine, "report"));
        File.WriteAllText(Path.Combine(mine, "model.zip"), "my model");
        File.WriteAllText(Path.Combine(mine, "metrics.json"), "{\"mine\": true}");
        File.WriteAllText(Path.Combine(mine, "report", "index.html"), "<p>my report</p>");

        var run = CliProcess.Run(_log, "demo", "--output-dir", mine, "--train-images", "20", "--epochs", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--output-dir", run.Error);
        Assert.Contains(mine, run.Error);
        Assert.Contains("model.zip, metrics.json, report", run.Error);
        Assert.Equal("my model", File.ReadAllText(Path.Combine(mine, "model.zip")));
        Assert.Equal("{\"mine\": true}", File.ReadAllText(Path.Combine(mine, "metrics.json")));
        Assert.Equal("<p>my report</p>", File.ReadAllText(Path.Combine(mine, "report", "index.html")));
        Assert.False(Directory.Exists(Path.Combine(mine, "data")), "nothing is written into a refused folder");
        Assert.False(File.Exists(Path.Combine(mine, ".mlnet-transfer-demo")));
    }
}
