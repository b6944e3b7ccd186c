using System.Linq;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Metrics;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Data;

public class MultiLabelCsvTests
{
    [Fact]
    public void CheXpertValuesReadAsOneZeroMinusOneAndNaNInTheGivenColumnOrder()
    {
        using var dir = new TempDataFolder();
        dir.File("p1/view1.jpg");
        dir.File("p2/view1.jpg");
        dir.File("p3/view1.jpg");
        string csv = dir.Text("train.csv",
            "Path,Sex,No Finding,Edema,Pleural Effusion\n" +
            "p1/view1.jpg,Female,1.0,,0.0\n" +
            "p2/view1.jpg,Male,,-1.0,1.0\n" +
            "p3/view1.jpg,Male,0,1,-1\n");

        var data = DatasetReader.Read(new DataSourceOptions
        {
            DataPath = csv, LabelColumns = new[] { "Pleural Effusion", "Edema", "No Finding" },
        });

        Assert.Equal(TaskKind.MultiLabel, data.Task);
        Assert.Equal(new[] { "Pleural Effusion", "Edema", "No Finding" }, data.ClassNames);
        Assert.Equal(new[] { 0f, float.NaN, 1f }, data.Train[0].Labels!);
        Assert.Equal(new[] { 1f, -1f, float.NaN }, data.Train[1].Labels!);
        Assert.Equal(new[] { -1f, 1f, 0f }, data.Train[2].Labels!);
        Assert.All(data.Train, r => Assert.Null(r.Label));
    }

    [Fact]
    public void LabelColumnWithoutPositivesIsAWarningNotAnError()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        string csv = dir.Text("t.csv", "Path,Edema,Fracture\na.png,1,0\nb.png,0,\n");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = csv, LabelColumns = new[] { "Edema", "Fracture" } });

        string warning = Assert.Single(data.Warnings);
        Assert.Contains("'Fracture'", warning);
        Assert.Contains("no positive (1)", warning);
        Assert.Contains(csv, warning);
    }

    [Fact]
    public void GroupColumnGroupsMultiLabelRowsToo()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        string csv = dir.Text("t.csv", "Path,Patient,Edema\na.png,patient00001,1\nb.png,patient00002,0\n");

        var data = DatasetReader.Read(new DataSourceOptions { DataPath = csv, LabelColumns = new[] { "Edema" }, GroupColumn = "Patient" });

        Assert.Equal(new[] { "patient00001", "patient00002" }, data.Train.Select(r => r.Group));
    }
}
