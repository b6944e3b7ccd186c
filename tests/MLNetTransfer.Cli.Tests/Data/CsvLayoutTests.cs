using System;
using System.IO;
using System.Linq;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Metrics;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Data;

public class CsvLayoutTests
{
    [Fact]
    public void PathLabelCsvResolvesRelativePathsAgainstItsFolderAndKeepsAbsoluteOnes()
    {
        using var dir = new TempDataFolder();
        dir.File("set/images/a.png");
        dir.File("set/images/with, comma.png");
        string elsewhere = dir.File("elsewhere/c.jpg");
        string csv = dir.Text("set/train.csv",
            "Path,Label\n" +
            "images/a.png,NORMAL\n" +
            "\"images/with, comma.png\",PNEUMONIA\n" +
            $"{elsewhere},PNEUMONIA\n");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = csv });

        Assert.Equal(TaskKind.Binary, data.Task);
        Assert.Equal(new[] { "NORMAL", "PNEUMONIA" }, data.ClassNames);
        Assert.Equal(new[] { dir.PathOf("set/images/a.png"), dir.PathOf("set/images/with, comma.png"), elsewhere }, data.Train.Select(r => r.Path));
        Assert.Equal(new[] { "NORMAL", "PNEUMONIA", "PNEUMONIA" }, data.Train.Select(r => r.Label));
        Assert.Equal($"{csv} line 3", data.Train[1].Source);
        Assert.All(data.Train, r => Assert.Null(r.Group));
        Assert.All(data.Train, r => Assert.Null(r.Labels));
    }

    [Fact]
    public void RelativeCsvPathOptionIsResolvedFromTheWorkingDirectory()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        dir.Text("t.csv", "Path,Label\na.png,x\nb.png,y\n");
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, dir.PathOf("t.csv"));

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = relative });

        Assert.Equal(dir.PathOf("a.png"), data.Train[0].Path);
    }

    [Fact]
    public void LineNumbersCountTheHeaderBlankLinesAndLineBreaksInQuotes()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("two\nlines.png");
        dir.File("c.png");
        string csv = dir.Text("t.csv", "Path,Label\n\na.png,x\n\"two\nlines.png\",y\nc.png,x\n");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = csv });

        Assert.Equal(new[] { $"{csv} line 3", $"{csv} line 4", $"{csv} line 6" }, data.Train.Select(r => r.Source));
    }

    [Fact]
    public void ColumnsMatchExactlyFirstThenIgnoringCase()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        string csv = dir.Text("t.csv", "image,path,Finding,PatientID\nwrong.png,a.png,x,p1\nwrong.png,b.png,y,p2\n");

        var data = DatasetReader.Read(new DataSourceOptions
        {
            DataPath = csv, ImageColumn = "path", LabelColumn = "finding", GroupColumn = "patientid",
        });

        Assert.Equal(dir.PathOf("a.png"), data.Train[0].Path);
        Assert.Equal(new[] { "p1", "p2" }, data.Train.Select(r => r.Group));
        Assert.Equal(new[] { "x", "y" }, data.ClassNames);
    }

    [Fact]
    public void WhitespaceAroundCellsIsTrimmed()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        string csv = dir.Text("t.csv", "Path , Label\n a.png , NORMAL \nb.png,OTHER\n");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = csv });

        Assert.Equal(new[] { "NORMAL", "OTHER" }, data.ClassNames);
    }

    [Fact]
    public void ValidationAndTestCsvsAreReadTheSameWayFromTheirOwnFolders()
    {
        using var dir = new TempDataFolder();
        dir.File("tr/a.png");
        dir.File("tr/b.png");
        dir.File("va/a.png");
        dir.File("te/b.png");
        string train = dir.Text("tr/train.csv", "Path,Label\na.png,A\nb.png,B\n");
        string val = dir.Text("va/val.csv", "Path,Label\na.png,A\n");
        string test = dir.Text("te/test.csv", "Path,Label\nb.png,B\n");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = train, ValidationPath = val, TestPath = test });

        Assert.Equal(dir.PathOf("va/a.png"), data.Validation!.Single().Path);
        Assert.Equal(dir.PathOf("te/b.png"), data.Test!.Single().Path);
        Assert.Equal($"{val} line 2", data.Validation!.Single().Source);
    }

    [Fact]
    public void ByteOrderMarkAndCrLfLineEndsAreRead()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        string csv = dir.Text("t.csv", "\uFEFFPath,Label\r\na.png,A\r\nb.png,B\r\n");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = csv });

        Assert.Equal(2, data.Train.Count);
        Assert.Equal(dir.PathOf("b.png"), data.Train[1].Path);
    }
}
