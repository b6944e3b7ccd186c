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
    /// <summary>Reads files up to <paramref name="maxPixels"/> pixels.</summary>
    /// <param name="maxPixels">The largest width × height read: a larger header is refused before any pixel is decoded. Default 8192 × 8192.</param>
    public ImageFileReader(long maxPixels = ImageFileCheck.DefaultMaxPixels)
    {
        MaxPixels = maxPixels;
    }

    /// <summary>The largest width × height read.</summary>
    public long MaxPixels { get; }

    /// <summary>"png-jpeg": the decoder is fixed, with no settings that change the pixels.</summary>
    public string Description => "png-jpeg";

    /// <summary>The image gate's verdict: missing, not a PNG or JPEG, over <see cref="MaxPixels"/>, truncated or corrupt.</summary>
    /// <param name="path">The image file.</param>
    public string? FindProblem(string path) => ImageFileCheck.Problem(path, MaxPixels, minimumSide: 0);

    /// <inheritdoc/>
    public ImagePixels Read(string path)
    {
        if (FindProblem(path) is { } problem)
        {
            throw new InvalidDataException($"'{path}' {problem}.");
        }

        DecodedImage image = ImageDecoder.Decode(path);
        return new ImagePixels(image.Pixels, image.Width, image.Height, image.Channels);
    }
}
