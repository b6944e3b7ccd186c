using MLNetTransfer.Cli.Data;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Data;

public class DatasetDescriptionTests
{
    [Fact]
    public void SingleLabelDescriptionCountsEachClassPerSplitAndNamesThePositiveClass()
    {
        using var dir = new TempDataFolder();
        dir.File("d/train/NORMAL/1.png");
        dir.File("d/train/PNEUMONIA/1.png");
        dir.File("d/train/PNEUMONIA/2.png");
        dir.File("d/test/PNEUMONIA/1.png");

        string text = DatasetReader.Read(new DataSourceOptions { DataPath = dir.PathOf("d") }).Describe();

        Assert.Contains("positive class is 'PNEUMONIA'", text);
        string[] lines = text.Split('\n');
        Assert.Contains(lines, l => l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries) is ["class", "train", "test"]);
        Assert.Contains(lines, l => l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries) is ["NORMAL", "1", "0"]);
        Assert.Contains(lines, l => l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries) is ["PNEUMONIA", "2", "1"]);
        Assert.Contains(lines, l => l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries) is ["images", "3", "1"]);
        Assert.Contains("No validation split", text);
    }

    [Fact]
    public void MultiLabelDescriptionCountsPositivesNegativesUncertainAndBlank()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        dir.File("c.png");
        string csv = dir.Text("t.csv", "Path,Edema\na.png,1\nb.png,-1\nc.png,\n");

        string text = DatasetReader.Read(new DataSourceOptions { DataPath = csv, LabelColumns = new[] { "Edema" } }).Describe();

        Assert.Contains("Multi-label task", text);
        Assert.Contains(text.Split('\n'), l => l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries) is ["Edema", "1/0/1/1"]);
    }
}
