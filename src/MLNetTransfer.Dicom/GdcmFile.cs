using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace MLNetTransfer.Dicom;

/// <summary>
/// Everything that calls GDCM: parsing a file up to its pixel data, reading one tag, and decoding the pixel data to
/// stored values. Callers run <see cref="GdcmRuntime.EnsureLoaded()"/> first (see its remarks); every method here is
/// kept out of its callers' bodies by <see cref="MethodImplOptions.NoInlining"/> for the same reason.
/// </summary>
internal static class GdcmFile
{
    private const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    private const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    private const string ExplicitVrBigEndian = "1.2.840.10008.1.2.2";
    private const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";

    private static readonly (ushort Group, ushort Element) PixelData = (0x7FE0, 0x0010);

    /// <summary>The transfer syntaxes GDCM 3.0 parses but has no codec for: MPEG-2, H.264 and JPIP (PS3.5 A.4).</summary>
    private static readonly HashSet<gdcm.TransferSyntax.TSType> _notDecodable =
    [
        gdcm.TransferSyntax.TSType.MPEG2MainProfile,
        gdcm.TransferSyntax.TSType.MPEG2MainProfileHighLevel,
        gdcm.TransferSyntax.TSType.MPEG4AVCH264HighProfileLevel4_1,
        gdcm.TransferSyntax.TSType.MPEG4AVCH264BDcompatibleHighProfileLevel4_1,
        gdcm.TransferSyntax.TSType.JPIPReferenced,
        gdcm.TransferSyntax.TSType.TS_END,
    ];

    /// <summary>Parses <paramref name="path"/> up to its pixel data, whose value is skipped, not read.</summary>
    /// <exception cref="InvalidDataException">GDCM cannot parse the file.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static DicomHeader ReadHeader(string path)
    {
        using var reader = ReadUpToPixelData(path);

        gdcm.File file = reader.GetFile();
        gdcm.DataSet dataSet = file.GetDataSet();
        using var strings = new gdcm.StringFilter();
        strings.SetFile(file);

        string uid = TransferSyntaxUid(file);
        gdcm.TransferSyntax.TSType type = gdcm.TransferSyntax.GetTSType(uid);
        var values = new TagValues(dataSet, strings);
        return new DicomHeader
        {
            Path = path,
            TransferSyntaxUid = uid,
            TransferSyntaxName = TransferSyntaxName(uid),
            Decodable = !_notDecodable.Contains(type),
            HasPixelData = PixelDataFollows(path, reader.GetStreamCurrentPosition(), uid, out long? nativeBytes),
            NativePixelBytes = nativeBytes,
            HasFloatPixelData = values.Has(0x7FE0, 0x0008) || values.Has(0x7FE0, 0x0009),
            Rows = values.Int(0x0028, 0x0010) ?? 0,
            Columns = values.Int(0x0028, 0x0011) ?? 0,
            Frames = values.Int(0x0028, 0x0008) ?? 1,
            LacksFrameCount = !values.Has(0x0028, 0x0008) && values.Has(0x0028, 0x0009),
            SamplesPerPixel = values.Int(0x0028, 0x0002) ?? 1,
            BitsAllocated = values.Int(0x0028, 0x0100) ?? 0,
            BitsStored = values.Int(0x0028, 0x0101) ?? values.Int(0x0028, 0x0100) ?? 0,
            PixelRepresentation = values.Int(0x0028, 0x0103) ?? 0,
            Photometric = (values.String(0x0028, 0x0004) ?? "").ToUpperInvariant(),
            RescaleSlope = values.Doubles(0x0028, 0x1053) is [double slope, ..] ? slope : null,
            RescaleIntercept = values.Doubles(0x0028, 0x1052) is [double intercept, ..] ? intercept : null,
            ModalityLut = Luts(dataSet, 0x0028, 0x3000, values.Int(0x0028, 0x0103) ?? 0, path).FirstOrDefault(),
            WindowCenters = values.Doubles(0x0028, 0x1050),
            WindowWidths = values.Doubles(0x0028, 0x1051),
            VoiFunction = (values.String(0x0028, 0x1056) ?? "LINEAR").ToUpperInvariant(),
            VoiLuts = Luts(dataSet, 0x0028, 0x3010, values.Int(0x0028, 0x0103) ?? 0, path),
            Palette = ReadPalette(dataSet, path),
        };
    }

