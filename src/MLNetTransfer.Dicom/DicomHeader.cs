using System.Collections.Generic;

namespace MLNetTransfer.Dicom;

/// <summary>The attributes of a DICOM file that decide how its pixels are read, as GDCM parsed them before the pixel data.</summary>
internal sealed class DicomHeader
{
    public required string Path { get; init; }

    /// <summary>Transfer Syntax UID (0002,0010).</summary>
    public required string TransferSyntaxUid { get; init; }

    /// <summary>The transfer syntax's name from GDCM's UID table, or "unknown transfer syntax".</summary>
    public required string TransferSyntaxName { get; init; }

    /// <summary>Whether GDCM has a codec for the transfer syntax.</summary>
    public required bool Decodable { get; init; }

    /// <summary>Pixel Data (7FE0,0010) is present.</summary>
    public required bool HasPixelData { get; init; }

    /// <summary>For native (uncompressed) Pixel Data, the bytes the file holds from its value on; else null.</summary>
    public long? NativePixelBytes { get; init; }

    /// <summary>The bytes native Pixel Data needs: Rows × Columns × frames × samples × Bits Allocated / 8, rounded up.</summary>
    public long NeededPixelBytes => Photometric == "YBR_FULL_422" && BitsAllocated == 8
        ? (long)Rows * Columns * Frames * 2
        : (((long)Rows * Columns * Frames * SamplesPerPixel * BitsAllocated) + 7) / 8;

    /// <summary>Float Pixel Data (7FE0,0008) or Double Float Pixel Data (7FE0,0009) is present.</summary>
    public required bool HasFloatPixelData { get; init; }

    /// <summary>Rows (0028,0010).</summary>
    public required int Rows { get; init; }

    /// <summary>Columns (0028,0011).</summary>
    public required int Columns { get; init; }

    /// <summary>Number of Frames (0028,0008), 1 when absent.</summary>
    public required int Frames { get; init; }

    /// <summary>
    /// Frame Increment Pointer (0028,0009) without Number of Frames (0028,0008), as in single-frame RT Dose files.
    /// Debian's GDCM 3.0 asserts (and so aborts the process) on such a file in ImageReader, so it reads a copy that
    /// says Number of Frames 1.
    /// </summary>
    public bool LacksFrameCount { get; init; }

    /// <summary>Samples per Pixel (0028,0002).</summary>
    public required int SamplesPerPixel { get; init; }

    /// <summary>Bits Allocated (0028,0100).</summary>
    public required int BitsAllocated { get; init; }

    /// <summary>Bits Stored (0028,0101).</summary>
    public required int BitsStored { get; init; }

    /// <summary>Pixel Representation (0028,0103): 0 unsigned, 1 two's complement.</summary>
    public required int PixelRepresentation { get; init; }

    /// <summary>Photometric Interpretation (0028,0004), e.g. MONOCHROME2.</summary>
    public required string Photometric { get; init; }

    /// <summary>Rescale Slope (0028,1053); null when absent.</summary>
    public double? RescaleSlope { get; init; }

    /// <summary>Rescale Intercept (0028,1052); null when absent.</summary>
    public double? RescaleIntercept { get; init; }

    /// <summary>The first item of the Modality LUT Sequence (0028,3000), or null.</summary>
    public DicomLut? ModalityLut { get; init; }

    /// <summary>Window Center (0028,1050) values.</summary>
    public IReadOnlyList<double> WindowCenters { get; init; } = [];

    /// <summary>Window Width (0028,1051) values.</summary>
    public IReadOnlyList<double> WindowWidths { get; init; } = [];

    /// <summary>VOI LUT Function (0028,1056), upper case; LINEAR when absent.</summary>
    public string VoiFunction { get; init; } = "LINEAR";

    /// <summary>The items of the VOI LUT Sequence (0028,3010) that have a descriptor and data.</summary>
    public IReadOnlyList<DicomLut> VoiLuts { get; init; } = [];

    /// <summary>The Palette Color LUTs (PALETTE COLOR files), or null.</summary>
    public DicomPalette? Palette { get; init; }

    /// <summary>"UID (name)", for messages.</summary>
    public string TransferSyntax => $"{TransferSyntaxUid} ({TransferSyntaxName})";

    /// <summary>MONOCHROME1 or MONOCHROME2.</summary>
    public bool IsMonochrome => Photometric is "MONOCHROME1" or "MONOCHROME2";
}
