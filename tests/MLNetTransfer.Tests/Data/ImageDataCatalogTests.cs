using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// The loaders on <c>ml.Data</c>: what the data views hold, and errors that name the file, the line, the column and
/// the parameter at fault; <c>LoadFromImagePaths</c> finds in a folder the images the class folder reader takes from it.
/// </summary>
public sealed class ImageDataCatalogTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void A_folder_of_class_folders_gives_absolute_paths_and_text_labels_in_ordinal_order()
    {
        using var dir = new TempDataFolder();
        dir.File("d/PNEUMONIA/b.png");
        dir.File("d/NORMAL/sub/a.JPG");
        dir.File("d/NORMAL/c.jpeg");
        dir.File("d/NORMAL/notes.txt");

        var data = _ml.Data.LoadFromImageFolder(dir.PathOf("d"));

        Assert.Equal(new[] { "ImagePath", "Label" }, data.Schema.Select(c => c.Name));
        Assert.Equal(TextDataViewType.Instance, data.Schema["Label"].Type);
        Assert.Equal(new[] { dir.PathOf("d/NORMAL/c.jpeg"), dir.PathOf("d/NORMAL/sub/a.JPG"), dir.PathOf("d/PNEUMONIA/b.png") },
            data.GetColumn<string>("ImagePath"));
        Assert.Equal(new[] { "NORMAL", "NORMAL", "PNEUMONIA" }, data.GetColumn<string>("Label"));
    }

    [Fact]
    public void A_tree_of_splits_is_not_read_as_classes()
    {
        using var dir = new TempDataFolder();
        dir.File("d/train/A/a.png");
        dir.File("d/test/A/b.png");

        var error = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImageFolder(dir.PathOf("d")));

        Assert.Contains(dir.PathOf("d"), error.Message);
        Assert.Contains("(path)", error.Message);
        Assert.Contains(nameof(ImageDataCatalog.LoadImageSplits), error.Message);
        Assert.Single(_ml.Data.LoadFromImageFolder(dir.PathOf("d/train")).GetColumn<string>("Label"));
    }

    [Fact]
    public void A_csv_reads_relative_paths_from_its_folder_and_keeps_the_group_and_source_columns_it_is_asked_for()
    {
        using var dir = new TempDataFolder();
        dir.File("set/images/a.png");
        string elsewhere = dir.File("elsewhere/b.png");
        string csv = dir.Text("set/labels.csv", $"Path,Finding,Patient\nimages/a.png,NORMAL,p1\n{elsewhere},EFFUSION,p2\n");

        var data = _ml.Data.LoadFromImageCsv(csv, new ImageCsvOptions { LabelColumnName = "finding", GroupColumnName = "Patient", SourceColumnName = "Where" });

        Assert.Equal(new[] { "ImagePath", "Label", "Patient", "Where" }, data.Schema.Select(c => c.Name));
        Assert.Equal(new[] { dir.PathOf("set/images/a.png"), elsewhere }, data.GetColumn<string>("ImagePath"));
        Assert.Equal(new[] { "NORMAL", "EFFUSION" }, data.GetColumn<string>("Label"));
        Assert.Equal(new[] { "p1", "p2" }, data.GetColumn<string>("Patient"));
        Assert.Equal(new[] { $"{csv} line 2", $"{csv} line 3" }, data.GetColumn<string>("Where"));
    }

    [Fact]
    public void A_multi_label_csv_gives_a_known_size_vector_with_the_label_names_as_slot_names()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Csv("chexpert.csv", "Path,Sex,Edema,Pleural Effusion", new[]
        {
            $"{dir.Image("p1.jpg")},Female,1.0,",
            $"{dir.Image("p2.jpg")},Male,-1.0,0.0",
        });

        var data = _ml.Data.LoadFromImageCsv(csv, new ImageCsvOptions { LabelColumnNames = new[] { "Pleural Effusion", "Edema" } });

        var label = data.Schema["Label"];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), label.Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.GetSlotNames(ref names);
        Assert.Equal(new[] { "Pleural Effusion", "Edema" }, names.DenseValues().Select(n => n.ToString()));
        var targets = data.GetColumn<float[]>("Label").ToArray();
        Assert.Equal(new[] { float.NaN, 1f }, targets[0]);
        Assert.Equal(new[] { 0f, -1f }, targets[1]);
    }

    [Fact]
    public void Csv_errors_name_the_file_the_line_the_column_and_the_parameter()
    {
        using var dir = new TempDataFolder();
        dir.File("a.png");
        string noColumn = dir.Text("nocolumn.csv", "File,Label\na.png,x\n");
        string blankLabel = dir.Text("blank.csv", "Path,Diagnosis\na.png,x\na.png,\n");
        string badValue = dir.Text("value.csv", "Path,Edema\na.png,1\na.png,yes\n");
        string missingImage = dir.Text("missing.csv", "Path,Label\na.png,x\nb.png,y\n");

        string message = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImageCsv(noColumn)).Message;
        Assert.Contains(noColumn, message);
        Assert.Contains("'Path'", message);
        Assert.Contains(nameof(ImageCsvOptions.ImageColumnName), message);
        Assert.Contains("'File', 'Label'", message);

        message = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImageCsv(blankLabel, new ImageCsvOptions { LabelColumnName = "Diagnosis" })).Message;
        Assert.Contains($"{blankLabel} line 3, column 'Diagnosis' ({nameof(ImageCsvOptions.LabelColumnName)})", message);

        message = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImageCsv(badValue, new ImageCsvOptions { LabelColumnNames = new[] { "Edema" } })).Message;
        Assert.Contains($"{badValue} line 3, column 'Edema' ({nameof(ImageCsvOptions.LabelColumnNames)}): 'yes'", message);

        message = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImageCsv(missingImage)).Message;
        Assert.Contains($"{missingImage} line 3", message);
        Assert.Contains(dir.PathOf("b.png"), message);
    }

    [Fact]
    public void Output_columns_may_not_share_a_name()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Csv("t.csv", "Path,Label,Label2", new[] { $"{dir.Image("a.png")},x,p" });
        var error = Assert.Throws<ArgumentException>(() => _ml.Data.LoadFromImageCsv(csv, new ImageCsvOptions { GroupColumnName = "Label" }));
        Assert.Equal(nameof(ImageCsvOptions.GroupColumnName), error.ParamName);
        error = Assert.Throws<ArgumentException>(() => _ml.Data.LoadFromImageCsv(csv, new ImageCsvOptions { GroupColumnName = "Label2", SourceColumnName = "Label2" }));
        Assert.Equal(nameof(ImageCsvOptions.SourceColumnName), error.ParamName);
    }

    [Fact]
    public void The_splits_of_a_folder_tree_come_with_their_classes_paths_and_warnings()
    {
        using var dir = new TempDataFolder();
        dir.File("xray/train/NORMAL/1.png");
        dir.File("xray/train/PNEUMONIA/2.png");
        dir.File("xray/train/PNEUMONIA/3.png");
        dir.File("xray/val/PNEUMONIA/4.png");
        dir.File("xray/test/NORMAL/5.png");
        dir.File("xray/test/NORMAL/readme.txt");

        var splits = _ml.Data.LoadImageSplits(dir.PathOf("xray"));

        Assert.Equal(TaskKind.Binary, splits.Task);
        Assert.Equal(new[] { "NORMAL", "PNEUMONIA" }, splits.ClassNames);
        Assert.Equal(dir.PathOf("xray/train"), splits.TrainPath);
        Assert.Equal(dir.PathOf("xray/val"), splits.ValidationPath);
        Assert.Equal(dir.PathOf("xray/test"), splits.TestPath);
        Assert.Equal(3, splits.TrainSet.GetColumn<string>("ImagePath").Count());
        Assert.Equal(new[] { dir.PathOf("xray/val/PNEUMONIA/4.png") }, splits.ValidationSet!.GetColumn<string>("ImagePath"));
        Assert.Equal(new[] { "NORMAL" }, splits.TestSet!.GetColumn<string>("Label"));
        Assert.Contains(splits.Warnings, w => w.Contains("validation split has only class 'PNEUMONIA'"));
        Assert.Contains(splits.Warnings, w => w.Contains(dir.PathOf("xray/test")) && w.Contains("1 file"));
    }

    [Fact]
    public void The_splits_of_csv_files_are_checked_together_and_errors_name_the_parameters()
    {
        using var dir = new TempDataFolder();
        string train = dir.Csv("train.csv", "Path,Label,PatientId", new[] { $"{dir.Image("a.png")},NORMAL,P1", $"{dir.Image("b.png")},OPACITY,P2" });
        string test = dir.Csv("test.csv", "Path,Label,PatientId", new[] { $"{dir.Image("c.png")},NORMAL,P3", $"{dir.Image("d.png")},OPACITY,P2" });
        string unknown = dir.Csv("unknown.csv", "Path,Label,PatientId", new[] { $"{dir.Image("e.png")},COVID,P4" });

        var splits = _ml.Data.LoadImageSplits(train, new ImageSplitsOptions { TestPath = test });
        Assert.Equal(2, splits.TestSet!.GetColumn<string>("Label").Count());
        Assert.Null(splits.ValidationSet);

        string shared = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(train, new ImageSplitsOptions { TestPath = test, GroupColumnName = "PatientId" })).Message;
        Assert.Contains($"{nameof(ImageCsvOptions.GroupColumnName)} PatientId: 'P2'", shared);
        Assert.Contains($"{train} line 3", shared);
        Assert.Contains($"{test} line 3", shared);
        // For evaluation, splits are not checked against each other.
        _ml.Data.LoadImageSplits(train, new ImageSplitsOptions { TestPath = test, GroupColumnName = "PatientId", ForEvaluation = true });

        string notKnown = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(train, new ImageSplitsOptions { ValidationPath = unknown })).Message;
        Assert.Contains("validation split", notKnown);
        Assert.Contains($"{unknown} line 2", notKnown);

        string form = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(train, new ImageSplitsOptions { ValidationPath = dir.Root })).Message;
        Assert.Contains(nameof(ImageSplitsOptions.ValidationPath), form);
        Assert.Contains($"dataPath {train} is a CSV file", form);

        string missing = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageSplits(dir.PathOf("nope"))).Message;
        Assert.Contains("dataPath", missing);
        Assert.Contains("does not exist", missing);
    }

    [Fact]
    public void Loaded_paths_feed_LoadImages_without_an_image_folder_and_the_classes_are_the_key_order()
    {
        using var dir = new TempDataFolder();
        for (int i = 0; i < 4; i++)
        {
            dir.Png($"d/train/{(i % 2 == 0 ? "OPACITY" : "NORMAL")}/{i}.png", seed: i + 1);
        }

        var splits = _ml.Data.LoadImageSplits(dir.PathOf("d"));
        var pipeline = _ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(_ml.Transforms.LoadImages("Image", imageFolder: null, "ImagePath"));
        var loaded = pipeline.Fit(splits.TrainSet).Transform(splits.TrainSet);

        Assert.All(loaded.GetColumn<MLImage>("Image"), image => Assert.Equal(32, image.Width));
        VBuffer<ReadOnlyMemory<char>> keys = default;
        loaded.Schema["Label"].GetKeyValues(ref keys);
        Assert.Equal(splits.ClassNames, keys.DenseValues().Select(k => k.ToString()));
    }

    [Fact]
    public void Images_to_score_in_a_folder_are_those_the_class_folder_reader_takes_from_it()
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

        // DICOM's media files often have no extension: the preamble ("DICM" at byte 128) marks them; other files
        // without an extension are not images.
        var dicom = new byte[200];
        "DICM"u8.CopyTo(dicom.AsSpan(128));
        File.WriteAllBytes(dir.PathOf("d/A/IM000001"), dicom);
        dir.File("d/A/README");

        var scored = _ml.Data.LoadFromImagePaths(new[] { dir.PathOf("d/A") }).GetColumn<string>("ImagePath").ToList();
        // For evaluation, which reads one class; the class folder reader's warning counts the files it ignored.
        var splits = _ml.Data.LoadImageSplits(dir.PathOf("d"), new ImageSplitsOptions { ForEvaluation = true });

        Assert.Equal(splits.TrainSet.GetColumn<string>("ImagePath"), scored);
        Assert.Equal(new[] { "IM000001", "a.png", "b.PNG", "c.JpEg", "d.jpg", "scan.dcm", "sub/deeper/f.jpeg" }.Select(n => dir.PathOf($"d/A/{n}")), scored);
        // notes.txt, README, ._a.png, .DS_Store, e.png.bak, sub/.hidden.png; hidden folders are not entered.
        Assert.Contains(splits.Warnings, w => w.Contains(dir.PathOf("d")) && w.Contains("ignored 6 files"));
    }

    [Fact]
    public void Images_to_score_come_in_the_order_given_each_folder_in_ordinal_order_and_named_files_as_given()
    {
        using var dir = new TempDataFolder();
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
    public void Images_to_score_from_a_path_that_names_nothing_or_a_folder_without_images_are_refused_naming_it()
    {
        using var dir = new TempDataFolder();
        dir.File("f/notes.txt");
        string missing = dir.PathOf("nowhere/x.png");

        var absent = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImagePaths(new[] { dir.PathOf("f"), missing }));
        var empty = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImagePaths(new[] { dir.PathOf("f") }));
        var blank = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImagePaths(new[] { dir.PathOf("f"), " " }));

        Assert.Equal($"paths: {missing} is neither a file nor a folder.", absent.Message);
        Assert.StartsWith("paths: no .png, .jpg, .jpeg, .dcm or extensionless DICOM files in ", empty.Message);
        Assert.Contains(dir.PathOf("f"), empty.Message);
        Assert.Contains("paths: entry 1 is blank", blank.Message);
        Assert.Throws<InvalidDataException>(() => _ml.Data.LoadFromImagePaths(Array.Empty<string>()));
        Assert.Throws<ArgumentNullException>(() => _ml.Data.LoadFromImagePaths(null!));
    }
}
