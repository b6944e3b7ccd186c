using System;

namespace MLNetTransfer;

/// <summary>
/// A decoded image at full precision, as an <see cref="IImagePixelReader"/> returns it: <see cref="Channels"/> planes
/// of <see cref="Height"/> × <see cref="Width"/> values in [0, 1], channel-major (the layout of a torch tensor
/// <c>[C, H, W]</c>), rows top to bottom.
/// </summary>
public sealed class ImagePixels
{
    /// <summary>Wraps decoded values; see the properties for their layout.</summary>
    /// <param name="values">Channel-major values in [0, 1]; kept, not copied.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="channels">1 (gray) or 3 (R, G, B).</param>
    /// <exception cref="ArgumentException">The sizes do not describe <paramref name="values"/>, or a value is outside [0, 1] or NaN.</exception>
    public ImagePixels(float[] values, int width, int height, int channels)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"An image has 1 or 3 channels, not {channels}.", nameof(channels));
        }

        if (width <= 0 || height <= 0 || (long)width * height * channels != values.Length)
        {
            throw new ArgumentException($"{values.Length} values do not make a {width}x{height} image of {channels} channel(s).", nameof(values));
        }

        for (int i = 0; i < values.Length; i++)
        {
            // Written as a negation so that NaN fails too.
            if (!(values[i] >= 0f && values[i] <= 1f))
            {
                throw new ArgumentException($"Pixel values are scaled to [0, 1]; value {i} is {values[i]}.", nameof(values));
            }
        }

        Values = values;
        Width = width;
        Height = height;
        Channels = channels;
    }

    /// <summary>Channel-major values in [0, 1]. Treat as read-only.</summary>
    public float[] Values { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 (gray) or 3 (R, G, B).</summary>
    public int Channels { get; }

    /// <inheritdoc/>
    public override string ToString() => $"ImagePixels {Width}x{Height}, {Channels} channel(s)";
}
