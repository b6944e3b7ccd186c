namespace MLNetTransfer.Dicom;

/// <summary>
/// How <see cref="DicomPixelReader"/> turns stored DICOM values into intensities: which frame, and which VOI
/// transformation (window or VOI LUT) follows the modality LUT. The defaults give what pydicom's
/// <c>apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds)</c> gives, on the first frame.
/// </summary>
public sealed class DicomReadOptions
{
    /// <summary>The frame of a multi-frame file to read, 0-based. Default 0 (the only frame of a single-frame file).</summary>
    public int Frame { get; set; }

    /// <summary>
    /// Whether to apply a VOI transformation at all. Default true. When false, the modality LUT's output is scaled to
    /// [0, 1] from the full range it can take (the stored range through Rescale Slope and Intercept, or the Modality LUT's
    /// entry range), so a CT keeps every Hounsfield unit at full precision instead of one window of them.
    /// </summary>
    public bool ApplyVoi { get; set; } = true;

    /// <summary>
    /// Which Window Center (0028,1050) / Window Width (0028,1051) pair, and which item of the VOI LUT Sequence
    /// (0028,3010), to apply, 0-based. Default 0 (the first, which the standard calls the default).
    /// </summary>
    public int WindowIndex { get; set; }

    /// <summary>
    /// A window to apply instead of the file's, with the file's VOI LUT Function (0028,1056) (LINEAR when absent). Default
    /// null: use the file's window (or VOI LUT). Set it to window every image alike (e.g. a lung window for all CTs).
    /// </summary>
    public DicomWindow? Window { get; set; }

    /// <summary>
    /// When a file has both a VOI LUT Sequence and a window, apply the VOI LUT. Default true, as pydicom's
    /// <c>apply_voi_lut(prefer_lut=True)</c>. Ignored when <see cref="Window"/> is set.
    /// </summary>
    public bool PreferVoiLut { get; set; } = true;
}
