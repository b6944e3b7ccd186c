namespace MLNetTransfer.Cli.Training;

/// <summary>How <c>train</c> reads its images (<c>--pixels</c>, <c>--window</c> and the <c>--dicom-*</c> options).</summary>
internal sealed record PixelSettings
{
    /// <summary>auto (full precision when the data hold DICOM files or 16-bit PNGs), 8bit (ML.NET's loader) or full.</summary>
    public PixelMode Mode { get; init; } = PixelMode.Auto;

    /// <summary><c>--window LOW,HIGH</c>: the stored PNG/JPEG values that map to 0 and 1; null for the file's full range.</summary>
    public (double Low, double High)? Window { get; init; }

    /// <summary><c>--dicom-frame</c>, <c>--dicom-window-index</c>, <c>--dicom-window</c>, <c>--dicom-no-voi</c>: the DICOM reader's options.</summary>
    public Dicom.DicomReadOptions Dicom { get; init; } = new();
}

/// <summary>The values of <c>--pixels</c>.</summary>
internal enum PixelMode
{
    /// <summary>Full precision when any training image is DICOM or a 16-bit PNG, ML.NET's 8-bit loader otherwise.</summary>
    Auto,

    /// <summary>ML.NET's 8-bit <c>LoadImages</c>: the model takes image paths; DICOM files are refused.</summary>
    EightBit,

    /// <summary>A full-precision reader: the model takes the float Pixels column.</summary>
    Full,
}
