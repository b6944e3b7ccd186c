using System;

namespace MLNetTransfer.Onnx.Tests.Support;

/// <summary>
/// Raw test images as ML.NET's ExtractPixels gives them: integer values 0–255 as float, planar <c>[N, C, S, S]</c>.
/// Smooth gradients and a bright disc plus some noise, different per image and channel, so the crop offset,
/// channel order and border handling all matter.
/// </summary>
internal static class RawImages
{
    public static float[] Make(int count, int channels, int size, int seed)
    {
        var rng = new Random(seed);
        var data = new float[count * channels * size * size];
        for (int n = 0; n < count; n++)
        {
            double cx = size * (0.3 + 0.4 * rng.NextDouble());
            double cy = size * (0.3 + 0.4 * rng.NextDouble());
            double radius = size * (0.1 + 0.2 * rng.NextDouble());
            for (int c = 0; c < channels; c++)
            {
                double gx = rng.NextDouble() * 2 - 1;
                double gy = rng.NextDouble() * 2 - 1;
                double level = 60 + 80 * rng.NextDouble();
                for (int y = 0; y < size; y++)
                {
                    for (int x = 0; x < size; x++)
                    {
                        double v = level + 50 * (gx * x + gy * y) / size + 30 * rng.NextDouble();
                        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius)
                        {
                            v += 90;
                        }

                        data[((n * channels + c) * size + y) * size + x] = (float)Math.Clamp(Math.Round(v), 0, 255);
                    }
                }
            }
        }

        return data;
    }

    /// <summary>The images mirrored left to right (column x becomes column size - 1 - x), in the same layout.</summary>
    public static float[] Mirror(float[] images, int count, int channels, int size)
    {
        var mirrored = new float[images.Length];
        for (int row = 0; row < count * channels * size; row++)
        {
            for (int x = 0; x < size; x++)
            {
                mirrored[row * size + x] = images[row * size + size - 1 - x];
            }
        }

        return mirrored;
    }
}