    // The file parsed up to its pixel data, whose value is skipped, after the structure check (GDCM aborts the process on
    // some broken files).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static gdcm.Reader ReadUpToPixelData(string path)
    {
        ThrowIfBroken(path);
        var reader = new gdcm.Reader();
        reader.SetFileName(path);
        using var pixelData = new gdcm.Tag(PixelData.Group, PixelData.Element);
        using var skip = new gdcm.TagSetType();
        skip.Add(pixelData);
        if (!reader.ReadUpToTag(pixelData, skip))
        {
            reader.Dispose();
            throw new InvalidDataException($"'{path}' is not a DICOM file GDCM can parse (truncated or corrupt header).");
        }

        return reader;
    }

    /// <summary>The value of one top-level tag as GDCM's StringFilter prints it, trimmed; null when absent or empty.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string? ReadTag(string path, string keywordOrTag)
    {
        (ushort group, ushort element) = ParseTag(keywordOrTag);
        using var reader = ReadUpToPixelData(path);
        gdcm.File file = reader.GetFile();
        using var strings = new gdcm.StringFilter();
        strings.SetFile(file);
        gdcm.DataSet dataSet = group == 0x0002 ? file.GetHeader() : file.GetDataSet();
        return new TagValues(dataSet, strings).String(group, element);
    }

    /// <summary>Checks the file's structure before GDCM parses it (see <see cref="DicomStructure"/>).</summary>
    private static void ThrowIfBroken(string path)
    {
        if (DicomStructure.FindProblem(path) is { } problem)
        {
            throw new InvalidDataException($"'{path}' {problem}.");
        }
    }

    /// <summary>Decodes the pixel data of <paramref name="header"/>'s file and returns one frame's stored values.</summary>
    /// <exception cref="InvalidDataException">GDCM cannot decode the pixel data; the message names the file and transfer syntax.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static StoredFrame DecodeFrame(DicomHeader header, int frame)
    {
        string failure = $"'{header.Path}' could not be decoded by GDCM (transfer syntax {header.TransferSyntax})";
        string? copy = header.LacksFrameCount ? CopyWithFrameCount(header.Path, failure) : null;
        try
        {
            return DecodeFrame(header, copy ?? header.Path, frame, failure);
        }
        finally
        {
            if (copy is not null)
            {
                File.Delete(copy);
            }
        }
    }

    /// <summary>
    /// A temporary copy of <paramref name="path"/> with Number of Frames (0028,0008) = 1 added, for the GDCM assertion
    /// <see cref="DicomHeader.LacksFrameCount"/> describes.
    /// </summary>
    private static string CopyWithFrameCount(string path, string failure)
    {
        using var reader = new gdcm.Reader();
        reader.SetFileName(path);
        if (!reader.Read())
        {
            throw new InvalidDataException($"{failure}: the file does not parse.");
        }

        gdcm.File file = reader.GetFile();
        using var tag = new gdcm.Tag(0x0028, 0x0008);
        using var frames = new gdcm.DataElement(tag);
        using var vr = new gdcm.VR(gdcm.VR.VRType.IS);
        frames.SetVR(vr);
        using var length = new gdcm.VL(2);
        frames.SetByteValue("1 "u8.ToArray(), length);
        file.GetDataSet().Insert(frames);
        string copy = Path.Combine(Path.GetTempPath(), $"mlnettransfer-dicom-{Guid.NewGuid():N}.dcm");
        using var writer = new gdcm.Writer();
        writer.SetFileName(copy);
        writer.SetFile(file);
        if (!writer.Write())
        {
            File.Delete(copy);
            throw new InvalidDataException($"{failure}: a copy with Number of Frames (0028,0008) could not be written to {copy}.");
        }

        return copy;
    }

