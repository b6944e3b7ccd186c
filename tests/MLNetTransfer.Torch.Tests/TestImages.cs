using System;
using System.IO;
using SkiaSharp;

namespace MLNetTransfer.Torch.Tests;

/// <summary>Deterministic synthetic test images (RGB, row-major HWC bytes) and a PNG writer.</summary>
internal static class TestImages
{
    /// <summary>Four kinds of content: smooth colour gradients, seeded noise, soft blobs on a dark field, coloured checkers.</summary>
    public static byte[] Rgb(int kind, int size, int seed = 0)
    {
        var rgb = new byte[size * size * 3];
        var random = new Random(seed + kind * 7919);
        var blobs = new (double X, double Y, double R, double V)[6];
        for (int i = 0; i < blobs.Length; i++)
        {
            blobs[i] = (random.NextDouble() * size, random.NextDouble() * size, (0.05 + random.NextDouble() * 0.2) * size, 80 + random.NextDouble() * 170);
        }

        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double u = x / (double)size, v = y / (double)size;
                (double r, double g, double b) = kind switch
                {
                    0 => (255 * u, 255 * v, 127.5 + 127.5 * Math.Sin(6 * Math.PI * u * v)),
                    1 => (random.Next(256), random.Next(256), random.Next(256)),
                    2 => Blobs(x, y),
                    _ => ((x / 16 + y / 16) % 2 == 0 ? (230.0, 40.0, 60.0) : (20.0, 90.0 + 100 * u, 220.0)),
                };
                int i = (y * size + x) * 3;
                rgb[i] = Clamp(r);
                rgb[i + 1] = Clamp(g);
                rgb[i + 2] = Clamp(b);
            }
        }

        return rgb;

        (double, double, double) Blobs(int x, int y)
        {
            double value = 20;
            foreach (var (bx, by, br, bv) in blobs)
            {
                double d2 = ((x - bx) * (x - bx) + (y - by) * (y - by)) / (br * br);
                value += bv * Math.Exp(-d2);
            }

            return (value, value * 0.9, value * 0.8);
        }
    }

    /// <summary>A gray image in [0, 1], <c>size x size</c>, row-major.</summary>
    public static float[] Gray(int kind, int size, int seed = 0)
    {
        var rgb = Rgb(kind, size, seed);
        var gray = new float[size * size];
        for (int i = 0; i < gray.Length; i++)
        {
            gray[i] = (rgb[3 * i] + rgb[3 * i + 1] + rgb[3 * i + 2]) / (3f * 255f);
        }

        return gray;
    }

    /// <summary>Writes <paramref name="rgb"/> as an opaque 8-bit PNG (lossless, so a decoder gets these bytes back).</summary>
    public static void SavePng(string path, byte[] rgb, int size)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                int i = (y * size + x) * 3;
                bitmap.SetPixel(x, y, new SKColor(rgb[i], rgb[i + 1], rgb[i + 2], 255));
            }
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static byte Clamp(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
