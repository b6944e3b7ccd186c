using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// Symbolic links that are not folders inside a class folder (those are <see cref="SymlinkFolderTests"/>): a link to
/// one image in another class's folder (<c>A/x.png -&gt; ../B/y.png</c>) labels B's image as A, and a class folder that
/// is itself a link (<c>train/A -&gt; …</c>) was read without any check. Each is refused when it leads into another
/// class's or split's folder, naming the link, its target and the folders, and followed when it leads outside the data
/// set. Symbolic links need no privilege on Linux and macOS only, so on Windows these tests return at once.
/// </summary>
public sealed class SymlinkTargetTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void A_link_to_one_image_of_another_class_is_refused_naming_the_link_its_target_and_both_classes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("d/train/A/1.png");
        dir.File("d/train/B/y.png");
        string link = dir.PathOf("d/train/A/x.png");
        File.CreateSymbolicLink(link, "../B/y.png");

        var e = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(dir.PathOf("d")));

        Assert.Contains($"'{link}'", e.Message);
        Assert.Contains($"'{RealPath(dir.PathOf("d/train/B/y.png"))}'", e.Message);
        Assert.Contains($"'{dir.PathOf("d/train/B")}'", e.Message);
        Assert.Contains($"'{dir.PathOf("d/train/A")}'", e.Message);
    }

    [Fact]
    public void A_link_to_an_image_outside_the_data_set_is_followed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("elsewhere/y.png");
        dir.File("d/train/A/1.png");
        dir.File("d/train/B/1.png");
        File.CreateSymbolicLink(dir.PathOf("d/train/A/x.png"), dir.PathOf("elsewhere/y.png"));

        var splits = _ml.Data.LoadImageSplits(dir.PathOf("d"));

        Assert.Equal(new[] { ("A", 2), ("B", 1) }, splits.TrainCounts.ImagesPerClass.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public void A_class_folder_that_links_outside_the_data_set_is_followed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("elsewhere/A/1.png");
        dir.File("elsewhere/A/2.png");
        dir.File("d/train/B/1.png");
        Directory.CreateSymbolicLink(dir.PathOf("d/train/A"), dir.PathOf("elsewhere/A"));

        var splits = _ml.Data.LoadImageSplits(dir.PathOf("d"));

        Assert.Equal(new[] { ("A", 2), ("B", 1) }, splits.TrainCounts.ImagesPerClass.Select(p => (p.Key, p.Value)));
    }

    [Theory]
    [InlineData("B", "another class")] // train/A -> train/B: B's images labelled A
    [InlineData("../test/A", "split folder")] // train/A -> test/A: the test images trained on
    [InlineData("..", "cycle")] // train/A -> train: every class read as A
    public void A_class_folder_that_links_into_another_class_or_split_folder_is_refused_naming_the_link_and_its_target(string target, string reason)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("d/train/B/1.png");
        dir.File("d/test/A/1.png");
        dir.File("d/test/B/1.png");
        string link = dir.PathOf("d/train/A");
        Directory.CreateSymbolicLink(link, target);

        var e = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(dir.PathOf("d")));

        Assert.Contains($"'{link}'", e.Message);
        Assert.Contains($"'{RealPath(Path.Combine(dir.PathOf("d/train"), target))}'", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("d/train/A/x.png", "../../test/A/1.png", false)] // one test image trained on
    [InlineData("d/train/A/more", "../../test/B", true)] // a whole test class trained on, as A
    public void A_link_from_one_split_into_another_is_refused_naming_the_link_and_the_other_split(string linkPath, string target, bool isFolder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDataFolder();
        dir.File("d/train/A/1.png");
        dir.File("d/train/B/1.png");
        dir.File("d/test/A/1.png");
        dir.File("d/test/B/1.png");
        string link = dir.PathOf(linkPath);
        if (isFolder)
        {
            Directory.CreateSymbolicLink(link, target);
        }
        else
        {
            File.CreateSymbolicLink(link, target);
        }

        var e = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(dir.PathOf("d")));

        Assert.Contains($"'{link}'", e.Message);
        Assert.Contains($"'{dir.PathOf("d/test")}'", e.Message);
        Assert.Contains("two splits", e.Message);
    }

    // The temp folder may itself sit under a link (macOS's /var -> /private/var); messages name real paths.
    private static string RealPath(string path) => MLNetTransfer.Data.ImageFiles.RealPath(path);
}