    private static StoredFrame DecodeFrame(DicomHeader header, string source, int frame, string failure)
    {
        using var reader = new gdcm.ImageReader();
        reader.SetFileName(source);
        if (!reader.Read())
        {
            throw new InvalidDataException($"{failure}: the file does not parse as a DICOM image.");
        }

        gdcm.Image image = reader.GetImage();
        gdcm.PhotometricInterpretation.PIType photometric = image.GetPhotometricInterpretation().GetType();

        byte[] buffer = new byte[image.GetBufferLength()];
        if (!image.GetBuffer(buffer))
        {
            throw new InvalidDataException($"{failure}.");
        }

        gdcm.PixelFormat format = image.GetPixelFormat();
        int columns = checked((int)image.GetDimension(0));
        int rows = checked((int)image.GetDimension(1));
        int frames = image.GetNumberOfDimensions() >= 3 ? checked((int)image.GetDimension(2)) : 1;
        int samples = format.GetSamplesPerPixel();
        if (frame >= frames)
        {
            throw new InvalidDataException($"'{header.Path}' has {frames} frame(s); frame {frame} (DicomReadOptions.Frame, 0-based) does not exist.");
        }

        return StoredFrame.Unpack(
            buffer, header.Path, frame, frames, columns, rows, samples, format.GetBitsAllocated(), format.GetPixelRepresentation(),
            planar: image.GetPlanarConfiguration() == 1, photometric: gdcm.PhotometricInterpretation.GetPIString(photometric).Trim(),
            swapWordHalves: header.TransferSyntaxUid == ExplicitVrBigEndian && format.GetBitsAllocated() == 32,
            signExtendFrom: header.PixelRepresentation == 1 && header.BitsStored < format.GetBitsAllocated() ? header.BitsStored : 0,
            palette: photometric == gdcm.PhotometricInterpretation.PIType.PALETTE_COLOR ? header.Palette : null);
    }

    /// <summary>
    /// Whether the file holds Pixel Data (7FE0,0010), after <c>ReadUpToTag(PixelData, skip: {PixelData})</c>: GDCM then
    /// leaves the element out of the data set, and the stream just past its header for native data and most
    /// encapsulated data (CT_small.dcm, MR_small_RLE.dcm), or at the end of the file, reported as uint.MaxValue, when
    /// there is none. So the tag is read back from the file: 8 bytes before the value in implicit VR, 12 in explicit VR
    /// (OB/OW have a 4-byte length). Where it is not there (SC_rgb_jpeg.dcm leaves the stream past the whole element;
    /// a deflated data set's position counts inflated bytes) the whole file is parsed, without decoding the pixels. (Asking GDCM to stop after the
    /// tag, at (7FE0,0011), trips an assertion, a process abort, in Debian's GDCM 3.0 on encapsulated pixel data.)
    /// </summary>
    private static bool PixelDataFollows(string path, uint position, string transferSyntaxUid, out long? nativeBytes)
    {
        nativeBytes = null;
        if (transferSyntaxUid == DeflatedExplicitVrLittleEndian)
        {
            using var reader = new gdcm.Reader();
            reader.SetFileName(path);
            using var tag = new gdcm.Tag(PixelData.Group, PixelData.Element);
            return reader.Read() && reader.GetFile().GetDataSet().FindDataElement(tag);
        }

        if (position == uint.MaxValue)
        {
            return false;
        }

        if (position >= 12)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            Span<byte> header = stackalloc byte[12];
            stream.Position = position - 12;
            bool bigEndian = transferSyntaxUid == ExplicitVrBigEndian;
            if (stream.ReadAtLeast(header, 12, throwOnEndOfStream: false) == 12
                && (IsPixelDataTag(header[..4], bigEndian) || IsPixelDataTag(header[4..8], bigEndian)))
            {
                // Native (uncompressed) pixel data: what the file holds from here on, to check against what the header
                // needs (GDCM decodes a truncated native image without an error, padding it).
                if (transferSyntaxUid is ImplicitVrLittleEndian or ExplicitVrLittleEndian or ExplicitVrBigEndian)
                {
                    nativeBytes = stream.Length - position;
                }

                return true;
            }
        }

