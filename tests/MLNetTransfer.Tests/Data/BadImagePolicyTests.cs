using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Conformance;
using Xunit;
using Xunit.Abstractions;
using KeyOrdinality = Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// BadImagePolicy.Skip: the rows the image gate refuses are left out of training and validation and listed with the
/// reason, never silently; with no row or one class left the usual errors fire. And the gate on an MLImage column
/// (decoded by LoadImages already): an image smaller than the crop or over the pixel budget is refused or skipped by row.
/// </summary>
[Collection("NoParallelization")]
[Trait("Category", "Reliability")]
public sealed class BadImagePolicyTests
{
    private readonly ITestOutputHelper _output;

    public BadImagePolicyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Skip_trains_on_the_good_rows_and_lists_the_bad_ones_with_their_reasons()
    {
        using var train = new TestImages(12, seed: 61);
        using var validation = new TestImages(8, seed: 62);
        Truncate(train.Rows[0].ImagePath);
        File.WriteAllText(train.Rows[3].ImagePath, "not an image");
        Truncate(validation.Rows[1].ImagePath);
        var ml = new MLContext(seed: 1);
        var key = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: KeyOrdinality.ByValue).Fit(train.Load(ml));
        var trainData = key.Transform(train.Load(ml));
        var validationData = key.Transform(validation.Load(ml));

        // Fail, the default, refuses them as before.
        var failing = Options(validationData, BadImagePolicy.Fail, _ => { }, _ => { });
        var refused = Assert.Throws<ImageFileException>(() => ml.Transforms.FineTuneResNet(failing).Fit(trainData));
        Assert.Equal(new[] { train.Rows[0].ImagePath, train.Rows[3].ImagePath }, refused.Problems.Select(p => p.Key).ToArray());

        var log = new List<string>();
        int stepsPerEpoch = 0;
        var options = Options(validationData, BadImagePolicy.Skip, log.Add, s => stepsPerEpoch = s.StepsPerEpoch);
        using var model = ml.Transforms.FineTuneResNet(options).Fit(trainData);
        log.ForEach(_output.WriteLine);

        Assert.Equal(
            new[]
            {
                (train.Rows[0].ImagePath, "The training data", 0L),
                (train.Rows[3].ImagePath, "The training data", 3L),
                (validation.Rows[1].ImagePath, "The validation set", 1L),
            },
            model.SkippedImages.Select(s => (s.Path, s.Data, s.Row)).ToArray());
        Assert.Contains("truncated", model.SkippedImages[0].Reason);
        Assert.Contains("not a PNG or JPEG", model.SkippedImages[1].Reason);
        Assert.Contains("truncated", model.SkippedImages[2].Reason);

