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
