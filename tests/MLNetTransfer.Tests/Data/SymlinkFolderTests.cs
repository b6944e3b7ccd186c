using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// Symbolic links inside class folders: a cycle (<c>train/A/loop -&gt; ..</c>) once read every B image again as class A,
/// and a link into another class's folder labels those images as this class; both are refused, naming the link and its
/// target. A link to a folder outside the data set is followed. Symbolic links need no privilege on Linux and macOS
/// only, so on Windows these tests return at once.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class SymlinkFolderTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void A_link_to_the_split_folder_is_refused_as_a_cycle_naming_the_link_and_its_target()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("d/train/A/1.png");
        dir.File("d/train/B/1.png");
        dir.File("d/train/B/2.png");
        string link = dir.PathOf("d/train/A/loop");
        Directory.CreateSymbolicLink(link, "..");

        var e = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(dir.PathOf("d")));

        Assert.Contains(link, e.Message);
        Assert.Contains($"'{RealPath(dir.PathOf("d/train"))}'", e.Message);
        Assert.Contains("cycle", e.Message);
    }

    [Fact]
    public void A_link_to_its_own_folder_deeper_down_is_refused_as_a_cycle()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("d/train/A/sub/1.png");
        dir.File("d/train/B/1.png");
        string link = dir.PathOf("d/train/A/sub/self");
        Directory.CreateSymbolicLink(link, ".");

        var e = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(dir.PathOf("d")));

        Assert.Contains(link, e.Message);
        Assert.Contains("cycle", e.Message);
    }

    [Fact]
    public void A_link_into_another_class_folder_is_refused_naming_both_folders()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("d/train/A/1.png");
        dir.File("d/train/B/deep/1.png");
        string link = dir.PathOf("d/train/A/borrowed");
        Directory.CreateSymbolicLink(link, dir.PathOf("d/train/B/deep"));

        var e = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(dir.PathOf("d")));

        Assert.Contains(link, e.Message);
        Assert.Contains(dir.PathOf("d/train/B"), e.Message);
        Assert.Contains(dir.PathOf("d/train/A"), e.Message);
    }

    [Fact]
    public void Two_links_to_one_outside_folder_are_refused_as_reading_it_twice()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("elsewhere/x/1.png");
        dir.File("d/train/A/1.png");
        dir.File("d/train/B/1.png");
        Directory.CreateSymbolicLink(dir.PathOf("d/train/A/one"), dir.PathOf("elsewhere/x"));
        Directory.CreateSymbolicLink(dir.PathOf("d/train/A/two"), dir.PathOf("elsewhere/x"));

        var e = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(dir.PathOf("d")));

        Assert.Contains(RealPath(dir.PathOf("elsewhere/x")), e.Message);
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void A_link_to_a_folder_outside_the_data_set_is_followed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("elsewhere/x/1.png");
        dir.File("elsewhere/x/2.png");
        dir.File("d/train/A/1.png");
        dir.File("d/train/B/1.png");
        Directory.CreateSymbolicLink(dir.PathOf("d/train/A/more"), dir.PathOf("elsewhere/x"));

        var splits = _ml.Data.LoadImageSplits(dir.PathOf("d"));

        Assert.Equal(new[] { ("A", 3), ("B", 1) }, splits.TrainCounts.ImagesPerClass.Select(p => (p.Key, p.Value)));
    }

    // The temp folder may itself sit under a link (macOS's /var -> /private/var); messages name real paths.
    private static string RealPath(string path) => MLNetTransfer.Data.ImageFiles.RealPath(path);
}
