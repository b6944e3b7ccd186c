using System;
using System.IO;
using Microsoft.ML;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Tests.Shared.Fuzzing;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Fuzzing;

/// <summary>
/// The image gate (<c>ml.Data.FindImageProblem</c>, the check <c>FineTuneResNet</c> runs on every file) on seeded
/// mutations of small PNGs and JPEGs that SkiaSharp wrote: it answers null or a reason, and throws nothing, within
/// 64 x the file + 32 MiB (it decodes row by row into one reused row).
/// </summary>
public sealed class ImageGateFuzzTests : IDisposable
{
    private readonly TempDataFolder _folder = new();
    private readonly ITestOutputHelper _output;

    public ImageGateFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, ".png", 7_000_000)]
    [InlineData(SKEncodedImageFormat.Jpeg, ".jpg", 8_000_000)]
    public void Mutated_images_pass_or_get_a_reason_and_never_throw(SKEncodedImageFormat format, string extension, int baseSeed)
    {
        var ml = new MLContext();
        byte[][] seeds = { Encode(format, gray: false), Encode(format, gray: true) };
        foreach (var seed in seeds)
        {
            string path = Path.Combine(_folder.Root, "seed" + extension);
            File.WriteAllBytes(path, seed);
            Assert.Null(ml.Data.FindImageProblem(path));
        }

        var report = FuzzHarness.Run($"FindImageProblem ({extension})", baseSeed, FuzzHarness.Cases(300), _folder.Root, extension,
            random => (ByteMutator.Mutate(seeds[random.Next(seeds.Length)], random, out string what), what),
            path => ml.Data.FindImageProblem(path),
            Array.Empty<Type>(),
            TimeSpan.FromSeconds(10));
        _output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, report.ToString());
    }

    private static byte[] Encode(SKEncodedImageFormat format, bool gray)
    {
        var info = new SKImageInfo(24, 20, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var random = new Random(3);
        for (int y = 0; y < info.Height; y++)
        {
            for (int x = 0; x < info.Width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)(x * 10), (byte)(y * 12)));
            }
        }

        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }
}
