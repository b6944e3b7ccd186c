using System;
using System.Globalization;
using System.IO;

namespace MLNetTransfer.Dicom;

/// <summary>
/// Reads DICOM files through GDCM at full precision, in the order the standard gives (PS3.4 N.2, PS3.3 C.11): the
/// modality LUT (Rescale Slope/Intercept or the Modality LUT Sequence), then VOI (a window or the VOI LUT Sequence),
/// then MONOCHROME1 inversion, then [0, 1] in float, never through 8 bits. Colour files (RGB, YBR, palette) give 3
/// channels. Files that are not DICOM go to <see cref="ImageFileReader"/>, so a folder may mix PNG, JPEG and DICOM.
/// </summary>
/// <remarks>
/// Needs Debian's <c>libgdcm-cil</c> (GDCM 3.0's C# bindings) at run time; without it <see cref="Read"/> throws
/// <see cref="DllNotFoundException"/> naming <c>apt-get install libgdcm-cil</c>. docs/dicom.md lists the tags each
/// step reads. Thread-safe: each call opens its own GDCM reader.
/// </remarks>
public sealed class DicomPixelReader : IImagePixelReader
{
    private const string RleLossless = "1.2.840.10008.1.2.5";

    private readonly DicomReadOptions _options;
    private readonly string? _gdcmDirectory;
    private readonly ImageFileReader _otherFiles = new();

    /// <summary>A reader with the given settings (see <see cref="DicomReadOptions"/> for the defaults).</summary>
    /// <param name="options">Frame and VOI settings; null for the defaults. Copied, so later changes do not affect this reader.</param>
    /// <exception cref="ArgumentOutOfRangeException">Frame or WindowIndex is negative.</exception>
    public DicomPixelReader(DicomReadOptions? options = null)
        : this(options, gdcmDirectory: null)
    {
    }

    /// <summary>The test seam: loads GDCM from <paramref name="gdcmDirectory"/> instead of the configured folder.</summary>
    internal DicomPixelReader(DicomReadOptions? options, string? gdcmDirectory)
    {
        options ??= new DicomReadOptions();
        if (options.Frame < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Frame, "DicomReadOptions.Frame is 0-based and cannot be negative.");
        }

