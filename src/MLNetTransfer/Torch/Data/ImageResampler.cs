using System;

namespace MLNetTransfer.Torch.Data;

/// <summary>
/// Antialiased bilinear resizing of CHW float images, the algorithm of PIL's <c>Image.resize(size, BILINEAR)</c>
/// (Pillow, src/libImaging/Resample.c), which torchvision's <c>Resize</c> uses on PIL images.
/// </summary>
/// <remarks>
/// Separable: a horizontal pass, then a vertical pass. Each output pixel is a weighted sum of the input pixels under a
/// triangle (tent) filter centred on it. When shrinking by a factor s the filter is widened s times (support s input
/// pixels on each side), so every input pixel contributes and nothing aliases; when enlarging, the support is one
/// pixel and this is plain bilinear interpolation with pixel centres at half-integers (align_corners = false). Weights
/// are normalised to sum to 1, so a constant image stays constant and values stay within the input's range. PIL rounds
/// to 8 bits after each pass for 8-bit images; this works in floats (as PIL does for mode "F"), so results differ from
/// PIL's 8-bit output by at most about one level.
/// </remarks>
internal static class ImageResampler
{
    /// <summary>
    /// The output size torchvision's <c>Resize(size)</c> gives for an int size: the shorter side becomes
    /// <paramref name="shorterSide"/>, the longer side <c>int(size * long / short)</c>, truncated
    /// (torchvision 0.14, transforms/functional.py, <c>_compute_resized_output_size</c>).
    /// </summary>
    public static (int Width, int Height) ShorterSideSize(int width, int height, int shorterSide)
    {
        if (width <= height)
        {
            return (shorterSide, (int)((long)shorterSide * height / width));
        }

        return ((int)((long)shorterSide * width / height), shorterSide);
    }

    /// <summary>Resizes <paramref name="image"/> to <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static DecodedImage Resize(DecodedImage image, int width, int height)
    {
        if (width == image.Width && height == image.Height)
        {
            return image;
        }

        int channels = image.Channels;
        float[] source = image.Pixels;
        int sourceWidth = image.Width;
        int sourceHeight = image.Height;

        // Horizontal pass first, as PIL: it shrinks the wide dimension before the vertical pass touches every row.
        if (width != sourceWidth)
        {
            Filter horizontal = Filter.Create(sourceWidth, width);
            var target = new float[(long)channels * sourceHeight * width];
            for (int c = 0; c < channels; c++)
            {
                for (int y = 0; y < sourceHeight; y++)
                {
                    int inRow = (c * sourceHeight + y) * sourceWidth;
                    int outRow = (c * sourceHeight + y) * width;
                    for (int x = 0; x < width; x++)
                    {
                        int first = horizontal.First[x];
                        int weights = x * horizontal.Taps;
                        double sum = 0;
                        for (int k = 0; k < horizontal.Count[x]; k++)
                        {
                            sum += horizontal.Weights[weights + k] * source[inRow + first + k];
                        }

                        target[outRow + x] = (float)sum;
                    }
                }
            }

            source = target;
            sourceWidth = width;
        }

        if (height != sourceHeight)
        {
            Filter vertical = Filter.Create(sourceHeight, height);
            var target = new float[(long)channels * height * width];
            var sums = new double[width];
            for (int c = 0; c < channels; c++)
            {
                int inPlane = c * sourceHeight * width;
                int outPlane = c * height * width;
                for (int y = 0; y < height; y++)
                {
                    // Row by row, so the inner loop runs along contiguous memory.
                    Array.Clear(sums);
                    int first = vertical.First[y];
                    for (int k = 0; k < vertical.Count[y]; k++)
                    {
                        double w = vertical.Weights[y * vertical.Taps + k];
                        int inRow = inPlane + (first + k) * width;
                        for (int x = 0; x < width; x++)
                        {
                            sums[x] += w * source[inRow + x];
                        }
                    }

                    int outRow = outPlane + y * width;
                    for (int x = 0; x < width; x++)
                    {
                        target[outRow + x] = (float)sums[x];
                    }
                }
            }

            source = target;
        }

        return new DecodedImage(source, width, height, channels, image.BitDepth);
    }

    /// <summary>Per output pixel: the first input pixel, how many follow, and their normalised weights.</summary>
    private sealed class Filter
    {
        private Filter(int[] first, int[] count, double[] weights, int taps)
        {
            First = first;
            Count = count;
            Weights = weights;
            Taps = taps;
        }

        public int[] First { get; }

        public int[] Count { get; }

        public double[] Weights { get; }

        public int Taps { get; }

        // Pillow's precompute_coeffs with the bilinear filter (support 1), line for line.
        public static Filter Create(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = 1.0 * filterScale;
            int taps = (int)Math.Ceiling(support) * 2 + 1;
            var first = new int[outSize];
            var count = new int[outSize];
            var weights = new double[(long)outSize * taps];
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                // (int) truncates toward zero as in C; negative values are clamped to 0 just after.
                int xmin = Math.Max((int)(center - support + 0.5), 0);
                int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
                double total = 0;
                for (int x = 0; x < xmax; x++)
                {
                    double w = Triangle((x + xmin - center + 0.5) * ss);
                    weights[xx * taps + x] = w;
                    total += w;
                }

                if (total != 0)
                {
                    for (int x = 0; x < xmax; x++)
                    {
                        weights[xx * taps + x] /= total;
                    }
                }

                first[xx] = xmin;
                count[xx] = xmax;
            }

            return new Filter(first, count, weights, taps);
        }

        private static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1 ? 1 - x : 0;
        }
    }
}
