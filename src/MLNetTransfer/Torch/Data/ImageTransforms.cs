using System;

namespace MLNetTransfer.Torch.Data;

/// <summary>
/// The validation and training transforms (docs/design.md, "Augmentation"), on CHW floats: resize the shorter side to
/// <see cref="AugmentationOptions.ResizeTo"/>, then a center crop (validation) or a random crop, flips, a rotation and
/// intensity jitter (training). Output values lie in [0, 1]; normalisation is a separate step (<see cref="Normalize"/>).
/// </summary>
/// <remarks>
/// <para>
/// Work is split in two so that <see cref="BatchLoader"/> can cache the deterministic part: <see cref="Prepare"/>
/// (channel reduction and resize, the same for training and validation) and <see cref="EvalInto"/> /
/// <see cref="TrainInto"/> (crop and augmentation, cheap). Every random number comes from the <see cref="Random"/>
/// passed in and is drawn in a fixed order whatever the options, so the same seed gives the same output, and turning
/// one augmentation off leaves the others' draws unchanged.
/// </para>
/// <para>
/// Channels: 3 to 1 by ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B, as PIL's <c>convert("L")</c> and torchvision's
/// <c>rgb_to_grayscale</c> (ML.NET's older System.Drawing <c>ImageGrayscalingTransformer</c> used 0.3, 0.59, 0.11);
/// done before resizing, which is linear, so only one plane is resized. 1 to 3 replicates the gray plane, done last.
/// </para>
/// </remarks>
internal static class ImageTransforms
{
    // ITU-R BT.601 luma weights (PIL ImagingConvert "L", torchvision functional_tensor.rgb_to_grayscale).
    private const float LumaR = 0.299f;
    private const float LumaG = 0.587f;
    private const float LumaB = 0.114f;

