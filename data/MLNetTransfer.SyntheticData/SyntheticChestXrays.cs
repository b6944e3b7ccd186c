using System;
using System.Collections.Generic;
using System.IO;
using SkiaSharp;

namespace MLNetTransfer.SyntheticData;

/// <summary>One generated image: 8-bit gray pixels, row-major, and its class.</summary>
/// <param name="Pixels">Width × height gray values.</param>
/// <param name="Size">Width and height.</param>
/// <param name="Opacity">True for the "OPACITY" class.</param>
/// <param name="Name">A stable file name stem.</param>
public sealed record SyntheticImage(byte[] Pixels, int Size, bool Opacity, string Name);

/// <summary>
/// Synthetic chest-radiograph-like images, deterministic from a seed: two dark lung fields in a brighter body,
/// a bright mediastinum and spine, rib shadows, a soft-tissue falloff towards the edges, film grain; the class
/// "OPACITY" adds one focal nodule or patchy consolidation of varied size, contrast and place inside a lung field.
/// </summary>
/// <remarks>
/// What it is: a stand-in with the layout and the difficulty knobs of a real two-class chest X-ray task (anatomy that
/// varies from image to image, a finding that is small and low in contrast), so that the demo, the samples and the
/// tests can run anywhere without downloading patient data. What it is not: anatomy, physics or pathology; a model
/// trained on it knows nothing about real radiographs, and its AUC says nothing about clinical performance.
/// </remarks>
public static class SyntheticChestXrays
{
    /// <summary>The class folder names, in label order (0 = NORMAL, 1 = OPACITY), as in the pediatric pneumonia set's layout.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[] { "NORMAL", "OPACITY" };

    /// <summary>Generates <paramref name="count"/> images of <paramref name="size"/> × <paramref name="size"/> pixels.</summary>
    /// <param name="count">Number of images.</param>
    /// <param name="size">Side in pixels (at least 32).</param>
    /// <param name="seed">Same seed, same images.</param>
    /// <param name="opacityFraction">Share of "OPACITY" images.</param>
    /// <param name="difficulty">0 (obvious findings) … 1 (subtle, small, low contrast). Default 0.5.</param>
    public static IEnumerable<SyntheticImage> Generate(int count, int size, int seed, double opacityFraction = 0.5, double difficulty = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 32);
        if (!(opacityFraction is >= 0 and <= 1) || !(difficulty is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(opacityFraction), "opacityFraction and difficulty lie in [0, 1].");
        }

