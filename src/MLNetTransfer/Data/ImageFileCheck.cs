using System;
using System.IO;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace MLNetTransfer.Data;

/// <summary>
/// The image gate in front of training and scoring: refuses, naming why, a file that is missing, not a PNG or JPEG,
/// larger than a pixel budget (checked from the header, before any pixel is decoded: a 69-byte PNG can claim
/// 20000 x 20000), smaller than the crop, or truncated or corrupt (decoded in full, row by row, so a half-written file
/// does not pass as an image with a grey lower half, as SkiaSharp's <c>SKBitmap.Decode</c> behind ML.NET's
/// <c>LoadImages</c> lets it).
/// </summary>
internal static class ImageFileCheck
{
    /// <summary>The default pixel budget, 8192 x 8192: a large digital radiograph is about 3000 x 3000.</summary>
    public const long DefaultMaxPixels = 8192L * 8192;

    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>Null when the file passes; otherwise why not, in words that follow the file's name.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="maxPixels">The largest width x height accepted.</param>
    /// <param name="minimumSide">The shorter side must be at least this (the crop); 0 accepts any size.</param>
    /// <param name="decode">
    /// Also decode every row (the default). False stops after the header, for a caller about to decode the file
    /// anyway, whose decoder reports a truncated or corrupt file itself.
    /// </param>
    public static string? Problem(string path, long maxPixels, int minimumSide, bool decode = true)
    {
        if (!File.Exists(path))
        {
            return Directory.Exists(path) ? "is a folder, not an image file" : "does not exist";
        }

        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> head = stackalloc byte[8];
            int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            bool png = read == 8 && head.SequenceEqual(PngSignature);
            bool jpeg = read >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;
            if (!png && !jpeg)
            {
                return read == 0 ? "is empty"
                    : DicomPreamble.Has(path) ? "is a DICOM file, which ML.NET's 8-bit image loader cannot read: read it with the MLNetTransfer.Dicom package's DicomPixelReader (Options.PixelReader)"
                    : "is not a PNG or JPEG file (its first bytes are neither signature)";
            }

            stream.Position = 0;
            using var codec = SKCodec.Create(stream, out SKCodecResult created);
            if (codec is null)
            {
                return $"cannot be decoded: its header is damaged (SkiaSharp: {created})";
            }

            return SizeProblem(codec.Info.Width, codec.Info.Height, maxPixels, minimumSide) ?? (decode ? Decodes(codec) : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read ({e.Message})";
        }
    }

    /// <summary>
    /// The size checks alone, for an image whose width and height are known: a file's from its header, or an MLImage's
    /// that <c>LoadImages</c> has decoded already. Null when they pass.
    /// </summary>
    public static string? SizeProblem(int width, int height, long maxPixels, int minimumSide)
    {
        if (width <= 0 || height <= 0)
        {
            return $"has no pixels ({width}x{height})";
        }

        if ((long)width * height > maxPixels)
        {
            return $"is {width}x{height} = {(long)width * height:N0} pixels, over the limit of {maxPixels:N0} (MaxImagePixels; an image this size is a decompression bomb or needs downsizing first)";
        }

        if (Math.Min(width, height) < minimumSide)
        {
            return $"is {width}x{height}, smaller than the {minimumSide} px crop (set AllowUpscaling to enlarge it)";
        }

        return null;
    }

    // Decodes every row into one reused row buffer; a file that ends early or whose data are corrupt says so here. An
    // interlaced PNG cannot be decoded row by row and is decoded whole (its size is already within the budget).
    private static string? Decodes(SKCodec codec)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        SKCodecResult started = codec.StartScanlineDecode(info);
        if (started == SKCodecResult.Success)
        {
            var row = new byte[info.RowBytes];
            var handle = GCHandle.Alloc(row, GCHandleType.Pinned);
            try
            {
                for (int y = 0; y < info.Height; y++)
                {
                    if (codec.GetScanlines(handle.AddrOfPinnedObject(), 1, info.RowBytes) != 1)
                    {
                        return $"is truncated or corrupt: its image data end at row {y} of {info.Height}";
                    }
                }
            }
            finally
            {
                handle.Free();
            }

            return null;
        }

        var pixels = new byte[info.BytesSize];
        SKCodecResult result = codec.GetPixels(info, pixels);
        return result switch
        {
            SKCodecResult.Success => null,
            SKCodecResult.IncompleteInput => "is truncated: its image data end early",
            _ => $"cannot be decoded (SkiaSharp: {result})",
        };
    }
}
