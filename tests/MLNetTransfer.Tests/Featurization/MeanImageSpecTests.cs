using System;
using MLNetTransfer.Featurization;
using MLNetTransfer.Onnx;
using Xunit;

namespace MLNetTransfer.Tests.Featurization;

/// <summary>The mean image the featurizer puts into its graph must fit the crop and the network's channels.</summary>
public sealed class MeanImageSpecTests
{
    [Fact]
    public void A_mean_image_that_does_not_fit_the_crop_is_refused_by_name()
    {
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 3)
        {
            InputSize = 64,
            CropSize = 56,
            Mean = new[] { 0.4f, 0.4f, 0.4f },
            Std = new[] { 1 / 255f, 1 / 255f, 1 / 255f },
            MeanImage = MLNetMeanImage.Rgb(),
            Head = ClassifierHeadKind.None,
            Activation = OutputActivation.None,
        };

        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(new WeightSnapshot(), spec));
        Assert.Contains("MeanImage", e.Message);
        Assert.Contains("3 x 56 x 56", e.Message);
    }
}
