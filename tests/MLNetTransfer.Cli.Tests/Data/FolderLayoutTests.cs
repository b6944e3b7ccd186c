using System.IO;
using System.Linq;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Metrics;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Data;

public class FolderLayoutTests
{
    [Fact]
    public void SplitFoldersAsInThePediatricPneumoniaSetGiveABinaryTaskWithThePositiveClassSecond()
    {
        using var dir = new TempDataFolder();
        foreach (string split in new[] { "train", "val", "test" })
        {
            dir.Png($"chest_xray/{split}/NORMAL/n1.png", seed: 1);
            dir.Png($"chest_xray/{split}/PNEUMONIA/p1.jpeg", seed: 2);
            dir.Png($"chest_xray/{split}/PNEUMONIA/p2.jpeg", seed: 3);
        }

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("chest_xray") });

        Assert.Equal(TaskKind.Binary, data.Task);
        Assert.Equal(new[] { "NORMAL", "PNEUMONIA" }, data.ClassNames);
        Assert.Equal(3, data.Train.Count);
        Assert.Equal(3, data.Validation!.Count);
        Assert.Equal(3, data.Test!.Count);
        var first = data.Train[0];
        Assert.Equal(dir.PathOf("chest_xray/train/NORMAL/n1.png"), first.Path);
        Assert.True(Path.IsPathRooted(first.Path));
        Assert.Equal("NORMAL", first.Label);
        Assert.Null(first.Labels);
        Assert.Null(first.Group);
        Assert.Equal(dir.PathOf("chest_xray/train/NORMAL"), first.Source);
        Assert.All(data.Test, r => Assert.StartsWith(dir.PathOf("chest_xray/test"), r.Path));
        Assert.Empty(data.Warnings);
    }

    [Fact]
    public void WithoutTrainFolderTheSubfoldersAreTheClassesAllForTraining()
    {
        using var dir = new TempDataFolder();
        dir.File("data/covid/a.png");
        dir.File("data/normal/b.png");
        dir.File("data/viral/c.png");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("data") });

        Assert.Equal(TaskKind.Multiclass, data.Task);
        Assert.Equal(new[] { "covid", "normal", "viral" }, data.ClassNames);
        Assert.Null(data.Validation);
        Assert.Null(data.Test);
    }

    [Fact]
    public void ImagesAreFoundRecursivelyInAnyExtensionCaseAndOrdinalSorted()
    {
        using var dir = new TempDataFolder();
        dir.File("d/A/b.png");
        dir.File("d/A/a.PNG");
        dir.File("d/A/B.JpEg");
        dir.File("d/A/sub/deeper/c.jpg");
        dir.File("d/B/x.png");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("d") });

        string[] classA = data.Train.Where(r => r.Label == "A").Select(r => Path.GetRelativePath(dir.PathOf("d/A"), r.Path)).ToArray();
        Assert.Equal(new[] { "B.JpEg", "a.PNG", "b.png", Path.Combine("sub", "deeper", "c.jpg") }, classA);
    }

    [Fact]
    public void OtherFilesHiddenFilesAndMacZipFoldersAreIgnoredCountedAndMentioned()
    {
        using var dir = new TempDataFolder();
        dir.File("d/train/A/a.png");
        dir.File("d/train/A/notes.txt");
        dir.File("d/train/A/.DS_Store");
        dir.File("d/train/A/._a.png");           // macOS resource fork: ends in .png, is not an image
        dir.File("d/train/A/.thumbs/t.png");     // hidden folder
        dir.File("d/train/B/b.dcm");              // DICOM, by its extension: an image (read by the DICOM reader)
        dir.File("d/train/B/LICENSE");            // no extension and no DICM preamble: not an image
        dir.File("d/train/B/b.png");
        dir.File("d/train/readme.md");           // loose file in the split folder
        dir.File("d/train/__MACOSX/A/x.png");    // not a class
        dir.File("d/__MACOSX/train/A/._a.png");  // not a split

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Equal(new[] { "A", "B" }, data.ClassNames);
        Assert.Equal(3, data.Train.Count);
        string warning = Assert.Single(data.Warnings);
        Assert.Contains(dir.PathOf("d/train"), warning);
        Assert.Contains("5 files", warning); // notes.txt, .DS_Store, ._a.png, LICENSE, readme.md
    }

    [Fact]
    public void ValidationFolderMayBeNamedValidationAndSplitNamesIgnoreCase()
    {
        using var dir = new TempDataFolder();
        dir.File("d/Train/A/a.png");
        dir.File("d/Train/B/b.png");
        dir.File("d/validation/A/a.png");
        dir.File("d/TEST/B/b.png");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Single(data.Validation!);
        Assert.Single(data.Test!);
    }

    [Fact]
    public void ClassNamesAreOrdinalSortedAsMLNetKeysAre()
    {
        using var dir = new TempDataFolder();
        dir.File("d/apple/a.png");
        dir.File("d/Zebra/z.png");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Equal(new[] { "Zebra", "apple" }, data.ClassNames);
    }

    [Fact]
    public void ValidationOptionTakesThePlaceOfValFolderWithAWarning()
    {
        using var dir = new TempDataFolder();
        dir.File("d/train/A/a.png");
        dir.File("d/train/B/b.png");
        dir.File("d/val/A/tiny.png");
        dir.File("other/A/1.png");
        dir.File("other/B/2.png");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("d"), ValidationPath = dir.PathOf("other") });

        Assert.Equal(2, data.Validation!.Count);
        Assert.Contains(data.Warnings, w => w.Contains(dir.PathOf("d/val")) && w.Contains("--validation"));
    }

    [Fact]
    public void EmptyClassFolderIsLeftOutWithAWarning()
    {
        using var dir = new TempDataFolder();
        dir.File("d/A/a.png");
        dir.File("d/B/b.png");
        dir.Folder("d/C");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Equal(new[] { "A", "B" }, data.ClassNames);
        Assert.Contains(data.Warnings, w => w.Contains(dir.PathOf("d/C")) && w.Contains("'C'"));
    }

    [Fact]
    public void ValidationSplitWithOneClassIsWarnedAbout()
    {
        using var dir = new TempDataFolder();
        dir.File("d/train/A/a.png");
        dir.File("d/train/B/b.png");
        dir.File("d/val/B/b.png");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Contains(data.Warnings, w => w.Contains("validation split has only class 'B'"));
    }
}
