using System;
using System.Linq;
using MLNetTransfer.Torch.Data;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Data;

/// <summary>
/// Resize (PIL's antialiased bilinear), crops, flips, rotation, intensity jitter, channel conversion and
/// normalisation, on images whose right answer is known.
/// </summary>
public sealed class ImageTransformsTests
{
    /// <summary>A <see cref="Random"/> that returns given values, to pin the transform's draws.</summary>
    private sealed class ScriptedRandom(int row, int column, double flipX, double flipY, double angle, double brightness, double contrast) : Random
    {
        private readonly int[] _ints = [row, column];
        private readonly double[] _doubles = [flipX, flipY, angle, brightness, contrast];
        private int _nextInt;
        private int _nextDouble;

        public override int Next(int maxValue) => Math.Min(_ints[_nextInt++], maxValue - 1);

        public override double NextDouble() => _doubles[_nextDouble++];
    }

    // r = 0.5 draws 0 for angle and brightness and 1 for the contrast factor; flips draw 0.99 (not taken unless p = 1).
    private static ScriptedRandom Plain(int row = 0, int column = 0, double angle = 0.5, double brightness = 0.5, double contrast = 0.5) =>
        new(row, column, 0.99, 0.99, angle, brightness, contrast);

    private static DecodedImage Image(int width, int height, int channels, Func<int, int, int, float> value)
    {
        var pixels = new float[channels * width * height];
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    pixels[(c * height + y) * width + x] = value(c, x, y);
                }
            }
        }

        return DecodedImage.FromPixels(pixels, width, height, channels);
    }

    private static float At(float[] chw, int size, int c, int x, int y) => chw[(c * size + y) * size + x];

    [Theory]
    [InlineData(500, 375, 341, 256)]
    [InlineData(375, 500, 256, 341)]
    [InlineData(100, 100, 256, 256)]
    [InlineData(1000, 257, 996, 256)]
    public void ShorterSideSizeIsTorchvisions(int width, int height, int expectedWidth, int expectedHeight)
    {
        Assert.Equal((expectedWidth, expectedHeight), ImageResampler.ShorterSideSize(width, height, 256));
    }

    [Fact]
    public void ConstantImageStaysConstant()
    {
        DecodedImage image = Image(431, 300, 3, (c, x, y) => 0.1f + 0.3f * c);

        float[] output = ImageTransforms.Eval(image, new AugmentationOptions(), 3);

        Assert.Equal(3 * 224 * 224, output.Length);
        for (int c = 0; c < 3; c++)
        {
            Assert.All(output.Skip(c * 224 * 224).Take(224 * 224), v => Assert.Equal(0.1f + 0.3f * c, v, 1e-6f));
        }
    }

    [Fact]
    public void CenterCropOfAnUnresizedGradientIsExact()
    {
        // Shorter side already 256: no resampling; the crop starts at round((512 - 224) / 2) = 144.
        DecodedImage image = Image(512, 256, 1, (c, x, y) => x / 511f);

        float[] output = ImageTransforms.Eval(image, new AugmentationOptions(), 1);

        for (int x = 0; x < 224; x++)
        {
            Assert.Equal((144 + x) / 511f, At(output, 224, 0, x, 100));
        }
    }

    [Fact]
    public void ShrinkingByTwoAveragesSymmetrically()
    {
        // A ramp v(x) = x shrunk 2x with a triangle of support 2: output xx = mean position 2 xx + 0.5 in the interior.
        DecodedImage image = Image(1024, 512, 1, (c, x, y) => x / 1023f);

        float[] output = ImageTransforms.Eval(image, new AugmentationOptions(), 1);

        // Resized to 512x256, crop left = 144.
        for (int x = 0; x < 224; x++)
        {
            Assert.Equal((2 * (144 + x) + 0.5f) / 1023f, At(output, 224, 0, x, 50), 1e-6f);
        }
    }

    [Fact]
    public void ShrinkingAFineCheckerboardIsAntialiasedToGray()
    {
        // Shrinking 768 -> 256 (factor 3): plain bilinear samples exactly at input pixel 3 xx + 1 and returns the
        // checkerboard at full contrast (aliasing). The triangle widened 3 times has taps 1/9, 2/9, 3/9, 2/9, 1/9, whose
        // response to a one-pixel alternation is 1/9 per axis: 0.5 ± 0.5/81 in 2-D.
        DecodedImage image = Image(768, 768, 1, (c, x, y) => (x + y) % 2);

        float[] output = ImageTransforms.Eval(image, AugmentationOptions.EvalOnly(256, 224), 1);

        Assert.All(output, v => Assert.Equal(0.5f, v, 0.5f / 81 + 1e-6f));
        Assert.Equal(0.5f + 0.5f / 81, output.Max(), 1e-6f);
    }

    [Fact]
    public void EnlargingIsBilinearWithHalfPixelCentres()
    {
        // PIL: 2 -> 4 gives [p0, 0.75 p0 + 0.25 p1, 0.25 p0 + 0.75 p1, p1].
        DecodedImage image = Image(2, 2, 1, (c, x, y) => x);

        float[] output = ImageTransforms.Eval(image, AugmentationOptions.EvalOnly(4, 4), 1);

        Assert.Equal(new[] { 0f, 0.25f, 0.75f, 1f }, output.Take(4).ToArray());
    }

    [Fact]
    public void ChannelConversionReplicatesGrayAndTakesBt601Luma()
    {
        DecodedImage gray = Image(8, 8, 1, (c, x, y) => x / 7f);
        DecodedImage red = Image(8, 8, 3, (c, x, y) => c == 0 ? 1f : 0f);
        AugmentationOptions options = AugmentationOptions.EvalOnly(8, 8);

        float[] replicated = ImageTransforms.Eval(gray, options, 3);
        float[] luma = ImageTransforms.Eval(red, options, 1);

        Assert.Equal(replicated.Take(64), replicated.Skip(64).Take(64));
        Assert.Equal(replicated.Take(64), replicated.Skip(128));
        Assert.Equal(gray.Pixels, replicated.Take(64));
        Assert.All(luma, v => Assert.Equal(0.299f, v, 1e-6f));
    }

    [Fact]
    public void TrainWithNothingRandomEqualsEvalBitForBit()
    {
        DecodedImage image = Image(300, 270, 3, (c, x, y) => ((x * 7 + y * 13 + c * 5) % 255) / 255f);
        AugmentationOptions options = AugmentationOptions.EvalOnly();

        Assert.Equal(ImageTransforms.Eval(image, options, 3), ImageTransforms.Train(image, options, 3, new Random(5)));
    }

    [Fact]
    public void SameSeedSameOutputOtherSeedOtherOutput()
    {
        DecodedImage image = Image(300, 280, 1, (c, x, y) => ((x * 3 + y * y) % 97) / 96f);
        var options = new AugmentationOptions();

        float[] a = ImageTransforms.Train(image, options, 1, new Random(42));
        float[] b = ImageTransforms.Train(image, options, 1, new Random(42));
        float[] other = ImageTransforms.Train(image, options, 1, new Random(43));

        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        Assert.All(a, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void RandomCropIsAWindowOfTheResizedImage()
    {
        // Shorter side 256 already; with only the random crop on, the output is the 224 window at the drawn corner.
        DecodedImage image = Image(300, 256, 1, (c, x, y) => (x * 256 + y) / (300f * 256));
        AugmentationOptions options = AugmentationOptions.EvalOnly();
        options.RandomCrop = true;

        float[] output = ImageTransforms.Train(image, options, 1, new Random(7));

        int left = (int)Math.Round(output[0] * 300 * 256) / 256;
        int top = (int)Math.Round(output[0] * 300 * 256) % 256;
        for (int y = 0; y < 224; y += 17)
        {
            for (int x = 0; x < 224; x += 13)
            {
                Assert.Equal(image.Pixels[(top + y) * 300 + left + x], At(output, 224, 0, x, y));
            }
        }
    }

    [Fact]
    public void FlipProbabilityOneMirrorsExactly()
    {
        DecodedImage image = Image(280, 260, 3, (c, x, y) => ((x * 11 + y * 3 + c) % 101) / 100f);
        var options = new AugmentationOptions { HorizontalFlipProbability = 0, MaxRotationDegrees = 0, Brightness = 0, Contrast = 0 };
        float[] plain = ImageTransforms.Train(image, options, 3, new Random(9));

        options.HorizontalFlipProbability = 1;
        float[] flipped = ImageTransforms.Train(image, options, 3, new Random(9));

        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < 224; y++)
            {
                for (int x = 0; x < 224; x++)
                {
                    Assert.Equal(At(plain, 224, c, 223 - x, y), At(flipped, 224, c, x, y));
                }
            }
        }

        options.VerticalFlipProbability = 1;
        options.HorizontalFlipProbability = 0;
        options.AllowStrongAugmentation = true;
        float[] upsideDown = ImageTransforms.Train(image, options, 3, new Random(9));
        Assert.Equal(At(plain, 224, 1, 5, 223), At(upsideDown, 224, 1, 5, 0));
    }

    [Fact]
    public void RotationIsCounterClockwiseAboutTheCentre()
    {
        // 33x33: centre pixel 16. A dot 5 pixels right of the centre goes 5 pixels up under +90°.
        DecodedImage image = Image(33, 33, 1, (c, x, y) => x == 21 && y == 16 ? 1f : 0f);
        var options = new AugmentationOptions
        {
            ResizeTo = 33, CropSize = 33, RandomCrop = false, HorizontalFlipProbability = 0,
            MaxRotationDegrees = 180, Brightness = 0, Contrast = 0, AllowStrongAugmentation = true,
        };

        float[] output = new float[33 * 33];
        ImageTransforms.TrainInto(image, options, 1, Plain(angle: 0.75), output); // (2 * 0.75 - 1) * 180 = +90

        Assert.Equal(1f, At(output, 33, 0, 16, 11), 1e-6f);
        Assert.Equal(1f, output.Sum(), 1e-5f);
    }

    [Fact]
    public void RotationSamplesBeyondTheCropAndFillsZeroBeyondTheImage()
    {
        DecodedImage image = Image(256, 256, 1, (c, x, y) => 0.6f);
        var options = new AugmentationOptions { HorizontalFlipProbability = 0, MaxRotationDegrees = 10, Brightness = 0, Contrast = 0, RandomCrop = false };

        // 5°: the rotated 224 crop stays inside the 256 image, so no black corners (torchvision would have them).
        var output = new float[224 * 224];
        ImageTransforms.TrainInto(image, options, 1, Plain(angle: 0.75), output);
        Assert.All(output, v => Assert.Equal(0.6f, v, 1e-6f));

        // 45° of the whole image: corners come from outside it and are 0; the centre keeps its value.
        options.CropSize = 256;
        options.MaxRotationDegrees = 90;
        options.AllowStrongAugmentation = true;
        var whole = new float[256 * 256];
        ImageTransforms.TrainInto(image, options, 1, Plain(angle: 0.75), whole);
        Assert.Equal(0f, At(whole, 256, 0, 0, 0));
        Assert.Equal(0f, At(whole, 256, 0, 255, 255));
        Assert.Equal(0.6f, At(whole, 256, 0, 128, 128), 1e-6f);
    }

    [Fact]
    public void BrightnessAddsAndContrastScalesAboutTheMeanThenClamps()
    {
        // Left half 0.2, right half 0.6: mean 0.4.
        DecodedImage image = Image(16, 16, 1, (c, x, y) => x < 8 ? 0.2f : 0.6f);
        var options = new AugmentationOptions
        {
            ResizeTo = 16, CropSize = 16, RandomCrop = false, HorizontalFlipProbability = 0, MaxRotationDegrees = 0,
            Brightness = 0.2, Contrast = 0.2,
        };
        var output = new float[256];

        ImageTransforms.TrainInto(image, options, 1, Plain(brightness: 0.75), output); // +0.1
        Assert.Equal(0.3f, output[0], 1e-6f);
        Assert.Equal(0.7f, output[15], 1e-6f);

        ImageTransforms.TrainInto(image, options, 1, Plain(contrast: 0.75), output); // factor 1.1
        Assert.Equal(0.18f, output[0], 1e-6f);
        Assert.Equal(0.62f, output[15], 1e-6f);

        DecodedImage bright = Image(16, 16, 1, (c, x, y) => 0.95f);
        ImageTransforms.TrainInto(bright, options, 1, Plain(brightness: 0.99), output);
        Assert.All(output, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void NormalizeAppliesPerChannelMeanAndStdOverABatch()
    {
        float[] batch = Enumerable.Repeat(0.5f, 2 * 3 * 4).ToArray();

        ImageTransforms.Normalize(batch, planeSize: 4, InputNormalization.ImageNet);

        for (int n = 0; n < 2; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                float expected = (0.5f - InputNormalization.ImageNet.Mean[c]) / InputNormalization.ImageNet.Std[c];
                Assert.All(batch.Skip((n * 3 + c) * 4).Take(4), v => Assert.Equal(expected, v, 1e-6f));
            }
        }

        Assert.Throws<ArgumentException>(() => ImageTransforms.Normalize(new float[10], 4, InputNormalization.ImageNet));
    }
}
