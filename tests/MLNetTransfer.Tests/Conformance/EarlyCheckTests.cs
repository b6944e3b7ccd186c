using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetTransfer.Tests.Conformance;

/// <summary>Bad options, validation sets and label types fail before any weights are loaded or images read.</summary>
[Collection("NoParallelization")]
public sealed class EarlyCheckTests
{
    private sealed class ByteKeyRow
    {
        [LoadColumn(0)]
        public string ImagePath { get; set; } = "";

        [LoadColumn(1)]
        [KeyType(2)]
        public byte Label { get; set; }
    }

    [Fact]
    public void Engine_options_are_checked_when_the_estimator_is_made()
    {
        var ml = new MLContext();
        var options = TestImages.FastOptions();
        options.BatchSize = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FineTuneResNet(options));
        Assert.Equal("BatchSize", e.ParamName);

        options = TestImages.FastOptions();
        options.ImageCacheBytes = -1;
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FineTuneResNet(options));
        Assert.Equal("ImageCacheBytes", e.ParamName);
    }

    [Fact]
    public void A_validation_set_without_the_image_column_is_named_before_training()
    {
        using var images = new TestImages(16, seed: 2);
        var ml = new MLContext(seed: 1);
        var prepare = TestImages.KeyAndImages(ml);
        var train = prepare.Fit(images.Load(ml)).Transform(images.Load(ml));
        var options = TestImages.FastOptions();
        options.ValidationSet = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(images.Load(ml)).Transform(images.Load(ml)); // labels mapped, but no Image column
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FineTuneResNet(options).Fit(train));
        Assert.Contains("ValidationSet", e.Message);
        Assert.Contains("'Image'", e.Message);
    }

    [Fact]
    public void A_key_label_of_another_width_is_refused_in_mlnet_wording()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new ByteKeyRow { ImagePath = "a.png", Label = 1 }, new ByteKeyRow { ImagePath = "b.png", Label = 2 } });
        Assert.Equal(typeof(byte), data.Schema["Label"].Type.RawType);
        var estimator = ml.Transforms.LoadImages("Image", null, nameof(ByteKeyRow.ImagePath)).Append(ml.Transforms.FineTuneResNet(TestImages.FastOptions()));
        // The schema shape by the public route: a TextLoader of the row type (no data read).
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.CreateTextLoader<ByteKeyRow>().Append(estimator).GetOutputSchema());
        Assert.Contains("Schema mismatch for input column 'Label'", shape.Message);
        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.True(fit.Message.Contains("Key<UInt32>"), fit.Message);
    }
}
