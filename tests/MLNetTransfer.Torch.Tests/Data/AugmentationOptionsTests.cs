using System;
using MLNetTransfer.Torch.Data;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Data;

/// <summary>
/// The defaults (docs/design.md, "Augmentation"), the medical-imaging guardrails and the always-impossible values.
/// </summary>
public sealed class AugmentationOptionsTests
{
    [Fact]
    public void DefaultsAreResize256RandomCrop224AndMildAugmentation()
    {
        var options = new AugmentationOptions();

        Assert.Equal((256, 224, true), (options.ResizeTo, options.CropSize, options.RandomCrop));
        Assert.Equal((0.5, 0.0), (options.HorizontalFlipProbability, options.VerticalFlipProbability));
        Assert.Equal((10.0, 0.1, 0.1), (options.MaxRotationDegrees, options.Brightness, options.Contrast));
        Assert.False(options.AllowStrongAugmentation);
        Assert.True(options.IsRandom);
        options.Validate();
    }

    [Fact]
    public void EvalOnlyIsNotRandomAndAnyRandomOpMakesItRandom()
    {
        Assert.False(AugmentationOptions.EvalOnly().IsRandom);
        AugmentationOptions.EvalOnly().Validate();

        Assert.True(WithEvalOnly(o => o.RandomCrop = true).IsRandom);
        Assert.True(WithEvalOnly(o => o.HorizontalFlipProbability = 0.1).IsRandom);
        Assert.True(WithEvalOnly(o => o.MaxRotationDegrees = 1).IsRandom);
        Assert.True(WithEvalOnly(o => o.Brightness = 0.05).IsRandom);
        Assert.True(WithEvalOnly(o => o.Contrast = 0.05).IsRandom);
        Assert.Equal((64, 56), (AugmentationOptions.EvalOnly(64, 56).ResizeTo, AugmentationOptions.EvalOnly(64, 56).CropSize));
    }

    [Theory]
    [InlineData(nameof(AugmentationOptions.VerticalFlipProbability), 0.1, "anatomy")]
    [InlineData(nameof(AugmentationOptions.MaxRotationDegrees), 20.0, "positioning")]
    [InlineData(nameof(AugmentationOptions.Brightness), 0.3, "diagnostic")]
    [InlineData(nameof(AugmentationOptions.Contrast), 0.25, "diagnostic")]
    public void StrongAugmentationIsRefusedNamingTheOptionAndWhyUnlessAllowed(string option, double value, string reason)
    {
        var options = new AugmentationOptions();
        typeof(AugmentationOptions).GetProperty(option)!.SetValue(options, value);

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Contains(nameof(AugmentationOptions.AllowStrongAugmentation), e.Message);

        options.AllowStrongAugmentation = true;
        options.Validate();
    }

    [Fact]
    public void LimitsThemselvesAreAccepted()
    {
        new AugmentationOptions { MaxRotationDegrees = 15, Brightness = 0.2, Contrast = 0.2, HorizontalFlipProbability = 1 }.Validate();
    }

    [Theory]
    [InlineData(nameof(AugmentationOptions.HorizontalFlipProbability), 1.5)]
    [InlineData(nameof(AugmentationOptions.HorizontalFlipProbability), -0.1)]
    [InlineData(nameof(AugmentationOptions.VerticalFlipProbability), double.NaN)]
    [InlineData(nameof(AugmentationOptions.MaxRotationDegrees), -5.0)]
    [InlineData(nameof(AugmentationOptions.MaxRotationDegrees), 200.0)]
    [InlineData(nameof(AugmentationOptions.Brightness), double.NaN)]
    [InlineData(nameof(AugmentationOptions.Brightness), 1.5)]
    [InlineData(nameof(AugmentationOptions.Contrast), -0.1)]
    [InlineData(nameof(AugmentationOptions.Contrast), double.PositiveInfinity)]
    public void ImpossibleValuesAreRefusedEvenWhenStrongAugmentationIsAllowed(string option, double value)
    {
        var options = new AugmentationOptions { AllowStrongAugmentation = true };
        typeof(AugmentationOptions).GetProperty(option)!.SetValue(options, value);

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void SizesAreChecked()
    {
        Assert.Equal("ResizeTo", Assert.Throws<ArgumentOutOfRangeException>(new AugmentationOptions { ResizeTo = 0 }.Validate).ParamName);
        Assert.Equal("CropSize", Assert.Throws<ArgumentOutOfRangeException>(new AugmentationOptions { CropSize = -1 }.Validate).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(new AugmentationOptions { ResizeTo = 200, CropSize = 224, AllowStrongAugmentation = true }.Validate);
        Assert.Equal("CropSize", e.ParamName);
        Assert.Contains("ResizeTo", e.Message);
        new AugmentationOptions { ResizeTo = 224, CropSize = 224 }.Validate();
    }

    private static AugmentationOptions WithEvalOnly(Action<AugmentationOptions> change)
    {
        AugmentationOptions options = AugmentationOptions.EvalOnly();
        change(options);
        return options;
    }
}
