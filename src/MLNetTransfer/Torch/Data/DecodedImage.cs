using System;

namespace MLNetTransfer.Torch.Data;

/// <summary>
/// A decoded image: <see cref="Channels"/> planes of <see cref="Height"/> x <see cref="Width"/> values in [0, 1],
/// channel-major (CHW, the layout of a torch tensor <c>[C, H, W]</c> and of torchvision's <c>ToTensor</c>).
/// </summary>
/// <remarks>
/// Values are the stored samples divided by their maximum: 8-bit samples by 255, 16-bit samples by 65535, so a
/// 16-bit radiograph keeps its full precision. Channels are 1 (gray) or 3 (RGB, in that order); alpha is never kept.
/// Instances are shared between threads and cached by <see cref="BatchLoader"/>: treat <see cref="Pixels"/> as
/// read-only.
/// </remarks>
internal sealed class DecodedImage
{
    internal DecodedImage(float[] pixels, int width, int height, int channels, int bitDepth)
    {
        Pixels = pixels;
        Width = width;
        Height = height;
        Channels = channels;
        BitDepth = bitDepth;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 (gray) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>Bits per stored sample of the source: 8 or 16 (images of 1, 2 or 4 bits per sample report 8).</summary>
    public int BitDepth { get; }

    /// <summary>
    /// <see cref="Channels"/> x <see cref="Height"/> x <see cref="Width"/> values in [0, 1], channel-major, rows top
    /// to bottom. Do not modify: the array is shared.
    /// </summary>
    public float[] Pixels { get; }

    /// <summary>
    /// Makes an image from pixels already in memory, copying them.
    /// </summary>
    /// <param name="pixels"><paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/> values
    /// in [0, 1], channel-major (CHW).</param>
    /// <param name="width">Width in pixels, at least 1.</param>
    /// <param name="height">Height in pixels, at least 1.</param>
    /// <param name="channels">1 (gray) or 3 (RGB).</param>
    /// <param name="bitDepth">Bit depth of the source the values came from, 8 or 16; informational.</param>
    /// <exception cref="ArgumentException">A length, size or value is out of range; the message names the argument.</exception>
    public static DecodedImage FromPixels(ReadOnlySpan<float> pixels, int width, int height, int channels, int bitDepth = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images have 1 (gray) or 3 (RGB) channels.");
        }

        if (bitDepth is not (8 or 16))
        {
            throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "The bit depth is 8 or 16.");
        }

        long expected = (long)width * height * channels;
        if (pixels.Length != expected)
        {
            throw new ArgumentException(
                $"A {width}x{height} image with {channels} channel(s) needs {expected} values (CHW); got {pixels.Length}.",
                nameof(pixels));
        }

        for (int i = 0; i < pixels.Length; i++)
        {
            // The negated comparison also catches NaN.
            if (!(pixels[i] >= 0f && pixels[i] <= 1f))
            {
                throw new ArgumentException(
                    $"Pixel values must lie in [0, 1] (8-bit values / 255, 16-bit values / 65535); value {i} is {pixels[i]}.",
                    nameof(pixels));
            }
        }

        return new DecodedImage(pixels.ToArray(), width, height, channels, bitDepth);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Width}x{Height}, {Channels} channel(s), {BitDepth}-bit";
}
