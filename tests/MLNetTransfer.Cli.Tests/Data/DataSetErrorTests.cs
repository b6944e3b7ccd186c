using System;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Data;

/// <summary>Each mistake gives a <see cref="DataSetException"/> that names the file or folder, the line and the column or option.</summary>
public class DataSetErrorTests
{
    [Fact]
    public void MissingDataPathNamesTheOptionAndThePath()
    {
        using var dir = new TempDataFolder();
        string missing = dir.PathOf("nope");

        string message = Fails(new DataSourceOptions { DataPath = missing });

        Assert.Contains("--data", message);
        Assert.Contains(missing, message);
        Assert.Contains("does not exist", message);
    }

    [Fact]
    public void BlankDataPathNamesTheOption() =>
        Assert.Contains("--data", Fails(new DataSourceOptions { DataPath = " " }));

    [Fact]
    public void MissingValidationCsvNamesItsOption()
    {
        using var dir = new TempDataFolder();
        string train = TwoClassCsv(dir);

        string message = Fails(new DataSourceOptions { DataPath = train, ValidationPath = dir.PathOf("val.csv") });

        Assert.Contains("--validation", message);
        Assert.Contains(dir.PathOf("val.csv"), message);
    }

    [Fact]
    public void FileThatIsNotACsvIsRefused()
    {
        using var dir = new TempDataFolder();
        string file = dir.File("labels.txt");

        string message = Fails(new DataSourceOptions { DataPath = file });

        Assert.Contains(file, message);
        Assert.Contains(".csv", message);
    }

    [Fact]
    public void AbsentImageColumnListsTheColumnsAndTheOption()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Text("t.csv", "File,Label\na.png,x\n");

        string message = Fails(new DataSourceOptions { DataPath = csv });

