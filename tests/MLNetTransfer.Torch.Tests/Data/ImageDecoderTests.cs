using System;
using System.IO;
using System.Linq;
using MLNetTransfer.Torch.Data;
using SkiaSharp;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Data;

/// <summary>
/// PNG (8- and 16-bit, every colour type, interlaced) and JPEG decoding, and the errors for corrupt, truncated and
/// unsupported files.
/// </summary>
public sealed class ImageDecoderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"mlnettransfer-decoder-{Guid.NewGuid():N}");

    public ImageDecoderTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Row-major samples with a spread of values: every pixel different, extremes included.</summary>
    private static int[] Samples(int count, int max, int seed)
    {
        var random = new Random(seed);
        var samples = new int[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = random.Next(max + 1);
        }

        samples[0] = 0;
        samples[count - 1] = max;
        return samples;
    }

    /// <summary>Decoded CHW value at (channel, x, y).</summary>
    private static float At(DecodedImage image, int c, int x, int y) =>
        image.Pixels[(c * image.Height + y) * image.Width + x];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gray16PngKeepsAllSixteenBits(bool interlace)
    {
        const int W = 13, H = 11; // odd sizes leave some Adam7 passes narrow
        int[] samples = Samples(W * H, 65535, 1);
        samples[5] = 1000;
        samples[6] = 1001;
        byte[] png = PngTestWriter.Write(W, H, colorType: 0, bitDepth: 16, samples, interlace);

        DecodedImage image = ImageDecoder.Decode(png, "gray16.png");

        Assert.Equal((W, H, 1, 16), (image.Width, image.Height, image.Channels, image.BitDepth));
        Assert.Equal(1000.0 / 65535, image.Pixels[5], 1e-6);
        Assert.NotEqual(image.Pixels[5], image.Pixels[6]); // one 16-bit level apart, lost by an 8-bit decode
        for (int i = 0; i < samples.Length; i++)
        {
            Assert.Equal(samples[i] / 65535.0, image.Pixels[i], 1e-6);
        }
    }

    [Theory]
    [InlineData(2, 3, false)] // RGB
    [InlineData(6, 3, false)] // RGBA, alpha dropped
    [InlineData(4, 1, false)] // gray + alpha, alpha dropped
    [InlineData(6, 3, true)]
    public void ColorAndAlpha16PngsGiveColourChannelsExactly(int colorType, int channels, bool interlace)
    {
        const int W = 9, H = 10;
        int spp = PngTestWriter.SamplesPerPixel(colorType);
        int[] samples = Samples(W * H * spp, 65535, colorType);
        byte[] png = PngTestWriter.Write(W, H, colorType, 16, samples, interlace);

        DecodedImage image = ImageDecoder.Decode(png, "c16.png");

        Assert.Equal((channels, 16), (image.Channels, image.BitDepth));
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    Assert.Equal(samples[(y * W + x) * spp + c] / 65535.0, At(image, c, x, y), 1e-6);
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 1, false)]
    [InlineData(0, 1, true)]
    [InlineData(2, 3, false)]
    [InlineData(2, 3, true)]
    [InlineData(4, 1, false)]
    [InlineData(6, 3, false)]
    public void EightBitPngsDecodeExactlyThroughSkia(int colorType, int channels, bool interlace)
    {
        const int W = 17, H = 6;
        int spp = PngTestWriter.SamplesPerPixel(colorType);
        int[] samples = Samples(W * H * spp, 255, 10 + colorType);
        if (colorType is 4 or 6)
        {
            // Transparent and half-transparent pixels keep their stored colour: alpha is dropped, not composited.
            samples[spp - 1] = 0;
            samples[2 * spp - 1] = 128;
        }

        byte[] png = PngTestWriter.Write(W, H, colorType, 8, samples, interlace);

        DecodedImage image = ImageDecoder.Decode(png, "c8.png");

        Assert.Equal((W, H, channels, 8), (image.Width, image.Height, image.Channels, image.BitDepth));
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    Assert.Equal(samples[(y * W + x) * spp + c] / 255f, At(image, c, x, y));
                }
            }
        }
    }

    [Fact]
    public void PalettePngGivesRgbFromThePalette()
    {
        byte[] palette = [10, 20, 30, 40, 50, 60, 200, 100, 0];
        byte[] png = PngTestWriter.Write(2, 2, colorType: 3, bitDepth: 8, [0, 1, 2, 1], palette: palette);

        DecodedImage image = ImageDecoder.Decode(png, "palette.png");

        Assert.Equal(3, image.Channels);
        Assert.Equal(new[] { 40 / 255f, 50 / 255f, 60 / 255f }, new[] { At(image, 0, 1, 0), At(image, 1, 1, 0), At(image, 2, 1, 0) });
        Assert.Equal(new[] { 200 / 255f, 100 / 255f, 0f }, new[] { At(image, 0, 0, 1), At(image, 1, 0, 1), At(image, 2, 0, 1) });
    }

    [Fact]
    public void SkiaEncodedRgbPngAndFileOverloadAgree()
    {
        byte[] rgb = TestImages.Rgb(kind: 0, size: 32);
        string path = Path.Combine(_folder, "rgb.png");
        TestImages.SavePng(path, rgb, 32);

        DecodedImage image = ImageDecoder.Decode(path);

        Assert.Equal((32, 32, 3, 8), (image.Width, image.Height, image.Channels, image.BitDepth));
        for (int i = 0; i < 32 * 32; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(rgb[3 * i + c] / 255f, image.Pixels[c * 32 * 32 + i]);
            }
        }
    }

    [Fact]
    public void JpegsDecodeApproximatelyWithChannelsFromTheFile()
    {
        byte[] grayJpeg = EncodeJpeg(SKColorType.Gray8, (x, y) => new SKColor(77, 77, 77));
        byte[] colourJpeg = EncodeJpeg(SKColorType.Rgba8888, (x, y) => new SKColor(200, 100, 50));

        DecodedImage gray = ImageDecoder.Decode(grayJpeg, "gray.jpg");
        DecodedImage colour = ImageDecoder.Decode(colourJpeg, "colour.jpg");

        Assert.Equal((1, 8), (gray.Channels, gray.BitDepth));
        Assert.All(gray.Pixels, v => Assert.Equal(77 / 255f, v, 2 / 255f));
        Assert.Equal(3, colour.Channels);
        float[] expected = [200 / 255f, 100 / 255f, 50 / 255f];
        for (int c = 0; c < 3; c++)
        {
            Assert.All(colour.Pixels.Skip(c * 256).Take(256), v => Assert.Equal(expected[c], v, 3 / 255f));
        }
    }

    [Fact]
    public void NotAnImageIsRefusedNamingIt()
    {
        string path = Path.Combine(_folder, "notes.png");
        File.WriteAllText(path, "these are not pixels");

        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("scan-042", Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(new byte[] { 1, 2, 3 }, "scan-042")).Message);
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode([], "empty.png")).Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ImageDecoder.Decode(Path.Combine(_folder, "absent.png")));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void TruncatedPngIsRefusedNamingIt(int bitDepth)
    {
        int max = (1 << bitDepth) - 1;
        byte[] png = PngTestWriter.Write(40, 40, 0, bitDepth, Samples(1600, max, 3));
        byte[] cut = png.AsSpan(0, png.Length * 2 / 3).ToArray();

        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(cut, "cut.png"));

        Assert.Contains("'cut.png'", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedJpegIsRefusedNamingIt()
    {
        byte[] jpeg = EncodeJpeg(SKColorType.Rgba8888, (x, y) => new SKColor((byte)(x * 16), (byte)(y * 16), 9));
        byte[] cut = jpeg.AsSpan(0, jpeg.Length / 2).ToArray();

        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(cut, "cut.jpg"));

        Assert.Contains("'cut.jpg'", e.Message);
    }

    [Fact]
    public void CorruptSixteenBitPngIsRefused()
    {
        byte[] png = PngTestWriter.Write(8, 8, 0, 16, Samples(64, 65535, 4));

        byte[] badCrc = (byte[])png.Clone();
        badCrc[60] ^= 0xFF; // inside the first IDAT
        Assert.Contains("CRC", Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(badCrc, "crc.png")).Message);

        byte[] badHeader = (byte[])png.Clone();
        badHeader[25] = 5; // colour type 5 does not exist
        Assert.Contains("'header.png'", Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(badHeader, "header.png")).Message);
    }

    [Fact]
    public void FromPixelsValidatesAndNamesTheArgument()
    {
        DecodedImage image = DecodedImage.FromPixels(new float[] { 0, 0.5f, 1, 0.25f, 0.75f, 1 }, width: 3, height: 2, channels: 1);
        Assert.Equal((3, 2, 1, 8), (image.Width, image.Height, image.Channels, image.BitDepth));

        Assert.Equal("pixels", Assert.Throws<ArgumentException>(() => DecodedImage.FromPixels(new float[5], 3, 2, 1)).ParamName);
        Assert.Equal("pixels", Assert.Throws<ArgumentException>(() => DecodedImage.FromPixels(new float[] { 0, 2f }, 2, 1, 1)).ParamName);
        Assert.Equal("pixels", Assert.Throws<ArgumentException>(() => DecodedImage.FromPixels(new float[] { 0, float.NaN }, 2, 1, 1)).ParamName);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => DecodedImage.FromPixels(new float[4], 1, 2, 2)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => DecodedImage.FromPixels(new float[0], 0, 2, 1)).ParamName);
        Assert.Equal("bitDepth", Assert.Throws<ArgumentOutOfRangeException>(() => DecodedImage.FromPixels(new float[2], 2, 1, 1, bitDepth: 12)).ParamName);
    }

    private static byte[] EncodeJpeg(SKColorType colorType, Func<int, int, SKColor> color)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(16, 16, colorType, SKAlphaType.Opaque));
        for (int y = 0; y < 16; y++)
        {
            for (int x = 0; x < 16; x++)
            {
                bitmap.SetPixel(x, y, color(x, y));
            }
        }

        using SKData data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }
}
