using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using MLNetTransfer.Data;
using MLNetTransfer.Torch.Data;

namespace MLNetTransfer;

/// <summary>
/// Reads PNG and JPEG files at full precision: a 16-bit PNG keeps all 16 bits (each sample divided by 65535), an 8-bit
/// image is divided by 255. The <see cref="IImagePixelReader"/> for 16-bit PNGs, and the one the DICOM reader hands
/// every file that is not DICOM to.
/// </summary>
/// <remarks>
/// Channels follow the file's colour type (gray and gray+alpha PNGs, grayscale JPEGs: 1; RGB, RGBA, palette: 3).
/// Alpha is dropped, colour profiles, gamma and EXIF orientation are not applied, as PIL (and so torchvision's
/// <c>ImageFolder</c>) does by default. Thread-safe.
/// </remarks>
public sealed class ImageFileReader : IImagePixelReader
{
    /// <summary>Reads files up to <paramref name="maxPixels"/> pixels, scaling stored values from <paramref name="window"/>.</summary>
    /// <param name="maxPixels">The largest width × height read: a larger header is refused before any pixel is decoded. Default 8192 × 8192.</param>
    /// <param name="window">
    /// The stored values that map to 0 and 1, in the file's own units (0–65535 for a 16-bit PNG, 0–255 for an 8-bit
    /// image), values outside clamped: e.g. (0, 4095) for 12-bit data exported in a 16-bit PNG, which would otherwise
    /// use a sixteenth of the range. Default null: the full range of the file's bit depth.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive, or the window is empty, reversed or not finite.</exception>
    public ImageFileReader(long maxPixels = ImageFileCheck.DefaultMaxPixels, (double Low, double High)? window = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        if (window is { } w && !(double.IsFinite(w.Low) && double.IsFinite(w.High) && w.High > w.Low))
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window's High must be above its Low, both finite.");
        }

        MaxPixels = maxPixels;
        Window = window;
    }

    /// <summary>The largest width × height read.</summary>
    public long MaxPixels { get; }

    /// <summary>The stored values mapped to 0 and 1, or null for the full range of the file's bit depth.</summary>
    public (double Low, double High)? Window { get; }

    /// <summary><c>png-jpeg</c>, with <c>(window=low..high)</c> when a window is set: the settings that change the pixels.</summary>
    public string Description => Window is { } w
        ? string.Create(CultureInfo.InvariantCulture, $"png-jpeg(window={w.Low:R}..{w.High:R})")
        : "png-jpeg";

    /// <summary>
    /// The reader a <see cref="Description"/> describes (from <see cref="ModelPixelInput.ReaderDescription"/>), so a
    /// scorer feeds a saved model as it was trained; false for another reader's description.
    /// </summary>
    /// <param name="description">A description as <see cref="Description"/> writes it.</param>
    /// <param name="reader">The reader, when the description is this type's.</param>
    public static bool TryFromDescription(string description, [NotNullWhen(true)] out ImageFileReader? reader)
    {
        reader = null;
        if (description == "png-jpeg")
        {
            reader = new ImageFileReader();
            return true;
        }

        const string prefix = "png-jpeg(window=", suffix = ")";
        if (!description.StartsWith(prefix, StringComparison.Ordinal) || !description.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] bounds = description[prefix.Length..^suffix.Length].Split("..");
        if (bounds.Length == 2
            && double.TryParse(bounds[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double low)
            && double.TryParse(bounds[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double high)
            && high > low)
        {
            reader = new ImageFileReader(window: (low, high));
            return true;
        }

        return false;
    }

    /// <summary>The image gate's verdict: missing, not a PNG or JPEG, over <see cref="MaxPixels"/>, truncated or corrupt.</summary>
    /// <param name="path">The image file.</param>
    public string? FindProblem(string path) => ImageFileCheck.Problem(path, MaxPixels, minimumSide: 0);

    /// <inheritdoc/>
    public ImagePixels Read(string path)
    {
        // The header's checks (format, pixel budget) before any pixel is decoded; the decoder then names a truncated or
        // corrupt file itself, so the file is decoded once (FindProblem, the gate before training, decodes it fully).
        if (ImageFileCheck.Problem(path, MaxPixels, minimumSide: 0, decode: false) is { } problem)
        {
            throw new InvalidDataException($"'{path}' {problem}.");
        }

        DecodedImage image = ImageDecoder.Decode(path);
        float[] values = image.Pixels;
        if (Window is { } w)
        {
            // The decoder divided each stored sample by its maximum; undo that in double, then window.
            double max = image.BitDepth == 16 ? 65535 : 255;
            values = new float[image.Pixels.Length];
            for (int i = 0; i < values.Length; i++)
            {
                double stored = Math.Round(image.Pixels[i] * max);
                values[i] = (float)Math.Clamp((stored - w.Low) / (w.High - w.Low), 0, 1);
            }
        }

        return new ImagePixels(values, image.Width, image.Height, image.Channels);
    }
}
