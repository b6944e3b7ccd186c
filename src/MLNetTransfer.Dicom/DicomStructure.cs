using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace MLNetTransfer.Dicom;

/// <summary>
/// Walks a file's data elements (PS3.5 7.1, 7.5; PS3.10 7.1) checking that every length stays inside the file, before
/// GDCM sees it. Debian's GDCM 3.0 is built with its assertions on, and a truncated or corrupt file trips them
/// (gdcmFileMetaInformation.cxx, gdcmExplicitDataElement.txx, gdcmItem.h: CT_small.dcm cut at any of 160, 180, 250,
/// 300, 600 or 1000 bytes), which aborts the whole process instead of returning an error. Values are skipped (seeked
/// over), not read; sequences and items of undefined length and encapsulated Pixel Data are followed to their
/// delimiters. A deflated data set is inflated into memory first.
/// </summary>
internal static class DicomStructure
{
    private const uint Undefined = 0xFFFFFFFF;
    private const uint ItemTag = 0xFFFEE000;
    private const uint ItemDelimiter = 0xFFFEE00D;
    private const uint SequenceDelimiter = 0xFFFEE0DD;
    private const uint PixelDataTag = 0x7FE00010;

    /// <summary>Why the file's structure is broken, in words that follow its name, or null when every element fits.</summary>
    public static string? FindProblem(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read ({e.Message})";
        }

