using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Data;
using MLNetTransfer.Scoring;
using MLNetTransfer.Tests.Conformance;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Data;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// <see cref="ImageDataCatalog.TrainValidationSplit"/> is the split <see cref="ResNetFineTuneTrainer"/> makes itself when
/// it holds out <see cref="ResNetFineTuneTrainer.Options.ValidationFraction"/>: the same rows, whatever form the label has.
/// </summary>
[Collection("NoParallelization")]
public sealed class TrainValidationSplitTests
{
    private readonly ITestOutputHelper _output;

    public TrainValidationSplitTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(0.25, 1, true)]
    [InlineData(0.2, 7, true)]
    [InlineData(0.3, 3, false)]
    public void The_public_split_of_text_labels_is_the_estimators_split_of_key_labels(double fraction, int seed, bool grouped)
    {
        using var images = new TestImages(90, seed: 31, flippedEvery: 4, imagesPerPatient: 3);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        string? group = grouped ? nameof(TestImages.Row.Patient) : null;

        var split = ml.Data.TrainValidationSplit(data, fraction, group, "Label", seed);

        // What Fit does: the key label after MapValueToKey (here in order of occurrence, not the text's order), the rows
        // read as the engine reads them, then the hold-out.
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        using var pixels = new ScoringPixelLoader(ml, 32);
        var rows = ImageRowReader.Read(keyed, LabelSchema.From(keyed.Schema, "Label"), nameof(TestImages.Row.ImagePath), group, null, pixels, image => image, "The training data", new ImageRowReader.ImageGate(ImageFileCheck.DefaultMaxPixels, 0));
        var (_, heldOut) = GroupedSplit.Split(rows, fraction, seed);

        string[] paths = images.Rows.Select(r => r.ImagePath).ToArray();
        Assert.Equal(heldOut.Select(i => paths[i]), split.ValidationSet.GetColumn<string>(nameof(TestImages.Row.ImagePath)));
        Assert.Equal(paths.Where((_, i) => !heldOut.Contains(i)), split.TrainSet.GetColumn<string>(nameof(TestImages.Row.ImagePath)));
    }

    [Fact]
    public void Fit_holding_out_its_fraction_trains_and_validates_as_on_the_public_split()
    {
        using var images = new TestImages(48, seed: 17, imagesPerPatient: 3);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var options = TestImages.FastOptions(epochs: 1);
        options.ImageColumnName = nameof(TestImages.Row.ImagePath);
        options.GroupColumnName = nameof(TestImages.Row.Patient);
        options.ValidationFraction = 0.25;
        options.Seed = 5;
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue);

        // The estimator holds out 25% itself.
        var own = new System.Collections.Generic.List<EpochMetrics>();
        options.MetricsCallback = own.Add;
        using (toKey.Append(ml.Transforms.FineTuneResNet(options)).Fit(data))
        {
        }

        // The public split of the same rows, given to it as training data and validation set.
        var split = ml.Data.TrainValidationSplit(data, options.ValidationFraction, options.GroupColumnName, "Label", options.Seed!.Value);
        var given = new System.Collections.Generic.List<EpochMetrics>();
        options.MetricsCallback = given.Add;
        var keys = toKey.Fit(split.TrainSet);
        options.ValidationSet = keys.Transform(split.ValidationSet);
        using (keys.Append(ml.Transforms.FineTuneResNet(options).Fit(keys.Transform(split.TrainSet))))
        {
        }

        var a = Assert.Single(own);
        var b = Assert.Single(given);
        _output.WriteLine($"own hold-out: train loss {a.TrainLoss:R}, val loss {a.ValidationLoss:R}; public split: train loss {b.TrainLoss:R}, val loss {b.ValidationLoss:R}");
        Assert.Equal(a.TrainLoss, b.TrainLoss, 6);
        Assert.Equal(a.ValidationLoss, b.ValidationLoss, 6);
        Assert.Equal(a.ValidationAuc, b.ValidationAuc, 6);
    }

    [Fact]
    public void Both_sides_keep_every_column_and_the_rows_order()
    {
        using var images = new TestImages(40, seed: 3);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var split = ml.Data.TrainValidationSplit(data, 0.3, nameof(TestImages.Row.Patient), seed: 2);

        Assert.Equal(data.Schema.Select(c => (c.Name, c.Type)), split.TrainSet.Schema.Select(c => (c.Name, c.Type)));
        var all = images.Rows.Select(r => r.ImagePath).ToList();
        var train = split.TrainSet.GetColumn<string>(nameof(TestImages.Row.ImagePath)).ToList();
        var validation = split.ValidationSet.GetColumn<string>(nameof(TestImages.Row.ImagePath)).ToList();
        Assert.Equal(train.Count, split.TrainSet.GetRowCount());
        Assert.Equal(all.Where(train.Contains), train);
        Assert.Equal(all.Where(validation.Contains), validation);
        Assert.Equal(all.Order(), train.Concat(validation).Order());
        // A second cursor gives the same rows (the views are not consumed), and other columns line up with the paths.
        Assert.Equal(validation, split.ValidationSet.GetColumn<string>(nameof(TestImages.Row.ImagePath)));
        Assert.Equal(validation.Select(p => images.Rows.Single(r => r.ImagePath == p).Label), split.ValidationSet.GetColumn<string>("Label"));
    }

    [Fact]
    public void The_split_is_deterministic_and_depends_on_the_seed()
    {
        using var images = new TestImages(60, seed: 9);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        string[] Held(int seed) => ml.Data.TrainValidationSplit(data, 0.25, nameof(TestImages.Row.Patient), seed: seed).ValidationSet
            .GetColumn<string>(nameof(TestImages.Row.ImagePath)).ToArray();
        Assert.Equal(Held(4), Held(4));
        Assert.NotEqual(Held(4), Held(5));
    }

    [Fact]
    public void Bad_arguments_name_what_is_wrong()
    {
        using var images = new TestImages(8, seed: 2);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        Assert.Equal("validationFraction", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.TrainValidationSplit(data, 1.0)).ParamName);
        Assert.Equal("validationFraction", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.TrainValidationSplit(data, 0)).ParamName);
        Assert.Contains("'PatientId'", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.TrainValidationSplit(data, 0.2, "PatientId")).Message);
        Assert.Contains("'Class'", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.TrainValidationSplit(data, 0.2, labelColumnName: "Class")).Message);
        // Four patients of two images: a fraction of 0.05 holds out nothing.
        var few = Assert.Throws<InvalidOperationException>(() => ml.Data.TrainValidationSplit(data, 0.05, nameof(TestImages.Row.Patient)));
        Assert.Contains("no validation", few.Message);
        Assert.Contains("4 group(s)", few.Message);
    }

    [Fact]
    public void A_multi_label_vector_is_not_stratified_and_still_splits_by_patient()
    {
        using var folder = new TempDataFolder();
        string csv = folder.Csv("labels.csv", "Path,PatientId,Edema,Effusion", Enumerable.Range(0, 40).Select(i => $"{folder.Image($"img{i}.png")},P{i / 4},{i % 2},{(i % 3 == 0 ? "-1" : "")}"));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromImageCsv(csv, new ImageCsvOptions { LabelColumnNames = new[] { "Edema", "Effusion" }, GroupColumnName = "PatientId" });
        var split = ml.Data.TrainValidationSplit(data, 0.25, "PatientId");
        var unstratified = ml.Data.TrainValidationSplit(data, 0.25, "PatientId", labelColumnName: null);
        Assert.Equal(unstratified.ValidationSet.GetColumn<string>("ImagePath"), split.ValidationSet.GetColumn<string>("ImagePath"));
        Assert.InRange(split.ValidationSet.GetColumn<string>("ImagePath").Count(), 8, 12); // 10 patients of 4 images: two or three
        var trainPatients = split.TrainSet.GetColumn<string>("PatientId").ToHashSet();
        Assert.DoesNotContain(split.ValidationSet.GetColumn<string>("PatientId"), trainPatients.Contains);
    }
}
