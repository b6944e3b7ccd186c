using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using MLNetTransfer.Tests.Shared.Fuzzing;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Tests.Data;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Torch.Tests.Fuzzing;

/// <summary>
/// The engine's image decoder (<see cref="ImageDecoder"/>: SkiaSharp for 8-bit files, <see cref="PngReader"/> for 16-bit
/// PNGs) on seeded mutations of small valid PNGs and JPEGs: it decodes, or throws the <see cref="InvalidDataException"/>
/// it documents, naming the file. Half of the PNG cases have their chunk CRCs recomputed after the mutation, so that a
/// changed IHDR or IDAT reaches the decoder instead of stopping at the CRC check.
/// </summary>
public sealed class ImageDecoderFuzzTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlnettransfer-fuzz-image-").FullName;
    private readonly ITestOutputHelper _output;

    public ImageDecoderFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Mutated_pngs_decode_or_are_invalid_data_naming_the_file()
    {
        byte[][] seeds =
        {
            Skia(SKEncodedImageFormat.Png, gray: false),
            Skia(SKEncodedImageFormat.Png, gray: true),
            PngTestWriter.Write(12, 10, colorType: 0, bitDepth: 16, Samples(12 * 10, 65535, 1)),
            PngTestWriter.Write(9, 7, colorType: 6, bitDepth: 16, Samples(9 * 7 * 4, 65535, 2), interlace: true),
            PngTestWriter.Write(4, 4, colorType: 3, bitDepth: 8, Samples(16, 2, 3), palette: new byte[] { 0, 0, 0, 128, 128, 128, 255, 0, 0 }),
        };
        Run("ImageDecoder (PNG)", 1_000_000, FuzzHarness.Cases(400), ".png", seeds, repairCrc: true);
    }

    [Fact]
    public void Mutated_jpegs_decode_or_are_invalid_data_naming_the_file()
    {
        byte[][] seeds = { Skia(SKEncodedImageFormat.Jpeg, gray: false), Skia(SKEncodedImageFormat.Jpeg, gray: true) };
        Run("ImageDecoder (JPEG)", 2_000_000, FuzzHarness.Cases(400), ".jpg", seeds, repairCrc: false);
    }

    private void Run(string reader, int baseSeed, int cases, string extension, byte[][] seeds, bool repairCrc)
    {
        foreach (var seed in seeds)
        {
            // The seeds themselves decode: a fuzzer that only ever meets refusals tests nothing past the signature.
            string path = Path.Combine(_folder, "seed" + extension);
            File.WriteAllBytes(path, seed);
            Assert.True(ImageDecoder.Decode(path).Width > 0);
        }

        var report = FuzzHarness.Run(reader, baseSeed, cases, _folder, extension,
            random =>
            {
                var bytes = ByteMutator.Mutate(seeds[random.Next(seeds.Length)], random, out string what);
                if (repairCrc && random.Next(2) == 0)
                {
                    RepairCrcs(bytes);
                    what += "; CRCs recomputed";
                }

                return (bytes, what);
            },
            path => ImageDecoder.Decode(path),
            new[] { typeof(InvalidDataException) },
            TimeSpan.FromSeconds(10),
            ImageBound);
        _output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, report.ToString());
    }

    /// <summary>
    /// 64 x the file + 32 MiB, as for every reader, plus 24 bytes for each of up to 2^20 declared pixels: a decoder holds
    /// the pixels its header declares (Skia's RGBA bytes, then the float planes) before it can find the data missing,
    /// and a 1024 x 1024 header is one a real image has.
    /// </summary>
    private static long ImageBound(long fileBytes) => FuzzHarness.DefaultBound(fileBytes) + 24L * (1 << 20);

    private static byte[] Skia(SKEncodedImageFormat format, bool gray)
    {
        var info = new SKImageInfo(16, 12, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var random = new Random(5);
        for (int y = 0; y < info.Height; y++)
        {
            for (int x = 0; x < info.Width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)(x * 16), (byte)(y * 20)));
            }
        }

        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    private static int[] Samples(int count, int max, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(max + 1)).ToArray();
    }

    // Walks the chunks (4-byte length, 4-byte type, data, CRC over type and data; PNG spec 5.3) and rewrites each CRC
    // that lies within the file; stops at the first length that runs past the end.
    private static void RepairCrcs(byte[] png)
    {
        int at = 8;
        while (at + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            if (length > png.Length - at - 12)
            {
                return;
            }

            uint crc = PngTestWriter.Crc(png.AsSpan(at + 4, 4 + (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(at + 8 + (int)length), crc);
            at += 12 + (int)length;
        }
    }
}
