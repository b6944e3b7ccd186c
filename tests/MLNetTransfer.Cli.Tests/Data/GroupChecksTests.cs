using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Data;

/// <summary>Given splits may not share a patient when a group column is named.</summary>
public sealed class GroupChecksTests
{
    [Fact]
    public void APatientInTrainingAndTestIsRefusedByName()
    {
        using var folder = new TempDataFolder();
        folder.File("img/a.png");
        folder.File("img/b.png");
        folder.File("img/c.png");
        folder.File("img/d.png");
        string train = folder.Text("train.csv", "Path,Label,PatientId\nimg/a.png,NORMAL,P1\nimg/b.png,OPACITY,P2\n");
        string test = folder.Text("test.csv", "Path,Label,PatientId\nimg/c.png,NORMAL,P3\nimg/d.png,OPACITY,P2\n");
        var options = new MLNetTransfer.Cli.Data.DataSourceOptions { DataPath = train, TestPath = test, GroupColumn = "PatientId" };

        var error = Assert.Throws<MLNetTransfer.Cli.Data.DataSetException>(() => MLNetTransfer.Cli.Data.DatasetReader.Read(options));
        Assert.Contains("--group-column PatientId", error.Message);
        Assert.Contains("'P2'", error.Message);
        Assert.Contains("train.csv line 3", error.Message);
        Assert.Contains("test.csv line 3", error.Message);

        // Without a group column nothing is known about patients, and evaluation does not check it.
        MLNetTransfer.Cli.Data.DatasetReader.Read(new MLNetTransfer.Cli.Data.DataSourceOptions { DataPath = train, TestPath = test });
        MLNetTransfer.Cli.Data.DatasetReader.Read(options, MLNetTransfer.Cli.Data.DataSetUse.Evaluation);
    }
}