    /// <summary>Resize and center crop: <c>[channels, CropSize, CropSize]</c> values in [0, 1].</summary>
    public static float[] Eval(DecodedImage image, AugmentationOptions options, int channels)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckChannels(channels);
        var output = new float[channels * options.CropSize * options.CropSize];
        EvalInto(Prepare(image, options, channels), options, channels, output);
        return output;
    }

    /// <summary>Resize, random crop, flips, rotation and intensity jitter: <c>[channels, CropSize, CropSize]</c> values in [0, 1].</summary>
    public static float[] Train(DecodedImage image, AugmentationOptions options, int channels, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        CheckChannels(channels);
        var output = new float[channels * options.CropSize * options.CropSize];
        TrainInto(Prepare(image, options, channels), options, channels, random, output);
        return output;
    }

    /// <summary>
    /// The deterministic part shared by both transforms: RGB reduced to luma if one channel is wanted, then the shorter
    /// side resized to <see cref="AugmentationOptions.ResizeTo"/>. The result keeps 1 channel when the source has 1.
    /// </summary>
    public static DecodedImage Prepare(DecodedImage image, AugmentationOptions options, int channels)
    {
        DecodedImage reduced = channels == 1 && image.Channels == 3 ? ToLuma(image) : image;
        (int width, int height) = ImageResampler.ShorterSideSize(reduced.Width, reduced.Height, options.ResizeTo);
        return ImageResampler.Resize(reduced, width, height);
    }

    /// <summary>Center crop of a prepared image into <paramref name="destination"/> (<c>channels x CropSize²</c> values).</summary>
    public static void EvalInto(DecodedImage prepared, AugmentationOptions options, int channels, Span<float> destination)
    {
        int size = options.CropSize;
        (int top, int left) = CenterCropOrigin(prepared, size);
        Sample(prepared, top, left, size, flipX: false, flipY: false, angleDegrees: 0, destination);
        Finish(destination, prepared.Channels, channels, size, contrast: 1, brightness: 0);
    }

    /// <summary>
    /// Random crop, flips, rotation and intensity jitter of a prepared image into <paramref name="destination"/>.
    /// </summary>
    /// <remarks>
    /// Draws, in this order, whatever the options: crop row, crop column, horizontal flip, vertical flip, angle,
    /// brightness, contrast. The crop position is uniform over every position that fits, as torchvision's
    /// <c>RandomCrop.get_params</c>. The image is mirrored, then rotated about the crop's centre; the rotated crop
    /// samples the whole resized image (bilinear), so its corners show real pixels where the image extends beyond the
    /// crop, and 0 (black) only beyond the image's edge, as torchvision's <c>RandomRotation</c> fills (fill=0).
    /// Contrast scales about the crop's mean gray level as torchvision's <c>adjust_contrast</c>
    /// (<c>factor * x + (1 - factor) * mean</c>); brightness adds an offset; the result is clamped to [0, 1].
    /// </remarks>
    public static void TrainInto(DecodedImage prepared, AugmentationOptions options, int channels, Random random, Span<float> destination)
    {
        int size = options.CropSize;
        int rowDraw = random.Next(prepared.Height - size + 1);
        int columnDraw = random.Next(prepared.Width - size + 1);
        bool flipX = random.NextDouble() < options.HorizontalFlipProbability;
        bool flipY = random.NextDouble() < options.VerticalFlipProbability;
        double angle = (2 * random.NextDouble() - 1) * options.MaxRotationDegrees;
        double brightness = (2 * random.NextDouble() - 1) * options.Brightness;
        double contrast = 1 + (2 * random.NextDouble() - 1) * options.Contrast;

        (int top, int left) = options.RandomCrop ? (rowDraw, columnDraw) : CenterCropOrigin(prepared, size);
        Sample(prepared, top, left, size, flipX, flipY, angle, destination);
        Finish(destination, prepared.Channels, channels, size, (float)contrast, (float)brightness);
    }

    /// <summary>
    /// In place, per channel: <c>(x - mean[c]) / std[c]</c> over <paramref name="data"/>, any number of
    /// <c>[channels, planeSize]</c> blocks (one image or a batch).
    /// </summary>
    public static void Normalize(Span<float> data, int planeSize, InputNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        int channels = normalization.Channels;
        if (planeSize <= 0 || data.Length % (channels * planeSize) != 0)
        {
            throw new ArgumentException($"{data.Length} values are not whole images of {channels} x {planeSize}.", nameof(data));
        }

        for (int start = 0; start < data.Length; start += planeSize)
        {
            int c = start / planeSize % channels;
            float mean = normalization.Mean[c];
            float scale = 1f / normalization.Std[c];
            foreach (ref float x in data.Slice(start, planeSize))
            {
                x = (x - mean) * scale;
            }
        }
    }

    /// <summary>RGB to one luma plane (ITU-R BT.601).</summary>
    public static DecodedImage ToLuma(DecodedImage image)
    {
        int plane = image.Width * image.Height;
        float[] rgb = image.Pixels;
        var gray = new float[plane];
        for (int i = 0; i < plane; i++)
        {
            gray[i] = Math.Clamp(LumaR * rgb[i] + LumaG * rgb[plane + i] + LumaB * rgb[2 * plane + i], 0f, 1f);
        }

        return new DecodedImage(gray, image.Width, image.Height, 1, image.BitDepth);
    }

    /// <summary>
    /// Top-left corner of torchvision's <c>CenterCrop</c>: <c>int(round((h - size) / 2))</c>, Python's round
    /// (half to even), which <see cref="Math.Round(double)"/> also does.
    /// </summary>
    internal static (int Top, int Left) CenterCropOrigin(DecodedImage prepared, int size) =>
        ((int)Math.Round((prepared.Height - size) / 2.0), (int)Math.Round((prepared.Width - size) / 2.0));

    private static void CheckChannels(int channels)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "The network takes 1 (gray) or 3 (RGB) channels.");
        }
    }

    // Writes the prepared image's channels of the (flipped, rotated) crop into the first planes of destination.
    private static void Sample(DecodedImage image, int top, int left, int size, bool flipX, bool flipY, double angleDegrees, Span<float> destination)
    {
        int width = image.Width;
        int height = image.Height;
        int plane = width * height;
        int outPlane = size * size;
        float[] pixels = image.Pixels;
        if (angleDegrees == 0)
        {
            // Integer positions: an exact copy, so a crop with no augmentation equals the validation crop bit for bit.
            for (int c = 0; c < image.Channels; c++)
            {
                for (int y = 0; y < size; y++)
                {
                    int sy = top + (flipY ? size - 1 - y : y);
                    int row = c * plane + sy * width + left;
                    Span<float> output = destination.Slice(c * outPlane + y * size, size);
                    if (!flipX)
                    {
                        pixels.AsSpan(row, size).CopyTo(output);
                    }
                    else
                    {
                        for (int x = 0; x < size; x++)
                        {
                            output[x] = pixels[row + size - 1 - x];
                        }
                    }
                }
            }

            return;
        }

        // Inverse mapping: for each output pixel, undo the rotation (counter-clockwise positive on screen, y down,
        // like torchvision), then the flips, about the crop centre in pixel-centre coordinates ((size - 1) / 2).
        double radians = angleDegrees * Math.PI / 180;
        double cos = Math.Cos(radians);
        double sin = Math.Sin(radians);
        double centre = (size - 1) / 2.0;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double dx = x - centre;
                double dy = y - centre;
                double ux = dx * cos - dy * sin;
                double uy = dx * sin + dy * cos;
                if (flipX)
                {
                    ux = -ux;
                }

                if (flipY)
                {
                    uy = -uy;
                }

                double sx = left + centre + ux;
                double sy = top + centre + uy;
                int x0 = (int)Math.Floor(sx);
                int y0 = (int)Math.Floor(sy);
                float fx = (float)(sx - x0);
                float fy = (float)(sy - y0);
                for (int c = 0; c < image.Channels; c++)
                {
                    int p = c * plane;
                    // Bilinear with zeros outside the image (grid_sample's padding_mode="zeros").
                    float v00 = At(pixels, p, width, height, x0, y0);
                    float v01 = At(pixels, p, width, height, x0 + 1, y0);
                    float v10 = At(pixels, p, width, height, x0, y0 + 1);
                    float v11 = At(pixels, p, width, height, x0 + 1, y0 + 1);
                    float top0 = v00 + (v01 - v00) * fx;
                    float bottom = v10 + (v11 - v10) * fx;
                    destination[c * outPlane + y * size + x] = top0 + (bottom - top0) * fy;
                }
            }
        }
    }

    private static float At(float[] pixels, int planeStart, int width, int height, int x, int y) =>
        (uint)x < (uint)width && (uint)y < (uint)height ? pixels[planeStart + y * width + x] : 0f;

    // Intensity jitter, clamp to [0, 1], and 1 -> 3 channel replication. The blend form factor * x + (offset) with
    // offset = (1 - factor) * mean + brightness is exact when factor = 1 and brightness = 0.
    private static void Finish(Span<float> destination, int sourceChannels, int channels, int size, float contrast, float brightness)
    {
        int outPlane = size * size;
        Span<float> data = destination.Slice(0, sourceChannels * outPlane);
        float offset = brightness;
        if (contrast != 1)
        {
            offset += (1 - contrast) * GrayMean(data, sourceChannels, outPlane);
        }

        foreach (ref float x in data)
        {
            x = Math.Clamp(x * contrast + offset, 0f, 1f);
        }

        if (sourceChannels == 1 && channels == 3)
        {
            data.CopyTo(destination.Slice(outPlane, outPlane));
            data.CopyTo(destination.Slice(2 * outPlane, outPlane));
        }
    }

    // The mean of the gray image, as torchvision's adjust_contrast: rgb_to_grayscale, then the mean.
    private static float GrayMean(ReadOnlySpan<float> data, int channels, int plane)
    {
        double sum = 0;
        if (channels == 1)
        {
            foreach (float x in data)
            {
                sum += x;
            }
        }
        else
        {
            for (int i = 0; i < plane; i++)
            {
                sum += LumaR * data[i] + LumaG * data[plane + i] + LumaB * data[2 * plane + i];
            }
        }

        return (float)(sum / plane);
    }
}
