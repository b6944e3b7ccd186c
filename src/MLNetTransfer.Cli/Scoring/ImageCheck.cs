using System;
using System.IO;
using Microsoft.ML.Data;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// Whether ML.NET's image loader can read a file. Its LoadImages turns an unreadable file into an empty image and the
/// failure surfaces later without the file's name, so scoring decodes each file once first to say which one it is.
/// </summary>
internal static class ImageCheck
{
    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>
    /// Null when the file starts like a PNG or JPEG, the formats the engine decodes; otherwise why not. Reads a few bytes
    /// only, so every training image can be checked before training: a text file, an HTML error page saved as .png or
    /// an empty file then fails at once, naming the file, not mid-epoch. A truncated image passes and fails when decoded.
    /// </summary>
    public static string? SignatureProblem(string path)
    {
        Span<byte> head = stackalloc byte[8];
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read ({e.Message})";
        }

        bool png = read == 8 && head.SequenceEqual(PngSignature);
        bool jpeg = read >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;
        return png || jpeg ? null : read == 0 ? "the file is empty" : "not a PNG or JPEG file (its first bytes are neither signature)";
    }

    /// <summary>Null when the file decodes; otherwise why not.</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
        {
            return "the file does not exist";
        }

        try
        {
            using var image = MLImage.CreateFromFile(path);
            return image.Width > 0 && image.Height > 0 ? null : "the image is empty";
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // MLImage says "Invalid path" for any file it cannot decode; the file exists, so it is not an image it reads.
            return "not a readable image: ML.NET's image decoder (SkiaSharp) cannot decode it";
        }
    }
}