        using (file)
        {
            try
            {
                return FindProblem(new Source(file));
            }
            catch (IOException e)
            {
                return $"cannot be read ({e.Message})";
            }
        }
    }

    private static string? FindProblem(Source bytes)
    {

        bool preamble = bytes.Length >= 132 && bytes.Ascii(128, 4) == "DICM";
        if (!preamble)
        {
            // An ACR-NEMA style file starts with an element of group 0008 (or 0002); anything else is not DICOM.
            ushort firstGroup = bytes.Length >= 8 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.Read(0, 2)) : (ushort)0;
            ushort firstGroupBig = bytes.Length >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(bytes.Read(0, 2)) : (ushort)0;
            if (firstGroup is not (0x0002 or 0x0008) && firstGroupBig is not (0x0002 or 0x0008))
            {
                return "is not a DICOM file: it has neither the 'DICM' preamble nor a data element of group 0002 or 0008 at its start";
            }

            // No File Meta Information (an ACR-NEMA style data set): GDCM guesses the encoding; accept any that walks.
            string? littleExplicit = Walk(bytes, 0, explicitVr: true, bigEndian: false);
            return littleExplicit is null || Walk(bytes, 0, explicitVr: false, bigEndian: false) is null
                || Walk(bytes, 0, explicitVr: true, bigEndian: true) is null
                ? null
                : littleExplicit;
        }

        // The File Meta Information: explicit VR little endian, group 0002 only.
        var meta = new Walker(bytes, 132, explicitVr: true, bigEndian: false);
        string transferSyntax = "";
        long metaEnd = -1;
        while (meta.Position + 4 <= bytes.Length && meta.PeekGroup() == 0x0002)
        {
            if (meta.Element(out uint tag, out long valueStart, out uint length) is { } problem)
            {
                return problem;
            }

            if (tag == 0x00020000 && length == 4)
            {
                // File Meta Information Group Length (PS3.10 7.1): the bytes of group 0002 after this element.
                metaEnd = meta.Position + (long)BinaryPrimitives.ReadUInt32LittleEndian(bytes.Read(valueStart, 4));
            }

            if (tag == 0x00020010 && length != Undefined)
            {
                transferSyntax = length <= 64 ? bytes.Ascii(valueStart, (int)length).Trim('\0', ' ') : "";
            }
        }

        long dataSet = meta.Position;
        if (metaEnd > bytes.Length)
        {
            return $"is truncated: the file ends at byte {bytes.Length}, inside its File Meta Information (group 0002)";
        }

        if (transferSyntax.Length == 0)
        {
            return "has no Transfer Syntax UID (0002,0010) in its File Meta Information, or is truncated inside it";
        }

        if (dataSet + 8 > bytes.Length)
        {
            return $"is truncated: the file ends at byte {bytes.Length}, before its data set";
        }

        switch (transferSyntax)
        {
            case "1.2.840.10008.1.2":
                return Walk(bytes, dataSet, explicitVr: false, bigEndian: false);
            case "1.2.840.10008.1.2.2":
                return Walk(bytes, dataSet, explicitVr: true, bigEndian: true);
            case "1.2.840.10008.1.2.1.99":
                var inflated = new MemoryStream();
                try
                {
                    bytes.Stream.Position = dataSet;
                    using var deflate = new DeflateStream(bytes.Stream, CompressionMode.Decompress, leaveOpen: true);
                    deflate.CopyTo(inflated);
                }
                catch (InvalidDataException e)
                {
                    return $"is corrupt: its deflated data set does not inflate ({e.Message})";
                }

                return Walk(new Source(inflated), 0, explicitVr: true, bigEndian: false);
            default:
                // Every other transfer syntax, encapsulated ones included, is explicit VR little endian (PS3.5 A.4).
                return Walk(bytes, dataSet, explicitVr: true, bigEndian: false);
        }
    }

    private static string? Walk(Source bytes, long start, bool explicitVr, bool bigEndian)
    {
        var walker = new Walker(bytes, start, explicitVr, bigEndian);
        while (walker.Position < bytes.Length)
        {
            if (walker.Element(out _, out _, out _) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>Reads element headers from a position and skips or follows their values.</summary>
    private sealed class Walker(Source bytes, long position, bool explicitVr, bool bigEndian)
    {
        public long Position { get; private set; } = position;

        public ushort PeekGroup() => BinaryPrimitives.ReadUInt16LittleEndian(bytes.Read(Position, 2));

        /// <summary>One element (a sequence or encapsulated Pixel Data with everything in it); null when it fits.</summary>
        public string? Element(out uint tag, out long valueStart, out uint length)
        {
            long at = Position;
            tag = 0;
            valueStart = 0;
            length = 0;
            if (!Need(at, 8))
            {
                return Truncated(at, "an element header");
            }

            tag = ((uint)U16(at) << 16) | U16(at + 2);
            string vr = "";
            if (explicitVr && (tag >> 16) != 0xFFFE)
            {
                vr = bytes.Ascii(at + 4, 2);
                if (vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV")
                {
                    if (!Need(at, 12))
                    {
                        return Truncated(at, "an element header");
                    }

                    length = U32(at + 8);
                    valueStart = at + 12;
                }
                else if (vr.Length == 2 && char.IsAsciiLetterUpper(vr[0]) && char.IsAsciiLetterUpper(vr[1]))
                {
                    length = U16(at + 6);
                    valueStart = at + 8;
                }
                else
                {
                    // No VR where explicit VR has one: an implicit VR element in an explicit VR data set, which GDCM reads
                    // as such ("Assuming 16 bits VR ... to read a buggy DICOM file"; pydicom's SC_rgb_jpeg.dcm).
                    vr = "";
                    length = U32(at + 4);
                    valueStart = at + 8;
                }
            }
            else
            {
                length = U32(at + 4);
                valueStart = at + 8;
            }

            Position = valueStart;
            if (length != Undefined)
            {
                if (valueStart + length > bytes.Length)
                {
                    return $"is truncated: the element ({tag >> 16:X4},{tag & 0xFFFF:X4}) at byte {at} needs {length} bytes of value, " +
                           $"and the file ends {bytes.Length - valueStart} bytes after its header";
                }

                Position = valueStart + length;
                return null;
            }

            // Undefined length: encapsulated Pixel Data (fragments in items) or a sequence of items, up to a delimiter.
            return tag == PixelDataTag || vr is "OB" or "OW" ? Items(followItems: false) : Items(followItems: true);
        }

        /// <summary>Items up to the Sequence Delimitation Item; items of undefined length are walked to their delimiter.</summary>
        private string? Items(bool followItems)
        {
            while (true)
            {
                long at = Position;
                if (!Need(at, 8))
                {
                    return Truncated(at, "an item or the sequence delimiter");
                }

                uint tag = ((uint)U16(at) << 16) | U16(at + 2);
                uint length = U32(at + 4);
                Position = at + 8;
                if (tag == SequenceDelimiter)
                {
                    return null;
                }

                if (tag != ItemTag)
                {
                    return $"is corrupt: ({tag >> 16:X4},{tag & 0xFFFF:X4}) at byte {at} where an item or the sequence delimiter belongs";
                }

                if (length != Undefined)
                {
                    if (Position + length > bytes.Length)
                    {
                        return $"is truncated: the item at byte {at} needs {length} bytes, and the file ends {bytes.Length - Position} bytes after its header";
                    }

                    Position += length;
                    continue;
                }

                if (!followItems)
                {
                    return $"is corrupt: a Pixel Data fragment at byte {at} has an undefined length";
                }

                // An item of undefined length: its elements up to the Item Delimitation Item.
                while (true)
                {
                    if (!Need(Position, 8))
                    {
                        return Truncated(Position, "an element or the item delimiter");
                    }

                    uint next = ((uint)U16(Position) << 16) | U16(Position + 2);
                    if (next == ItemDelimiter)
                    {
                        Position += 8;
                        break;
                    }

                    if (Element(out _, out _, out _) is { } problem)
                    {
                        return problem;
                    }
                }
            }
        }

        private bool Need(long at, int count) => at + count <= bytes.Length;

        private string Truncated(long at, string what) =>
            $"is truncated: the file ends at byte {bytes.Length}, {bytes.Length - at} bytes into {what} at byte {at}";

        private ushort U16(long at) => bigEndian
            ? BinaryPrimitives.ReadUInt16BigEndian(bytes.Read(at, 2))
            : BinaryPrimitives.ReadUInt16LittleEndian(bytes.Read(at, 2));

        private uint U32(long at) => bigEndian
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes.Read(at, 4))
            : BinaryPrimitives.ReadUInt32LittleEndian(bytes.Read(at, 4));
    }

    /// <summary>
    /// Random access to a file's bytes by seeking, so that values (the pixel data above all) are skipped, not read.
    /// </summary>
    private sealed class Source(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64];

        public Stream Stream { get; } = stream;

        public long Length { get; } = stream.Length;

        /// <summary><paramref name="count"/> (at most 64) bytes at <paramref name="at"/>; the caller checked they exist.</summary>
        public ReadOnlySpan<byte> Read(long at, int count)
        {
            Stream.Position = at;
            Stream.ReadExactly(_buffer, 0, count);
            return _buffer.AsSpan(0, count);
        }

        public string Ascii(long at, int count) => Encoding.ASCII.GetString(Read(at, count));
    }
}
