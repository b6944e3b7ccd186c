using System;
using System.Globalization;

namespace MLNetTransfer.Dicom;

/// <summary>A VOI window: the centre and width of the stored (after modality LUT) values mapped to the output range.</summary>
public sealed class DicomWindow
{
    /// <summary>A window of <paramref name="width"/> around <paramref name="center"/>, in modality units (e.g. HU).</summary>
    /// <param name="center">Window Center (0028,1050).</param>
    /// <param name="width">Window Width (0028,1051): at least 1 for LINEAR, above 0 for LINEAR_EXACT and SIGMOID.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is not finite, or the width is not above 0.</exception>
    public DicomWindow(double center, double width)
    {
        if (!double.IsFinite(center))
        {
            throw new ArgumentOutOfRangeException(nameof(center), center, "The window centre must be a finite number.");
        }

        if (!double.IsFinite(width) || width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The window width must be a finite number above 0.");
        }

        Center = center;
        Width = width;
    }

    /// <summary>Window Center, in modality units.</summary>
    public double Center { get; }

    /// <summary>Window Width, in modality units.</summary>
    public double Width { get; }

    /// <summary>"center/width", invariant culture (as in <see cref="DicomPixelReader.Description"/>).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Center:R}/{Width:R}");
}
