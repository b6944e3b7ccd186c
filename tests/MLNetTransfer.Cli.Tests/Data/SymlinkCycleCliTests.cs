using System;
using System.IO;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Data;

/// <summary>
/// A symbolic link cycle in a class folder (<c>train/A/loop -&gt; ..</c>) once made class A hold every B image too and
/// the run exit 0; the built tool now stops with exit code 2 (data) naming the link, before any training. Symbolic links
/// need no privilege on Linux and macOS only, so on Windows the test returns at once.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class SymlinkCycleCliTests
{
    private readonly ITestOutputHelper _log;

    public SymlinkCycleCliTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public void ALinkCycleInAClassFolderIsADataErrorNamingTheLink()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        for (int i = 0; i < 4; i++)
        {
            dir.Png($"d/train/A/a{i}.png", seed: i);
            dir.Png($"d/train/B/b{i}.png", seed: 10 + i);
        }

        string link = dir.PathOf("d/train/A/loop");
        Directory.CreateSymbolicLink(link, "..");

        var run = CliProcess.Run(_log, "train", "--data", dir.PathOf("d"), "--epochs", "1", "--image-size", "32", "--output", dir.PathOf("model.zip"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(link, run.Error);
        Assert.Contains("cycle", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.False(File.Exists(dir.PathOf("model.zip")));
    }
}
