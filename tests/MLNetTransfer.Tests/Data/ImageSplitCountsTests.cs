using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Tests.Shared;
using Xunit;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// The counts <see cref="ImageDataSplits"/> carries per split: images per class, counted here again from the loaded
/// views' Label column; and for a CheXpert-style CSV the 1, 0, -1 and blank cells per label, counted by hand from the file.
/// </summary>
public sealed class ImageSplitCountsTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void A_folder_tree_counts_each_class_per_split_with_absent_classes_at_zero()
    {
        using var dir = new TempDataFolder();
        dir.File("d/train/NORMAL/1.png");
        dir.File("d/train/PNEUMONIA/1.png");
        dir.File("d/train/PNEUMONIA/2.jpg");
        dir.File("d/train/PNEUMONIA/notes.txt");
        dir.File("d/test/PNEUMONIA/1.png");

        var splits = _ml.Data.LoadImageSplits(dir.PathOf("d"));

        Assert.Null(splits.ValidationCounts);
        Assert.Equal(3, splits.TrainCounts.Images);
        Assert.Equal(new[] { ("NORMAL", 1), ("PNEUMONIA", 2) }, splits.TrainCounts.ImagesPerClass.Select(p => (p.Key, p.Value)));
        Assert.Equal(new[] { ("NORMAL", 0), ("PNEUMONIA", 1) }, splits.TestCounts!.ImagesPerClass.Select(p => (p.Key, p.Value)));
        Assert.Empty(splits.TrainCounts.LabelValues);
        foreach (var (view, counts) in new[] { (splits.TrainSet, splits.TrainCounts), (splits.TestSet!, splits.TestCounts) })
        {
            var labels = view.GetColumn<string>("Label").ToList();
            Assert.Equal(labels.Count, counts.Images);
            Assert.All(counts.ImagesPerClass, p => Assert.Equal(labels.Count(l => l == p.Key), p.Value));
        }
    }

    [Fact]
    public void A_multi_label_csv_counts_positive_negative_uncertain_and_blank_per_label_in_the_order_given()
    {
        using var dir = new TempDataFolder();
        string csv = dir.Csv("train.csv", "Path,Edema,Pleural Effusion", new[]
        {
            $"{dir.Image("a.png")},1.0,0.0",
            $"{dir.Image("b.png")},-1.0,",
            $"{dir.Image("c.png")},,1.0",
            $"{dir.Image("d.png")},0.0,1",
            $"{dir.Image("e.png")},1,-1",
        });
        string validation = dir.Csv("valid.csv", "Path,Edema,Pleural Effusion", new[] { $"{dir.Image("f.png")},0,1" });

        var splits = _ml.Data.LoadImageSplits(csv, new ImageSplitsOptions
        {
            LabelColumnNames = new[] { "Pleural Effusion", "Edema" },
            ValidationPath = validation,
        });

        Assert.Equal(5, splits.TrainCounts.Images);
        Assert.Empty(splits.TrainCounts.ImagesPerClass);
        Assert.Equal(new[] { "Pleural Effusion", "Edema" }, splits.TrainCounts.LabelValues.Keys);
        Assert.Equal(new MultiLabelValueCounts(Positive: 2, Negative: 1, Uncertain: 1, Missing: 1), splits.TrainCounts.LabelValues["Pleural Effusion"]);
        Assert.Equal(new MultiLabelValueCounts(Positive: 2, Negative: 1, Uncertain: 1, Missing: 1), splits.TrainCounts.LabelValues["Edema"]);
        Assert.Equal(new MultiLabelValueCounts(1, 0, 0, 0), splits.ValidationCounts!.LabelValues["Pleural Effusion"]);
        Assert.Equal(new MultiLabelValueCounts(0, 1, 0, 0), splits.ValidationCounts.LabelValues["Edema"]);
        Assert.Equal("1: 0, 0: 1, -1: 0, blank: 0", splits.ValidationCounts.LabelValues["Edema"].ToString());
        Assert.Null(splits.TestCounts);
    }
}
