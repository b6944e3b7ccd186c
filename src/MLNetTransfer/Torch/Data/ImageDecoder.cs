using System;
using System.IO;
using SkiaSharp;

namespace MLNetTransfer.Torch.Data;

/// <summary>
/// Decodes PNG and JPEG files to <see cref="DecodedImage"/>: 8-bit files through SkiaSharp's codecs, 16-bit PNGs in
/// managed code so that all 16 bits survive.
/// </summary>
/// <remarks>
/// <para>
/// Channels follow the file's colour type, not its content: gray and gray+alpha PNGs and grayscale JPEGs give 1
/// channel; RGB, RGBA and palette PNGs and colour JPEGs give 3, even when every pixel has R = G = B.
/// </para>
/// <para>
/// Alpha is dropped: the stored colour values are taken as they are, not composited on any background (Skia is
/// asked for unpremultiplied pixels, so a half-transparent pixel keeps its colour). Embedded colour profiles and
/// gamma are not applied (Skia decodes with no destination colour space), nor is a JPEG's EXIF orientation; PIL,
/// and so torchvision's <c>ImageFolder</c>, does neither by default either.
/// </para>
/// <para>
/// Other formats SkiaSharp decodes (BMP, GIF, WebP, ICO) go through the same 8-bit path; only PNG and JPEG are tested.
/// Methods are thread-safe: every call makes its own codec.
/// </para>
/// </remarks>
internal static class ImageDecoder
{
    /// <summary>Reads and decodes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt, truncated or not an image format that can be decoded; the message names it.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static DecodedImage Decode(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads and decodes a file; errors name it <paramref name="displayName"/>.</summary>
    internal static DecodedImage Decode(string path, string displayName) => Decode(File.ReadAllBytes(path), displayName);

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="encoded">The file's bytes.</param>
    /// <param name="displayName">How errors name the image (a file name, a row number).</param>
    /// <exception cref="InvalidDataException">The bytes are corrupt, truncated or not an image format that can be decoded; the message names <paramref name="displayName"/>.</exception>
    public static DecodedImage Decode(byte[] encoded, string displayName)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(displayName);
        if (encoded.Length == 0)
        {
            throw new InvalidDataException($"'{displayName}' is empty, not an image.");
        }

        if (PngReader.HasSignature(encoded))
        {
            PngReader.Header header = PngReader.ReadHeader(encoded, displayName);
            return header.BitDepth == 16
                ? PngReader.Decode16(encoded, displayName)
                : DecodeWithSkia(encoded, displayName, header.OutputChannels);
        }

        return DecodeWithSkia(encoded, displayName, channels: null);
    }

    // channels: from the PNG header, or null to take it from the codec (Skia reports Gray8 for grayscale JPEGs).
    private static DecodedImage DecodeWithSkia(byte[] encoded, string displayName, int? channels)
    {
        using SKCodec? codec = SKCodec.Create(new MemoryStream(encoded, writable: false), out SKCodecResult created);
        if (codec is null)
        {
            throw new InvalidDataException(created == SKCodecResult.Unimplemented
                ? $"'{displayName}' is not an image format that can be decoded (PNG or JPEG expected)."
                : $"'{displayName}' could not be decoded: SkiaSharp reports {created} (corrupt or truncated file).");
        }

        SKImageInfo source = codec.Info;
        if (source.Width <= 0 || source.Height <= 0)
        {
            throw new InvalidDataException($"'{displayName}' has an invalid size {source.Width}x{source.Height}.");
        }

        bool sourceIsGray = source.ColorType == SKColorType.Gray8;
        int outChannels = channels ?? (sourceIsGray ? 1 : 3);
        long planeSize = (long)source.Width * source.Height;
        if (planeSize * 4 > Array.MaxLength)
        {
            throw new InvalidDataException($"'{displayName}' is too large to decode ({source.Width}x{source.Height}).");
        }

        // Gray8 only when the source is gray (Skia refuses the conversion otherwise; gray+alpha PNGs report Bgra8888),
        // else RGBA in memory order with unpremultiplied colour so that dropping alpha leaves the stored colour.
        bool readGray = sourceIsGray && outChannels == 1;
        var info = new SKImageInfo(source.Width, source.Height, readGray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bytes = new byte[info.BytesSize];
        SKCodecResult result = codec.GetPixels(info, bytes);
        if (result != SKCodecResult.Success)
        {
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                ? $"'{displayName}' is truncated: its image data ends early (SkiaSharp reports {result})."
                : $"'{displayName}' could not be decoded: SkiaSharp reports {result} (corrupt file).");
        }

        var pixels = new float[planeSize * outChannels];
        int stride = info.RowBytes;
        int bytesPerPixel = readGray ? 1 : 4;
        for (int y = 0; y < source.Height; y++)
        {
            int row = y * stride;
            long plane = (long)y * source.Width;
            for (int x = 0; x < source.Width; x++)
            {
                int at = row + x * bytesPerPixel;
                for (int c = 0; c < outChannels; c++)
                {
                    // A 1-channel result from RGBA (gray+alpha PNG) takes R, which equals G and B there.
                    pixels[c * planeSize + plane + x] = bytes[at + c] / 255f;
                }
            }
        }

        return new DecodedImage(pixels, source.Width, source.Height, outChannels, 8);
    }
}
