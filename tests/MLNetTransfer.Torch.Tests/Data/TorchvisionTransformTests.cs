using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Torch.Tests.Data;

/// <summary>
/// Our transforms against torchvision's on the same PNGs (<c>tests/reference/make_transform_references.py</c>, run by
/// Debian's PyTorch 1.13 / torchvision 0.14 with PIL 9.4): something we did not write.
/// </summary>
/// <remarks>
/// PIL resizes 8-bit images in fixed point and rounds to 8 bits after each pass, and <c>ToTensor</c> divides those
/// bytes by 255; we resample in floats. So the expected difference is rounding, about half a level on average and at
/// most one or two levels, not zero.
/// </remarks>
public sealed class TorchvisionTransformTests : IClassFixture<TorchvisionTransformTests.References>
{
    private readonly References _references;
    private readonly ITestOutputHelper _output;

    public TorchvisionTransformTests(References references, ITestOutputHelper output)
    {
        _references = references;
        _output = output;
    }

    [Theory]
    [InlineData("rgb_down", 3)]  // 500x375 -> 341x256: antialiased shrink
    [InlineData("gray_up", 1)]   // 150x200 -> 256x341: bilinear enlargement
    public void ResizeAndCenterCropMatchTorchvision(string name, int channels)
    {
        DecodedImage image = ImageDecoder.Decode(_references.PathOf($"{name}.png"));
        float[] expected = _references.Read(name);

        float[] actual = ImageTransforms.Eval(image, new AugmentationOptions(), channels);

        AssertClose(expected, actual, meanLevels: 0.4, maxLevels: 1.5);
    }

    [Fact]
    public void LumaThenResizeMatchesPilConvertL()
    {
        DecodedImage image = ImageDecoder.Decode(_references.PathOf("rgb_down.png"));
        float[] expected = _references.Read("rgb_luma");

        float[] actual = ImageTransforms.Eval(image, new AugmentationOptions(), channels: 1);

        // PIL also rounds the luma to 8 bits before resizing.
        AssertClose(expected, actual, meanLevels: 0.4, maxLevels: 1.5);
    }

    [Fact]
    public void RotationMatchesTorchvisionRotate()
    {
        // The whole 64x64 image as the crop, rotated +10° about its centre, zeros outside: F.rotate with fill=None.
        DecodedImage image = ImageDecoder.Decode(_references.PathOf("rotate10.png"));
        float[] expected = _references.Read("rotate10");
        var options = new AugmentationOptions
        {
            ResizeTo = 64, CropSize = 64, RandomCrop = false, HorizontalFlipProbability = 0,
            MaxRotationDegrees = 15, Brightness = 0, Contrast = 0,
        };
        var actual = new float[3 * 64 * 64];

        // Draws: crop row, crop column, h-flip, v-flip, angle (2 r - 1) * 15 = 10 for r = 5/6, brightness, contrast.
        ImageTransforms.TrainInto(image, options, 3, new FixedRandom(0.99, 0.99, 5.0 / 6, 0.5, 0.5), actual);

        Assert.Equal(expected.Length, actual.Length);
        double max = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        _output.WriteLine($"largest difference from torchvision's rotate: {max:E2}");
        Assert.True(max < 1e-4, $"largest difference from torchvision's rotate: {max}");
    }

    private void AssertClose(float[] expected, float[] actual, double meanLevels, double maxLevels)
    {
        Assert.Equal(expected.Length, actual.Length);
        double[] diff = expected.Zip(actual, (e, a) => Math.Abs(e - a) * 255.0).ToArray();
        _output.WriteLine($"difference from torchvision: mean {diff.Average():F3}, max {diff.Max():F3} levels of 255");
        Assert.True(diff.Average() < meanLevels, $"mean difference {diff.Average():F3} levels of 255");
        Assert.True(diff.Max() <= maxLevels, $"largest difference {diff.Max():F3} levels of 255");
    }

    /// <summary>Returns the given doubles in turn; integer draws return 0.</summary>
    private sealed class FixedRandom(params double[] doubles) : Random
    {
        private int _next;

        public override int Next(int maxValue) => 0;

        public override double NextDouble() => doubles[_next++];
    }

    /// <summary>
    /// Runs the script once per test run into <c>$TMPDIR/mlnettransfer-refs/transforms-&lt;script hash&gt;</c> and
    /// reuses the folder while the script is unchanged (<see cref="ReferenceScript"/>: a private staging folder renamed
    /// into place). Python is <c>$MLNETTRANSFER_PYTHON</c> or <c>/usr/bin/python3</c>.
    /// </summary>
    public sealed class References
    {
        private const string ScriptRelativePath = "tests/reference/make_transform_references.py";

        private const string InstallHint = "The transform references need Python with torchvision and numpy: on Debian/Ubuntu " +
            "'apt-get install -y python3-torchvision', or point MLNETTRANSFER_PYTHON at an interpreter that has them.";

        private static readonly Lazy<string> _directory = new(
            () => ReferenceScript.Run(ScriptRelativePath, cacheFolderPrefix: "transforms-", InstallHint, TimeSpan.FromMinutes(5)),
            LazyThreadSafetyMode.ExecutionAndPublication);

        public References() => Directory = _directory.Value;

        public string Directory { get; }

        public string PathOf(string fileName)
        {
            string path = Path.Combine(Directory, fileName);
            return File.Exists(path) ? path : throw new FileNotFoundException($"The script did not write '{fileName}'.", path);
        }

        /// <summary>The float32 tensor NAME.f32, checked against the shape in NAME.json.</summary>
        public float[] Read(string name)
        {
            using JsonDocument meta = JsonDocument.Parse(File.ReadAllBytes(PathOf($"{name}.json")));
            int count = meta.RootElement.GetProperty("shape").EnumerateArray().Aggregate(1, (n, d) => n * d.GetInt32());
            byte[] bytes = File.ReadAllBytes(PathOf($"{name}.f32"));
            Assert.Equal(count * 4, bytes.Length);
            var values = new float[count];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            return values;
        }
    }
}
