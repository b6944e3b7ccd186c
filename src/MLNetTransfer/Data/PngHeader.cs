using System;
using System.IO;

namespace MLNetTransfer.Data;

/// <summary>A PNG's bit depth from its IHDR chunk, which the PNG specification puts first (W3C PNG, 2nd ed., 5.6 and 11.2.2).</summary>
internal static class PngHeader
{
    private static readonly byte[] Signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>The bit depth (1, 2, 4, 8 or 16) of the PNG at <paramref name="path"/>; 0 for a file that is not a readable PNG.</summary>
    public static int BitDepth(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            // Signature (8), IHDR length (4) and type (4), width (4), height (4), then the bit depth.
            Span<byte> head = stackalloc byte[25];
            if (stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || !head[..8].SequenceEqual(Signature)
                || head[12] != (byte)'I' || head[13] != (byte)'H' || head[14] != (byte)'D' || head[15] != (byte)'R')
            {
                return 0;
            }

            return head[24];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
