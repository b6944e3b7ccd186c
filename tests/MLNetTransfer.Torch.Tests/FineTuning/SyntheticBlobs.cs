using System;
using System.Collections.Generic;
using MLNetTransfer.Torch.Data;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>
/// A generated two-class set: gray images of smooth noise; the positive class adds one small bright blob somewhere.
/// Deterministic from the seed.
/// </summary>
internal static class SyntheticBlobs
{
    public static (List<ImageSource> Images, int[] Labels) Make(int count, int size, int seed, double positiveFraction = 0.5, double blobContrast = 0.35, double blobRadius = 0.06)
    {
        var random = new Random(seed);
        var images = new List<ImageSource>(count);
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            bool positive = random.NextDouble() < positiveFraction;
            labels[n] = positive ? 1 : 0;
            var pixels = new float[size * size];
            // Background: a few low-frequency waves plus pixel noise, different for every image.
            double fx = 1 + random.NextDouble() * 3, fy = 1 + random.NextDouble() * 3, phase = random.NextDouble() * Math.PI * 2;
            double level = 0.3 + random.NextDouble() * 0.2;
            double bx = (0.2 + 0.6 * random.NextDouble()) * size, by = (0.2 + 0.6 * random.NextDouble()) * size;
            double r = blobRadius * size * (0.8 + 0.4 * random.NextDouble());
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    double v = level + 0.1 * Math.Sin(fx * x / size * 2 * Math.PI + phase) * Math.Cos(fy * y / size * 2 * Math.PI)
                        + 0.05 * (random.NextDouble() - 0.5);
                    if (positive)
                    {
                        double d2 = ((x - bx) * (x - bx) + (y - by) * (y - by)) / (r * r);
                        v += blobContrast * Math.Exp(-d2);
                    }

                    pixels[y * size + x] = (float)Math.Clamp(v, 0, 1);
                }
            }

            images.Add(ImageSource.FromImage(DecodedImage.FromPixels(pixels, size, size, channels: 1), $"blob-{seed}-{n}{(positive ? "+" : "-")}"));
        }

        return (images, labels);
    }
}
