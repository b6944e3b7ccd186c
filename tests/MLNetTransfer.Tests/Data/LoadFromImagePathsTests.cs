using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// <c>ml.Data.LoadFromImagePaths</c>, which lists images to score: a folder gives the images the labelled readers take
/// from it, in the same order; a file is taken as given; a path that names nothing is named.
/// </summary>
public sealed class LoadFromImagePathsTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void A_folder_gives_the_images_that_the_class_folder_reader_takes_from_it()
    {
        using var dir = new TempFolder();
        foreach (string name in new[]
        {
            "a.png", "b.PNG", "c.JpEg", "d.jpg", "notes.txt", "scan.dcm", "._a.png", ".DS_Store", "e.png.bak",
            ".thumbs/t.png", "__MACOSX/x.png", "sub/deeper/f.jpeg", "sub/.hidden.png",
        })
        {
            dir.File($"d/A/{name}");
        }

        var scored = _ml.Data.LoadFromImagePaths(new[] { dir.PathOf("d/A") }).GetColumn<string>("ImagePath").ToList();
        // For evaluation, which reads one class; the class folder reader's warning counts the files it ignored.
        var splits = _ml.Data.LoadImageSplits(dir.PathOf("d"), new ImageSplitsOptions { ForEvaluation = true });

        Assert.Equal(splits.TrainSet.GetColumn<string>("ImagePath"), scored);
        Assert.Equal(new[] { "a.png", "b.PNG", "c.JpEg", "d.jpg", "sub/deeper/f.jpeg" }.Select(n => dir.PathOf($"d/A/{n}")), scored);
        // notes.txt, scan.dcm, ._a.png, .DS_Store, e.png.bak, sub/.hidden.png; hidden folders are not entered.
        Assert.Contains(splits.Warnings, w => w.Contains(dir.PathOf("d")) && w.Contains("ignored 6 files"));
    }

    [Fact]
    public void Paths_come_in_the_order_given_and_each_folder_in_ordinal_order_with_named_files_taken_as_given()
    {
        using var dir = new TempFolder();
        string single = dir.File("single.jpg");
        string named = dir.File("named.txt");
        foreach (string name in new[] { "b.png", "B.png", "a/z.png", "a-1.png", "a.png" })
        {
            dir.File($"f/{name}");
        }

        var data = _ml.Data.LoadFromImagePaths(new[] { single, dir.PathOf("f"), named, single });

        Assert.Equal(new[] { "ImagePath" }, data.Schema.Select(c => c.Name));
        Assert.Equal(TextDataViewType.Instance, data.Schema["ImagePath"].Type);
        // Ordinal order of the full paths: 'B' (0x42) before 'a' (0x61), '-' (0x2D) and '.' (0x2E) before '/' (0x2F).
        string[] folder = { "B.png", "a-1.png", "a.png", "a/z.png", "b.png" };
        Assert.Equal(new[] { single }.Concat(folder.Select(n => dir.PathOf($"f/{n}"))).Concat(new[] { named, single }),
            data.GetColumn<string>("ImagePath"));
    }

    [Fact]
    public void A_path_that_names_nothing_and_a_folder_without_images_are_named()
    {
        using var dir = new TempFolder();
        dir.File("f/notes.txt");
        string missing = dir.PathOf("nowhere/x.png");

        var absent = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImagePaths(new[] { dir.PathOf("f"), missing }));
        var empty = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImagePaths(new[] { dir.PathOf("f") }));
        var blank = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImagePaths(new[] { dir.PathOf("f"), " " }));

        Assert.Equal($"paths: {missing} is neither a file nor a folder.", absent.Message);
        Assert.StartsWith("paths: no .png, .jpg, .jpeg files in ", empty.Message);
        Assert.Contains(dir.PathOf("f"), empty.Message);
        Assert.Contains("paths: entry 1 is blank", blank.Message);
        Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImagePaths(Array.Empty<string>()));
        Assert.Throws<ArgumentNullException>(() => _ml.Data.LoadFromImagePaths(null!));
    }
}