        var random = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            bool opacity = random.NextDouble() < opacityFraction;
            yield return new SyntheticImage(Render(size, opacity, difficulty, random), size, opacity, $"synthetic-{seed}-{n:D5}");
        }
    }

    /// <summary>
    /// Writes a folder-per-class data set: <c>root/train/NORMAL/*.png</c>, <c>root/train/OPACITY/*.png</c> and the same
    /// under <c>val/</c> and <c>test/</c> (the pediatric pneumonia set's layout), 8-bit gray PNGs.
    /// </summary>
    public static void WriteDataset(string root, int size = 128, int train = 400, int validation = 100, int test = 100, int seed = 2026)
    {
        WriteSplit(Path.Combine(root, "train"), Generate(train, size, seed));
        WriteSplit(Path.Combine(root, "val"), Generate(validation, size, seed + 1));
        WriteSplit(Path.Combine(root, "test"), Generate(test, size, seed + 2));
    }

    /// <summary>Writes <paramref name="images"/> as PNGs under <c>directory/NORMAL</c> and <c>directory/OPACITY</c>.</summary>
    public static void WriteSplit(string directory, IEnumerable<SyntheticImage> images)
    {
        foreach (var name in ClassNames)
        {
            Directory.CreateDirectory(Path.Combine(directory, name));
        }

        foreach (var image in images)
        {
            string path = Path.Combine(directory, ClassNames[image.Opacity ? 1 : 0], image.Name + ".png");
            File.WriteAllBytes(path, EncodePng(image));
        }
    }

    /// <summary>An 8-bit gray PNG of <paramref name="image"/>.</summary>
    public static byte[] EncodePng(SyntheticImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var info = new SKImageInfo(image.Size, image.Size, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        System.Runtime.InteropServices.Marshal.Copy(image.Pixels, 0, bitmap.GetPixels(), image.Pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte[] Render(int size, bool opacity, double difficulty, Random random)
    {
        // Anatomy that varies per image: lung field centres, sizes and tilt; rib spacing and phase; exposure.
        double exposure = 0.85 + 0.3 * random.NextDouble();
        double lungW = 0.13 + 0.03 * random.NextDouble(), lungH = 0.28 + 0.06 * random.NextDouble();
        double lungY = 0.47 + 0.05 * (random.NextDouble() - 0.5);
        double leftX = 0.31 + 0.03 * (random.NextDouble() - 0.5), rightX = 0.69 + 0.03 * (random.NextDouble() - 0.5);
        double heart = 0.06 + 0.03 * random.NextDouble();
        double ribPeriod = 0.075 + 0.015 * random.NextDouble(), ribPhase = random.NextDouble() * Math.PI * 2;
        double mediastinumW = 0.09 + 0.03 * random.NextDouble();

        // The finding: a round nodule or a patchy consolidation in one lung, smaller and fainter as difficulty grows.
        bool left = random.NextDouble() < 0.5;
        double fx = (left ? leftX : rightX) + lungW * 0.5 * (random.NextDouble() - 0.5);
        double fy = lungY + lungH * 0.6 * (random.NextDouble() - 0.5);
        double radius = (0.035 + 0.05 * random.NextDouble()) * (1.2 - 0.6 * difficulty);
        double contrast = (0.18 + 0.15 * random.NextDouble()) * (1.15 - 0.7 * difficulty);
        bool patchy = random.NextDouble() < 0.4;
        var patches = new (double X, double Y, double R)[patchy ? 4 : 1];
        for (int i = 0; i < patches.Length; i++)
        {
            patches[i] = i == 0 ? (fx, fy, radius) : (fx + radius * 1.5 * (random.NextDouble() - 0.5), fy + radius * 1.5 * (random.NextDouble() - 0.5), radius * (0.5 + 0.4 * random.NextDouble()));
        }

        var pixels = new byte[size * size];
        for (int py = 0; py < size; py++)
        {
            double y = (py + 0.5) / size;
            for (int px = 0; px < size; px++)
            {
                double x = (px + 0.5) / size;
                // Body: brighter (denser) towards the centre, falling off to the edges.
                double body = 0.55 + 0.25 * Math.Exp(-((x - 0.5) * (x - 0.5)) / 0.08);
                // Lungs: air is dark on a radiograph.
                double lung = Math.Max(Lung(x, y, leftX, lungY, lungW, lungH), Lung(x, y, rightX, lungY, lungW, lungH));
                double v = body - 0.38 * lung;
                // Ribs: bright curved bands across the lung fields.
                double rib = Math.Pow(Math.Max(0, Math.Sin((y + 0.1 * Math.Abs(x - 0.5)) / ribPeriod * Math.PI * 2 + ribPhase)), 3);
                v += 0.07 * rib * (0.3 + lung);
                // Mediastinum and spine: a bright vertical band, widening towards the diaphragm; the heart shadow
                // bulges to the patient's left (the image's right) in the lower half.
                double band = Math.Exp(-((x - 0.5) * (x - 0.5)) / (2 * mediastinumW * mediastinumW)) * (0.5 + 0.5 * Smooth((y - 0.15) / 0.2));
                double heartShadow = Math.Exp(-(((x - 0.56) * (x - 0.56)) / (2 * heart * heart) + ((y - 0.62) * (y - 0.62)) / 0.02));
                v += 0.22 * band + 0.18 * heartShadow;
                if (opacity)
                {
                    foreach (var (cx, cy, r) in patches)
                    {
                        double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (r * r);
                        v += contrast * Math.Exp(-d2 * d2) * lung;
                    }
                }

                v = v * exposure + 0.035 * (random.NextDouble() - 0.5);
                pixels[py * size + px] = (byte)Math.Clamp(Math.Round(v * 220), 0, 255);
            }
        }

        return pixels;
    }

    private static double Smooth(double t) => Math.Clamp(t, 0, 1) * Math.Clamp(t, 0, 1) * (3 - 2 * Math.Clamp(t, 0, 1));

    // A soft-edged ellipse: 1 inside the lung field, 0 outside.
    private static double Lung(double x, double y, double cx, double cy, double w, double h)
    {
        double d = ((x - cx) * (x - cx)) / (w * w) + ((y - cy) * (y - cy)) / (h * h);
        return 1 / (1 + Math.Exp((d - 1) * 8));
    }
}