        // 10 training images left, in batches of 2 (12 would be 6 steps).
        Assert.Equal(5, stepsPerEpoch);
        Assert.Contains(log, l => l.Contains("left out 3 image(s)"));
        Assert.Contains(log, l => l.Contains(train.Rows[3].ImagePath) && l.Contains("not a PNG or JPEG"));
    }

    [Fact]
    public void Fail_leaves_SkippedImages_empty()
    {
        using var train = new TestImages(8, seed: 63);
        var ml = new MLContext(seed: 1);
        var options = TestImages.FastOptions(epochs: 1);
        options.ImageColumnName = nameof(TestImages.Row.ImagePath);
        options.ValidationFraction = 0;
        using var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.FineTuneResNet(options)).Fit(train.Load(ml)).LastTransformer;
        Assert.Empty(model.SkippedImages);

        options.BadImagePolicy = (BadImagePolicy)7;
        var undefined = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FineTuneResNet(options));
        Assert.Equal(nameof(ResNetFineTuneTrainer.Options.BadImagePolicy), undefined.ParamName);
    }

    [Fact]
    public void Skip_with_every_row_bad_or_one_class_left_stops_with_the_usual_errors()
    {
        using var images = new TestImages(8, seed: 64);
        var ml = new MLContext(seed: 1);
        var options = TestImages.FastOptions(epochs: 1);
        options.ImageColumnName = nameof(TestImages.Row.ImagePath);
        options.ValidationFraction = 0;
        options.BadImagePolicy = BadImagePolicy.Skip;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.FineTuneResNet(options));

        foreach (var row in images.Rows.Where(r => r.Opacity))
        {
            Truncate(row.ImagePath);
        }

        Assert.Contains(images.Rows, r => r.Opacity);
        Assert.Contains(images.Rows, r => !r.Opacity);
        var oneClass = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(images.Load(ml)));
        Assert.Contains("only one class", oneClass.Message);

        foreach (var row in images.Rows)
        {
            Truncate(row.ImagePath);
        }

        var none = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(images.Load(ml)));
        Assert.Contains("no rows left", none.Message);
        Assert.Contains("all 8", none.Message);
        Assert.Contains(images.Rows[0].ImagePath, none.Message);
    }

    [Fact]
    public void An_MLImage_column_smaller_than_the_crop_is_refused_by_Fail_and_skipped_by_Skip()
    {
        using var images = new TestImages(12, seed: 65);
        var small = SyntheticChestXrays.EncodePng(SyntheticChestXrays.Generate(1, 32, seed: 9).Single());
        File.WriteAllBytes(images.Rows[1].ImagePath, small);
        File.WriteAllBytes(images.Rows[4].ImagePath, small);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var options = TestImages.FastOptions(epochs: 1);
        options.ImageColumnName = "Image";
        options.ValidationFraction = 0;

        var refused = Assert.Throws<ImageFileException>(() => TestImages.KeyAndImages(ml).Append(ml.Transforms.FineTuneResNet(options)).Fit(data));
        _output.WriteLine(refused.Message);
        Assert.Equal(2, refused.Problems.Count);
        Assert.Contains("row 1 of column 'Image'", refused.Problems[0].Value);
        Assert.Contains("row 4 of column 'Image'", refused.Problems[1].Value);
        Assert.All(refused.Problems, p => Assert.Contains("is 32x32, smaller than the 56 px crop", p.Value));

        options.BadImagePolicy = BadImagePolicy.Skip;
        using var model = TestImages.KeyAndImages(ml).Append(ml.Transforms.FineTuneResNet(options)).Fit(data).LastTransformer;
        Assert.Equal(new[] { 1L, 4L }, model.SkippedImages.Select(s => s.Row).ToArray());
        Assert.All(model.SkippedImages, s => Assert.Contains("smaller than the 56 px crop", s.Reason));
    }

    [Fact]
    public void An_MLImage_column_over_the_pixel_budget_is_refused_by_row()
    {
        using var images = new TestImages(8, seed: 64); // both classes (the test above checks)
        var ml = new MLContext(seed: 1);
        var options = TestImages.FastOptions(epochs: 1);
        options.ImageColumnName = "Image";
        options.MaxImagePixels = 4000; // under the 64 x 64 = 4096 of every image
        var refused = Assert.Throws<ImageFileException>(() => TestImages.KeyAndImages(ml).Append(ml.Transforms.FineTuneResNet(options)).Fit(images.Load(ml)));
        Assert.Equal(8, refused.Problems.Count);
        Assert.Contains("row 0 of column 'Image', decoded by LoadImages", refused.Problems[0].Value);
        Assert.Contains("64x64 = 4,096 pixels, over the limit of 4,000", refused.Problems[0].Value);
    }

    private static ResNetFineTuneTrainer.Options Options(IDataView validation, BadImagePolicy policy, Action<string> log, Action<StepProgress> step)
    {
        var options = TestImages.FastOptions(epochs: 1);
        options.ImageColumnName = nameof(TestImages.Row.ImagePath);
        options.ValidationSet = validation;
        options.BatchSize = 2;
        options.BadImagePolicy = policy;
        options.Log = log;
        options.StepCallback = step;
        return options;
    }

    private static void Truncate(string path) => File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
}
