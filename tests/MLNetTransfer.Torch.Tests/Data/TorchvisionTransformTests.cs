using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Data;
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
    /// reuses the folder while the script is unchanged (the pattern of Reference/TorchvisionReferences.cs: a private
    /// staging folder renamed into place). Python is <c>$MLNETTRANSFER_PYTHON</c> or <c>/usr/bin/python3</c>.
    /// </summary>
    public sealed class References
    {
        private const string ScriptRelativePath = "tests/reference/make_transform_references.py";

        private static readonly Lazy<string> _directory = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

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

        private static string Generate()
        {
            string script = FindScript();
            string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(script)), 0, 8).ToLowerInvariant();
            string root = Path.Combine(Path.GetTempPath(), "mlnettransfer-refs");
            string target = Path.Combine(root, $"transforms-{hash}");
            if (File.Exists(Path.Combine(target, "done")))
            {
                return target;
            }

            System.IO.Directory.CreateDirectory(root);
            string staging = $"{target}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
            try
            {
                Run(script, staging);
                File.WriteAllText(Path.Combine(staging, "done"), script);
                try
                {
                    System.IO.Directory.Move(staging, target);
                }
                catch (IOException) when (File.Exists(Path.Combine(target, "done")))
                {
                    // Another test process finished first with the same (deterministic) files.
                }
            }
            finally
            {
                if (System.IO.Directory.Exists(staging))
                {
                    System.IO.Directory.Delete(staging, recursive: true);
                }
            }

            return target;
        }

        private static void Run(string script, string outputDirectory)
        {
            string python = Environment.GetEnvironmentVariable("MLNETTRANSFER_PYTHON") is { Length: > 0 } configured ? configured : "/usr/bin/python3";
            const string Hint = "The transform references need Python with torchvision and numpy: on Debian/Ubuntu " +
                "'apt-get install -y python3-torchvision', or point MLNETTRANSFER_PYTHON at an interpreter that has them.";
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(outputDirectory);
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{python}'. {Hint}");
            }
            catch (Win32Exception e)
            {
                throw new InvalidOperationException($"Could not start '{python}': {e.Message}. {Hint}", e);
            }

            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"'{python} {script}' did not finish within 5 minutes.");
                }

                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException(
                        $"'{python} {script} {outputDirectory}' failed with exit code {process.ExitCode}.{Environment.NewLine}" +
                        $"stderr:{Environment.NewLine}{stderr.Result}{Environment.NewLine}stdout:{Environment.NewLine}{stdout.Result}{Environment.NewLine}{Hint}");
                }
            }
        }

        private static string FindScript()
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, ScriptRelativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException($"Could not find {ScriptRelativePath} above {AppContext.BaseDirectory}.");
        }
    }
}