        // GDCM stopped elsewhere (past a skipped value of defined length, or at a later tag): parse the whole file.
        using var fullReader = new gdcm.Reader();
        fullReader.SetFileName(path);
        using var pixelDataTag = new gdcm.Tag(PixelData.Group, PixelData.Element);
        return fullReader.Read() && fullReader.GetFile().GetDataSet().FindDataElement(pixelDataTag);
    }

    private static bool IsPixelDataTag(ReadOnlySpan<byte> tag, bool bigEndian) =>
        (bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(tag) : BinaryPrimitives.ReadUInt16LittleEndian(tag)) == PixelData.Group
        && (bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(tag[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(tag[2..])) == PixelData.Element;

    /// <summary>Keyword (PatientID), "(0010,0020)", "0010,0020" or "00100020" to a tag.</summary>
    internal static (ushort Group, ushort Element) ParseTag(string keywordOrTag)
    {
        string hex = keywordOrTag.Trim().Trim('(', ')').Replace(",", "", StringComparison.Ordinal).Replace("|", "", StringComparison.Ordinal);
        if (hex.Length == 8 && uint.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint tag))
        {
            return ((ushort)(tag >> 16), (ushort)tag);
        }

        using var found = new gdcm.Tag();
        using gdcm.Dicts dicts = gdcm.Global.GetInstance().GetDicts();
        using gdcm.Dict dictionary = dicts.GetPublicDict();
        using gdcm.DictEntry entry = dictionary.GetDictEntryByKeyword(keywordOrTag.Trim(), found);
        if (string.IsNullOrEmpty(entry.GetKeyword()) || found.GetGroup() == 0xFFFF)
        {
            throw new ArgumentException(
                $"'{keywordOrTag}' is neither a DICOM keyword of GDCM's dictionary (e.g. PatientID) nor a tag such as (0010,0020).",
                nameof(keywordOrTag));
        }

        return (found.GetGroup(), found.GetElement());
    }

    private static string TransferSyntaxUid(gdcm.File file)
    {
        using var tag = new gdcm.Tag(0x0002, 0x0010);
        gdcm.FileMetaInformation meta = file.GetHeader();
        if (meta.FindDataElement(tag))
        {
            using var strings = new gdcm.StringFilter();
            strings.SetFile(file);
            string uid = strings.ToString(tag).Trim('\0', ' ');
            if (uid.Length > 0)
            {
                return uid;
            }
        }

        // No File Meta Information (an old ACR-NEMA style file): GDCM guessed the encoding from the data.
        using gdcm.TransferSyntax guessed = meta.GetDataSetTransferSyntax();
        return guessed.GetString().Trim('\0', ' ');
    }

    /// <summary>The name GDCM's UID table gives <paramref name="uid"/> (PS3.6 Annex A).</summary>
    internal static string TransferSyntaxName(string uid)
    {
        using var uids = new gdcm.UIDs();
        return uids.SetFromUID(uid) && uids.GetName() is { Length: > 0 } name ? name : "unknown transfer syntax";
    }

    /// <summary>The items of a LUT sequence that carry both LUT Descriptor (0028,3002) and LUT Data (0028,3006).</summary>
    private static List<DicomLut> Luts(gdcm.DataSet dataSet, ushort group, ushort element, int pixelRepresentation, string path)
    {
        var luts = new List<DicomLut>();
        using var tag = new gdcm.Tag(group, element);
        if (!dataSet.FindDataElement(tag))
        {
            return luts;
        }

        using gdcm.SmartPtrSQ sequence = dataSet.GetDataElement(tag).GetValueAsSQ();
        if (sequence is null || sequence.GetPointer() is null)
        {
            return luts;
        }

        for (uint i = 1; i <= sequence.GetNumberOfItems(); i++)
        {
            gdcm.DataSet item = sequence.GetItem(i).GetNestedDataSet();
            ushort[]? descriptor = Words(item, 0x0028, 0x3002);
            ushort[]? data = Words(item, 0x0028, 0x3006);
            if (descriptor is not { Length: >= 3 } || data is null)
            {
                continue;
            }

            // PS3.3 C.11.1.1.2.1: the first value is always unsigned; the second (first value mapped) is signed when
            // Pixel Representation is 1, as pydicom reads it.
            int firstMapped = pixelRepresentation == 1 ? (short)descriptor[1] : descriptor[1];
            try
            {
                luts.Add(new DicomLut(descriptor[0], firstMapped, descriptor[2], data));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"'{path}': item {i} of ({group:X4},{element:X4}): {e.Message}", e);
            }
        }

        return luts;
    }

    /// <summary>
    /// Red, Green and Blue Palette Color LUT Descriptor (0028,1101-1103) and Data (0028,1201-1203), PS3.3 C.7.6.3.1.5;
    /// null when the file has none. Segmented palettes (0028,1221-1223) are not read (the reader names them).
    /// </summary>
    private static DicomPalette? ReadPalette(gdcm.DataSet dataSet, string path)
    {
        var channels = new (ushort[] Descriptor, byte[] Data)[3];
        for (ushort c = 0; c < 3; c++)
        {
            ushort[]? descriptor = Words(dataSet, 0x0028, (ushort)(0x1101 + c));
            byte[]? data = Bytes(dataSet, 0x0028, (ushort)(0x1201 + c));
            if (descriptor is not { Length: >= 3 } || data is null)
            {
                return null;
            }

            channels[c] = (descriptor, data);
        }

        try
        {
            return new DicomPalette(channels[0].Descriptor, channels.Select(c => c.Data).ToArray());
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}': its Palette Color Lookup Table: {e.Message}", e);
        }
    }

    /// <summary>A US/SS/OW element's value as little-endian 16-bit words, or null when absent.</summary>
    private static ushort[]? Words(gdcm.DataSet dataSet, ushort group, ushort element)
    {
        if (Bytes(dataSet, group, element) is not { } bytes)
        {
            return null;
        }

        var words = new ushort[bytes.Length / 2];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = (ushort)(bytes[2 * i] | (bytes[(2 * i) + 1] << 8));
        }

        return words;
    }

    /// <summary>An element's raw value bytes, or null when absent or empty.</summary>
    private static byte[]? Bytes(gdcm.DataSet dataSet, ushort group, ushort element)
    {
        using var tag = new gdcm.Tag(group, element);
        if (!dataSet.FindDataElement(tag))
        {
            return null;
        }

        gdcm.DataElement de = dataSet.GetDataElement(tag);
        gdcm.ByteValue? value = de.GetByteValue();
        if (value is null)
        {
            return null;
        }

        uint length = value.GetLength().GetValueLength();
        byte[] bytes = new byte[length];
        return length > 0 && value.GetBuffer(bytes, length) ? bytes : null;
    }

    /// <summary>Reads string-valued tags of one data set through GDCM's StringFilter, which also prints binary VRs (US, SS).</summary>
    private sealed class TagValues(gdcm.DataSet dataSet, gdcm.StringFilter strings)
    {
        public bool Has(ushort group, ushort element)
        {
            using var tag = new gdcm.Tag(group, element);
            return dataSet.FindDataElement(tag);
        }

        public string? String(ushort group, ushort element)
        {
            using var tag = new gdcm.Tag(group, element);
            if (!dataSet.FindDataElement(tag) || dataSet.GetDataElement(tag).IsEmpty())
            {
                return null;
            }

            string text = strings.ToString(dataSet.GetDataElement(tag)).Trim('\0', ' ');
            return text.Length > 0 ? text : null;
        }

        public int? Int(ushort group, ushort element) =>
            String(group, element) is { } text && int.TryParse(text.Split('\\')[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
                ? value
                : null;

        /// <summary>A DS or IS value's numbers; values that do not parse are left out (as an absent value).</summary>
        public double[] Doubles(ushort group, ushort element)
        {
            if (String(group, element) is not { } text)
            {
                return [];
            }

            var numbers = new List<double>();
            foreach (string part in text.Split('\\'))
            {
                if (double.TryParse(part.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
                {
                    numbers.Add(number);
                }
            }

            return numbers.ToArray();
        }
    }
}
