using System;
using System.IO;
using MLNetTransfer.Torch.Data;

namespace MLNetTransfer;

/// <summary>
/// The input of a model trained with an <see cref="IImagePixelReader"/>: an image file read at full precision and
/// made into the float vector of the model's <see cref="ResNetFineTuneTransformer.PixelsColumnName"/> column. Training,
/// validation and every scorer (the fitted transformer, the command line, an ML.NET app that loads model.zip) call
/// this one function, so the validated model is fed exactly as the shipped one.
/// </summary>
public static class ImagePixelInput
{
    /// <summary>
    /// Reads <paramref name="path"/> with <paramref name="reader"/>, resizes it so its shorter side is
    /// <paramref name="size"/> (antialiased bilinear, in float) and centre-crops it to a square, as ML.NET's
    /// <c>ResizeImages</c> IsoCrop does for 8-bit models; then gives R, G, B planes (a gray image is repeated in all
    /// three) scaled to 0–255, the range of ML.NET's <c>ExtractPixels</c>, but with every bit of the source kept as a
    /// float fraction.
    /// </summary>
    /// <param name="reader">The reader the model was trained with.</param>
    /// <param name="path">The image file.</param>
    /// <param name="size">The model's resize size: the side of its input square (the vector has 3 × size² values).</param>
    /// <returns>3 × <paramref name="size"/> × <paramref name="size"/> values, channel-major, in [0, 255].</returns>
    /// <exception cref="InvalidDataException">The file cannot be read; the message names it.</exception>
    public static float[] LoadModelInput(this IImagePixelReader reader, string path, int size)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ImagePixels pixels;
        try
        {
            pixels = reader.Read(path);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }

        return ToModelInput(pixels, size);
    }

    /// <summary>The resize, crop and 0–255 planes of <see cref="LoadModelInput"/>, for pixels already read.</summary>
    /// <param name="pixels">A decoded image.</param>
    /// <param name="size">The model's resize size.</param>
    /// <returns>3 × <paramref name="size"/> × <paramref name="size"/> values, channel-major, in [0, 255].</returns>
    public static float[] ToModelInput(ImagePixels pixels, int size)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var image = new DecodedImage(pixels.Values, pixels.Width, pixels.Height, pixels.Channels, bitDepth: 16);
        (int width, int height) = ImageResampler.ShorterSideSize(image.Width, image.Height, size);
        DecodedImage resized = ImageResampler.Resize(image, width, height);
        (int top, int left) = ImageTransforms.CenterCropOrigin(resized, size);
        int plane = size * size;
        var planes = new float[3 * plane];
        for (int c = 0; c < 3; c++)
        {
            int source = pixels.Channels == 1 ? 0 : c;
            for (int y = 0; y < size; y++)
            {
                int from = source * resized.Width * resized.Height + (top + y) * resized.Width + left;
                int to = c * plane + y * size;
                for (int x = 0; x < size; x++)
                {
                    // Clamped: the resampler's weights sum to 1 but float rounding can step past either end.
                    planes[to + x] = Math.Clamp(resized.Pixels[from + x], 0f, 1f) * 255f;
                }
            }
        }

        return planes;
    }
}