        if (options.WindowIndex < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WindowIndex, "DicomReadOptions.WindowIndex is 0-based and cannot be negative.");
        }

        _options = new DicomReadOptions
        {
            Frame = options.Frame,
            ApplyVoi = options.ApplyVoi,
            WindowIndex = options.WindowIndex,
            Window = options.Window,
            PreferVoiLut = options.PreferVoiLut,
        };
        _gdcmDirectory = gdcmDirectory;
    }

    /// <summary>
    /// The settings, e.g. <c>dicom(frame=0, voi=file window/lut 0, prefer-lut)</c>, <c>dicom(frame=2, voi=window 40/400)</c>
    /// or <c>dicom(frame=0, voi=none)</c>; files that are not DICOM are read as <see cref="ImageFileReader"/> reads them.
    /// </summary>
    public string Description => string.Create(CultureInfo.InvariantCulture, $"dicom(frame={_options.Frame}, voi={Voi})");

    /// <summary>
    /// The reader a <see cref="Description"/> describes (a saved model's <c>ModelPixelInput.ReaderDescription</c>), so
    /// that a scorer reads DICOM files as the model was trained on them; false for another reader's description.
    /// </summary>
    /// <param name="description">A description as <see cref="Description"/> writes it.</param>
    /// <param name="reader">The reader, when the description is a DICOM reader's.</param>
    public static bool TryFromDescription(string description, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DicomPixelReader? reader)
    {
        ArgumentNullException.ThrowIfNull(description);
        reader = DicomDescription.Parse(description) is { } options ? new DicomPixelReader(options) : null;
        return reader is not null;
    }

    private string Voi => !_options.ApplyVoi
        ? "none"
        : _options.Window is { } window
            ? $"window {window}"
            : $"file window/lut {_options.WindowIndex}{(_options.PreferVoiLut ? ", prefer-lut" : ", prefer-window")}";

    /// <summary>
    /// Reads the header only: names a file that is not DICOM (through <see cref="ImageFileReader.FindProblem"/> for
    /// other files), is truncated or corrupt, has no pixel data, has float pixel data, lacks the frame, uses a transfer syntax GDCM cannot decode
    /// (UID and name), has a photometric interpretation that is not read, or lacks the window or VOI LUT
    /// <see cref="DicomReadOptions.WindowIndex"/> names. Null when the file can be read.
    /// </summary>
    /// <param name="path">The image file.</param>
    public string? FindProblem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!DicomFiles.IsDicom(path))
        {
            return _otherFiles.FindProblem(path);
        }

        EnsureLoaded();
        DicomHeader header;
        try
        {
            header = GdcmFile.ReadHeader(path);
        }
        catch (InvalidDataException e)
        {
            return AfterName(path, e);
        }

        if (Problem(header, _options.Frame) is { } problem)
        {
            return problem;
        }

        try
        {
            // A WindowIndex the file lacks (the header has the windows and VOI LUTs).
            if (header.IsMonochrome)
            {
                VoiPipeline.ChooseVoi(header, _options, out _, out _, out _);
            }

            return null;
        }
        catch (InvalidDataException e)
        {
            return AfterName(path, e);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="DllNotFoundException">GDCM's bindings are not installed (apt-get install libgdcm-cil).</exception>
    public ImagePixels Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!DicomFiles.IsDicom(path))
        {
            return _otherFiles.Read(path);
        }

        EnsureLoaded();
        DicomHeader header = GdcmFile.ReadHeader(path);
        if (Problem(header, _options.Frame) is { } problem)
        {
            throw new InvalidDataException($"'{path}' {problem}.");
        }

        StoredFrame frame = GdcmFile.DecodeFrame(header, _options.Frame);
        return new ImagePixels(Convert(frame, header, _options), frame.Width, frame.Height, frame.Channels);
    }

    /// <summary>Stored values of a frame to [0, 1]: the grayscale pipeline, or colour samples over their bit depth.</summary>
    internal static float[] Convert(StoredFrame frame, DicomHeader header, DicomReadOptions options)
    {
        if (frame.Channels == 1)
        {
            (double low, double high, _) = VoiPipeline.Apply(frame.Values, header, options);
            return VoiPipeline.Scale(frame.Values, low, high, invert: header.Photometric == "MONOCHROME1");
        }

        // Colour has no modality LUT or VOI (PS3.3 C.11.1 and C.11.2 apply to grayscale); samples span their bit depth,
        // Bits Stored for the file's own samples, the palette's entry bits after a palette.
        int bits = header.Photometric == "PALETTE COLOR" ? frame.BitsAllocated : header.BitsStored;
        return VoiPipeline.Scale(frame.Values, 0, Math.Pow(2, bits) - 1, invert: false);
    }

    private static string? Problem(DicomHeader header, int frame)
    {
        if (header.HasFloatPixelData)
        {
            return "holds Float Pixel Data (7FE0,0008) or Double Float Pixel Data (7FE0,0009), which is not read";
        }

        if (!header.HasPixelData)
        {
            return "has no Pixel Data (7FE0,0010)";
        }

        if (!header.Decodable)
        {
            return $"uses transfer syntax {header.TransferSyntax}, which GDCM cannot decode";
        }

        if (header.NativePixelBytes is long available && available < header.NeededPixelBytes)
        {
            return $"is truncated: its Pixel Data (7FE0,0010) holds {available} bytes, and {header.Columns}x{header.Rows}, " +
                   $"{header.Frames} frame(s) of {header.SamplesPerPixel} sample(s) at {header.BitsAllocated} bits need {header.NeededPixelBytes}";
        }

        if (frame >= header.Frames)
        {
            return $"has {header.Frames} frame(s); frame {frame} (DicomReadOptions.Frame, 0-based) does not exist";
        }

        if (header.TransferSyntaxUid == RleLossless && header.SamplesPerPixel == 3 && header.BitsAllocated > 8)
        {
            return $"is RLE Lossless colour with {header.BitsAllocated} bits per sample, which Debian's GDCM 3.0 decodes with " +
                   "its bytes out of order (the first pixel of pydicom's SC_rgb_rle_16bit.dcm, red, reads 0x0000, 0xFF00, 0x00FF)";
        }

        if (header.Photometric == "PALETTE COLOR" && header.Palette is null)
        {
            return "is PALETTE COLOR without Red/Green/Blue Palette Color LUT Descriptor and Data (0028,1101-1103, 0028,1201-1203); " +
                   "segmented palettes are not read";
        }

        return header.Photometric switch
        {
            "MONOCHROME1" or "MONOCHROME2" when header.SamplesPerPixel == 1 => null,
            "RGB" or "YBR_FULL" or "YBR_FULL_422" or "YBR_ICT" or "YBR_RCT" or "YBR_PARTIAL_422" or "YBR_PARTIAL_420" when header.SamplesPerPixel == 3 => null,
            "PALETTE COLOR" when header.SamplesPerPixel == 1 => null,
            _ => $"has Photometric Interpretation (0028,0004) '{header.Photometric}' with {header.SamplesPerPixel} sample(s) per pixel; " +
                 "MONOCHROME1, MONOCHROME2, PALETTE COLOR, RGB and YBR are read",
        };
    }

    /// <summary>An error "'path' problem." as FindProblem words it: the part after the file's name.</summary>
    private static string AfterName(string path, InvalidDataException e)
    {
        string prefix = $"'{path}' ";
        return e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..].TrimEnd('.') : e.Message;
    }

    private void EnsureLoaded()
    {
        if (_gdcmDirectory is null)
        {
            GdcmRuntime.EnsureLoaded();
        }
        else
        {
            GdcmRuntime.EnsureLoaded(_gdcmDirectory);
        }
    }
}
