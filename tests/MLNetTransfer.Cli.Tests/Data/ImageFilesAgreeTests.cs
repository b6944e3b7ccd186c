using Xunit;

namespace MLNetTransfer.Cli.Tests.Data;

/// <summary>
/// <c>predict</c> finds images in a folder with its own copy of the rule (the library's reader is internal to it); both
/// copies say the same of every kind of name.
/// </summary>
public sealed class ImageFilesAgreeTests
{
    [Theory]
    [InlineData("/d/a.png")]
    [InlineData("/d/a.PNG")]
    [InlineData("/d/b.JpEg")]
    [InlineData("/d/c.jpg")]
    [InlineData("/d/notes.txt")]
    [InlineData("/d/scan.dcm")]
    [InlineData("/d/._a.png")]
    [InlineData("/d/.DS_Store")]
    [InlineData("/d/a.png.bak")]
    public void Predict_and_the_library_count_the_same_files_as_images(string path) =>
        Assert.Equal(MLNetTransfer.Data.ImageFiles.IsImage(path), MLNetTransfer.Cli.Data.ImageFiles.IsImage(path));

    [Theory]
    [InlineData(".thumbs")]
    [InlineData("__MACOSX")]
    [InlineData("NORMAL")]
    [InlineData("_MACOSX")]
    public void Predict_and_the_library_skip_the_same_folders(string name) =>
        Assert.Equal(MLNetTransfer.Data.ImageFiles.IsHidden(name), MLNetTransfer.Cli.Data.ImageFiles.IsHidden(name));

    [Fact]
    public void Both_name_the_same_extensions() =>
        Assert.Equal(MLNetTransfer.Data.ImageFiles.ExtensionList, MLNetTransfer.Cli.Data.ImageFiles.ExtensionList);
}