        Assert.Contains(csv, message);
        Assert.Contains("'Path'", message);
        Assert.Contains("--image-column", message);
        Assert.Contains("'File', 'Label'", message);
    }

    [Fact]
    public void AbsentLabelColumnNamesItsOption()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Text("t.csv", "Path,Class\na.png,x\n");

        string message = Fails(new DataSourceOptions { DataPath = csv });

        Assert.Contains("'Label'", message);
        Assert.Contains("--label-column", message);
        Assert.Contains("'Path', 'Class'", message);
    }

    [Fact]
    public void AbsentMultiLabelColumnNamesItsOption()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Text("t.csv", "Path,Edema\na.png,1\n");

        string message = Fails(new DataSourceOptions { DataPath = csv, LabelColumns = new[] { "Edema", "Cardiomegaly" } });

        Assert.Contains("'Cardiomegaly'", message);
        Assert.Contains("--label-columns", message);
    }

    [Fact]
    public void AbsentGroupColumnNamesItsOption()
    {
        using var dir = new TempDataFolder();
        string csv = TwoClassCsv(dir);

        string message = Fails(new DataSourceOptions { DataPath = csv, GroupColumn = "PatientID" });

        Assert.Contains("'PatientID'", message);
        Assert.Contains("--group-column", message);
    }

    [Fact]
    public void TwoColumnsMatchingOnlyIgnoringCaseAreAmbiguous()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Text("t.csv", "PATH,path,Label\na.png,a.png,x\n");

        string message = Fails(new DataSourceOptions { DataPath = csv });

        Assert.Contains("'Path'", message);
        Assert.Contains("--image-column", message);
        Assert.Contains("1, 2", message);
    }

    [Fact]
    public void SemicolonSeparatedFileGetsAHint()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Text("t.csv", "Path;Label\na.png;x\n");

        string message = Fails(new DataSourceOptions { DataPath = csv });

        Assert.Contains("comma-separated", message);
    }

    [Fact]
    public void BlankLabelNamesLineAndColumn()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        string csv = dir.Text("t.csv", "Path,Diagnosis\na.png,x\nb.png,\n");

        string message = Fails(new DataSourceOptions { DataPath = csv, LabelColumn = "Diagnosis" });

        Assert.Contains($"{csv} line 3", message);
        Assert.Contains("'Diagnosis'", message);
        Assert.Contains("--label-column", message);
        Assert.Contains("blank", message);
    }

    [Fact]
    public void BlankGroupNamesLineAndColumn()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        string csv = dir.Text("t.csv", "Path,Label,Patient\na.png,x,p1\nb.png,y,\n");

        string message = Fails(new DataSourceOptions { DataPath = csv, GroupColumn = "Patient" });

        Assert.Contains($"{csv} line 3", message);
        Assert.Contains("'Patient'", message);
        Assert.Contains("--group-column", message);
    }

    [Fact]
    public void UnparseableMultiLabelValueNamesLineColumnAndValue()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        dir.File("b.png");
        string csv = dir.Text("t.csv", "Path,Edema,Effusion\na.png,1,0\nb.png,0,yes\n");

        string message = Fails(new DataSourceOptions { DataPath = csv, LabelColumns = new[] { "Edema", "Effusion" } });

        Assert.Contains($"{csv} line 3", message);
        Assert.Contains("'Effusion'", message);
        Assert.Contains("'yes'", message);
        Assert.Contains("-1 (uncertain)", message);
    }

    [Fact]
    public void MissingImageNamesLineAndPath()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        string csv = dir.Text("t.csv", "Path,Label\na.png,x\nmissing/b.png,y\n");

        string message = Fails(new DataSourceOptions { DataPath = csv });

        Assert.Contains($"{csv} line 3", message);
        Assert.Contains("'missing/b.png'", message);
        Assert.Contains(dir.PathOf("missing/b.png"), message);
    }

    [Fact]
    public void MissingImageThatExistsFromTheFolderAboveGetsTheCheXpertHint()
    {
        using var dir = new TempDataFolder();
        dir.File("CheXpert-v1.0-small/train/patient1/study1/view1_frontal.jpg");
        string csv = dir.Text("CheXpert-v1.0-small/train.csv", "Path,Edema\nCheXpert-v1.0-small/train/patient1/study1/view1_frontal.jpg,1\n");

        string message = Fails(new DataSourceOptions { DataPath = csv, LabelColumns = new[] { "Edema" } });

        Assert.Contains("line 2", message);
        Assert.Contains("folder above", message);
    }

    [Fact]
    public void MalformedCsvNamesFileAndLine()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        string csv = dir.Text("t.csv", "Path,Label\na.png,x\nb.png,y,extra\n");

        string message = Fails(new DataSourceOptions { DataPath = csv });

        Assert.Contains($"{csv} line 3", message);
    }

    [Fact]
    public void StrayQuoteNamesFileAndLine()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        string csv = dir.Text("t.csv", "Path,Label\na.png,x\nb\"c.png,y\n");

        Assert.Contains($"{csv} line 3", Fails(new DataSourceOptions { DataPath = csv }));
    }

    [Fact]
    public void EmptyCsvAndHeaderOnlyCsvHaveNoImages()
    {
        using var dir = new TempDataFolder();
        string empty = dir.Text("empty.csv", "");
        string headerOnly = dir.Text("header.csv", "Path,Label\n");

        Assert.Contains(empty, Fails(new DataSourceOptions { DataPath = empty }));
        string message = Fails(new DataSourceOptions { DataPath = headerOnly });
        Assert.Contains(headerOnly, message);
        Assert.Contains("no images", message);
    }

    [Fact]
    public void FolderWithoutImagesNamesTheFolderAndWhatWasIgnored()
    {
        using var dir = new TempDataFolder();
        dir.File("d/A/a.bmp");
        dir.File("d/B/b.txt");

        string message = Fails(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Contains(dir.PathOf("d"), message);
        Assert.Contains("no images", message);
        Assert.Contains("2 other files", message);
    }

    [Fact]
    public void FolderWithoutClassSubfoldersSaysWhatTheLayoutIs()
    {
        using var dir = new TempDataFolder();
        dir.File("d/a.png");

        string message = Fails(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Contains(dir.PathOf("d"), message);
        Assert.Contains("no class subfolders", message);
    }

    [Fact]
    public void OneClassOnlyIsRefusedAndNamed()
    {
        using var dir = new TempDataFolder();
        dir.File("d/train/NORMAL/a.png");
        dir.File("d/train/NORMAL/b.png");

        string message = Fails(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Contains($"needs at least two classes; found only 'NORMAL' in {dir.PathOf("d/train")}", message);
    }

    [Fact]
    public void OneClassOnlyInACsvNamesTheFile()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        string csv = dir.Text("t.csv", "Path,Label\na.png,x\n");

        Assert.Contains($"found only 'x' in {csv}", Fails(new DataSourceOptions { DataPath = csv }));
    }

    [Fact]
    public void UnknownClassInTestNamesClassSplitAndTrainingClasses()
    {
        using var dir = new TempDataFolder();
        dir.File("d/train/NORMAL/a.png");
        dir.File("d/train/PNEUMONIA/b.png");
        dir.File("d/test/normal/c.png");

        string message = Fails(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Contains(dir.PathOf("d/test"), message);
        Assert.Contains("test split", message);
        Assert.Contains("'normal'", message);
        Assert.Contains("'NORMAL', 'PNEUMONIA'", message);
        Assert.Contains("only in case", message);
    }

    [Fact]
    public void UnknownClassInValidationCsvNamesTheLine()
    {
        using var dir = new TempDataFolder();
        string train = TwoClassCsv(dir);
        string val = dir.Text("val.csv", "Path,Label\na.png,x\nb.png,COVID\n");

        string message = Fails(new DataSourceOptions { DataPath = train, ValidationPath = val });

        Assert.Contains("validation split", message);
        Assert.Contains("'COVID'", message);
        Assert.Contains($"{val} line 3", message);
    }

    [Fact]
    public void SplitsInDifferentFormsAreRefused()
    {
        using var dir = new TempDataFolder();
        string train = TwoClassCsv(dir);
        dir.File("valdir/x/a.png");

        string message = Fails(new DataSourceOptions { DataPath = train, ValidationPath = dir.PathOf("valdir") });

        Assert.Contains("--validation", message);
        Assert.Contains("same form", message);
    }

    [Fact]
    public void ValFolderWithoutTrainFolderIsRefusedRatherThanReadAsAClass()
    {
        using var dir = new TempDataFolder();
        dir.File("d/val/A/a.png");
        dir.File("d/test/A/a.png");

        string message = Fails(new DataSourceOptions { DataPath = dir.PathOf("d") });

        Assert.Contains("no 'train/' folder", message);
    }

    [Fact]
    public void CsvOnlyOptionsWithAFolderAreRefused()
    {
        using var dir = new TempDataFolder();
        dir.File("d/A/a.png");
        dir.File("d/B/b.png");

        Assert.Contains("--group-column", Fails(new DataSourceOptions { DataPath = dir.PathOf("d"), GroupColumn = "Patient" }));
        Assert.Contains("--label-columns", Fails(new DataSourceOptions { DataPath = dir.PathOf("d"), LabelColumns = new[] { "A" } }));
    }

    [Fact]
    public void LabelColumnNamedTwiceIsRefused()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Text("t.csv", "Path,Edema\na.png,1\n");

        string message = Fails(new DataSourceOptions { DataPath = csv, LabelColumns = new[] { "Edema", "edema" } });

        Assert.Contains("--label-columns", message);
        Assert.Contains("'Edema'", message);
    }

    private static string TwoClassCsv(TempDataFolder dir)
    {
        dir.File("a.png");
        dir.File("b.png");
        return dir.Text("train.csv", "Path,Label\na.png,x\nb.png,y\n");
    }

    private static string Fails(DataSourceOptions options) =>
        Assert.Throws<DataSetException>(() => DatasetReader.Read(options)).Message;
}
