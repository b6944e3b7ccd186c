using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Data;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Data;

/// <summary>
/// <c>predict</c> finds images in a folder with its own copy of the rule the library's folder loader follows (which is
/// internal to the library); both find the same files in a folder of every kind of name.
/// </summary>
public sealed class ImageFilesAgreeTests
{
    [Fact]
    public void Predict_finds_the_images_the_library_loads_from_a_class_folder()
    {
        using var dir = new TempDataFolder();
        foreach (string name in new[]
        {
            "a.png", "b.PNG", "c.JpEg", "d.jpg", "notes.txt", "scan.dcm", "._a.png", ".DS_Store", "e.png.bak",
            ".thumbs/t.png", "__MACOSX/x.png", "sub/deeper/f.jpeg", "sub/.hidden.png",
        })
        {
            dir.File($"d/A/{name}");
        }

        var predict = ImageFiles.FindRecursive(dir.PathOf("d/A"), out int ignored);
        var library = new MLContext(seed: 1).Data.LoadFromImageFolder(dir.PathOf("d")).GetColumn<string>("ImagePath").ToList();

        Assert.Equal(library, predict);
        Assert.Equal(5, predict.Count);
        Assert.Equal(6, ignored); // notes.txt, scan.dcm, ._a.png, .DS_Store, e.png.bak, sub/.hidden.png; hidden folders are not entered
    }
}
