using System;
using System.IO;

namespace MLNetTransfer.Data;

/// <summary>
/// DICOM's file signature: a 128-byte preamble, then the four bytes "DICM" (PS3.10, section 7.1, "DICOM File Meta
/// Information"). Read here without any DICOM library, so that the core finds DICOM files among images and names them
/// in its messages; decoding them is the MLNetTransfer.Dicom package's.
/// </summary>
internal static class DicomPreamble
{
    private const int Offset = 128;

    /// <summary>True when <paramref name="path"/> is a readable file whose bytes 128–131 are "DICM".</summary>
    public static bool Has(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            if (stream.Length < Offset + 4)
            {
                return false;
            }

            Span<byte> magic = stackalloc byte[4];
            stream.Position = Offset;
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4
                && magic[0] == (byte)'D' && magic[1] == (byte)'I' && magic[2] == (byte)'C' && magic[3] == (byte)'M';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
