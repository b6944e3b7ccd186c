using System;
using System.IO;

namespace MLNetTransfer.Dicom;

/// <summary>
/// File-level DICOM helpers: recognising DICOM files (so folders of <c>.dcm</c> files and extensionless files are
/// accepted where PNG and JPEG are), and reading a string tag such as PatientID (for a patient-grouped split).
/// </summary>
public static class DicomFiles
{
    /// <summary>
    /// Whether <paramref name="path"/> is a DICOM file: its name ends in <c>.dcm</c> (any case), or it holds the PS3.10
    /// preamble, 128 bytes followed by "DICM". A missing or unreadable file without the extension is not.
    /// </summary>
    /// <param name="path">A file path.</param>
    public static bool IsDicom(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            Span<byte> head = stackalloc byte[132];
            return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length
                && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The value of a top-level tag of <paramref name="path"/> as text (trimmed, multiple values joined by '\'), e.g.
    /// <c>ReadTag(path, "PatientID")</c>; null when the file lacks it or it is empty. Reads the header only, through GDCM.
    /// </summary>
    /// <param name="path">A DICOM file.</param>
    /// <param name="keywordOrTag">A keyword of the DICOM dictionary (PS3.6), e.g. PatientID, or a tag as (0010,0020) or 00100020.</param>
    /// <exception cref="ArgumentException"><paramref name="keywordOrTag"/> is neither a known keyword nor a tag.</exception>
    /// <exception cref="InvalidDataException">The file cannot be parsed as DICOM; the message names it.</exception>
    /// <exception cref="DllNotFoundException">GDCM's bindings are not installed (apt-get install libgdcm-cil).</exception>
    public static string? ReadTag(string path, string keywordOrTag)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(keywordOrTag);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        }

        GdcmRuntime.EnsureLoaded();
        return GdcmFile.ReadTag(path, keywordOrTag);
    }
}
