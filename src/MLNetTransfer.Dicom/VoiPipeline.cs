using System;

namespace MLNetTransfer.Dicom;

/// <summary>
/// The grayscale pipeline of PS3.4 N.2 / PS3.3 C.11 on stored values: modality LUT, then VOI, then the output range the
/// result is scaled from. Each step follows pydicom 2.3's <c>apply_modality_lut</c>, <c>apply_voi_lut</c>,
/// <c>apply_windowing</c> and <c>apply_voi</c> (pixel_data_handlers/util.py) operation for operation in float64, so the
/// values equal pydicom's exactly (SIGMOID to the last bits of <see cref="Math.Exp"/>).
/// </summary>
internal static class VoiPipeline
{
    /// <summary>What the VOI step applied, for <see cref="DicomPixelReader.Description"/> and the tests.</summary>
    internal enum VoiKind
    {
        None,
        Window,
        Lut,
    }

    /// <summary>Modality LUT then VOI on <paramref name="stored"/>, in place; returns the range to scale from.</summary>
    /// <returns>The output range [Low, High] of the last step applied (High may be below Low for a negative slope), and the VOI applied.</returns>
    public static (double Low, double High, VoiKind Voi) Apply(double[] stored, DicomHeader header, DicomReadOptions options)
    {
        ApplyModality(stored, header);
        (double bitsLow, double bitsHigh) = RescaledStoredRange(header);
        switch (ChooseVoi(header, options, out double center, out double width, out DicomLut? lut))
        {
            case VoiKind.Window:
                ApplyWindow(stored, center, width, header.VoiFunction, bitsLow, bitsHigh, header.Path);
                return (bitsLow, bitsHigh, VoiKind.Window);
            case VoiKind.Lut:
                for (int i = 0; i < stored.Length; i++)
                {
                    stored[i] = lut!.Map(stored[i]);
                }

                return (0, lut!.MaxOutput, VoiKind.Lut);
            default:
                return header.ModalityLut is { } modality ? (0, modality.MaxOutput, VoiKind.None) : (bitsLow, bitsHigh, VoiKind.None);
        }
    }

    /// <summary>Scales <paramref name="values"/> from [low, high] to [0, 1], clipped, inverted for MONOCHROME1 (PS3.3 C.7.6.3.1.2).</summary>
    public static float[] Scale(double[] values, double low, double high, bool invert)
    {
        double range = high - low;
        var scaled = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double unit = range == 0 ? 0 : Math.Clamp((values[i] - low) / range, 0, 1);
            scaled[i] = (float)(invert ? 1 - unit : unit);
        }

        return scaled;
    }

    /// <summary>
    /// The VOI to apply, as pydicom's <c>apply_voi_lut(prefer_lut=True)</c> chooses it unless the options say otherwise:
    /// the VOI LUT Sequence (0028,3010) when present (and preferred), else Window Center/Width (0028,1050/1051), else none.
    /// </summary>
    /// <exception cref="System.IO.InvalidDataException">WindowIndex names a window or VOI LUT the file does not have.</exception>
    internal static VoiKind ChooseVoi(DicomHeader header, DicomReadOptions options, out double center, out double width, out DicomLut? lut)
    {
        center = width = 0;
        lut = null;
        if (!options.ApplyVoi)
        {
            return VoiKind.None;
        }

        if (options.Window is { } window)
        {
            center = window.Center;
            width = window.Width;
            return VoiKind.Window;
        }

        bool hasLut = header.VoiLuts.Count > 0;
        bool hasWindow = header.WindowCenters.Count > 0 && header.WindowWidths.Count > 0;
        if (hasLut && (options.PreferVoiLut || !hasWindow))
        {
            lut = options.WindowIndex < header.VoiLuts.Count
                ? header.VoiLuts[options.WindowIndex]
                : throw new System.IO.InvalidDataException(
                    $"'{header.Path}' has {header.VoiLuts.Count} VOI LUT(s); DicomReadOptions.WindowIndex {options.WindowIndex} (0-based) does not exist.");
            return VoiKind.Lut;
        }

        if (hasWindow)
        {
            int count = Math.Min(header.WindowCenters.Count, header.WindowWidths.Count);
            if (options.WindowIndex >= count)
            {
                throw new System.IO.InvalidDataException(
                    $"'{header.Path}' has {count} Window Center/Width pair(s); DicomReadOptions.WindowIndex {options.WindowIndex} (0-based) does not exist.");
            }

            center = header.WindowCenters[options.WindowIndex];
            width = header.WindowWidths[options.WindowIndex];
            return VoiKind.Window;
        }

        return VoiKind.None;
    }

    /// <summary>
    /// The modality LUT (PS3.3 C.11.1): the Modality LUT Sequence (0028,3000) when present, else Rescale Slope (0028,1053)
    /// and Intercept (0028,1052) when both are, as <c>arr.astype(float64) * slope + intercept</c>.
    /// </summary>
    internal static void ApplyModality(double[] values, DicomHeader header)
    {
        if (header.ModalityLut is { } lut)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = lut.Map(values[i]);
            }
        }
        else if (header is { RescaleSlope: double slope, RescaleIntercept: double intercept })
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (values[i] * slope) + intercept;
            }
        }
    }

    /// <summary>
    /// pydicom's <c>apply_windowing</c> output range: [0, 2^bits - 1] of the Modality LUT Sequence's descriptor when
    /// present, else the stored range from Bits Stored (0028,0101) and Pixel Representation (0028,0103); then through
    /// Rescale Slope and Intercept when both are present (pydicom applies them to the range even beside a Modality LUT).
    /// </summary>
    internal static (double Low, double High) RescaledStoredRange(DicomHeader header)
    {
        double low, high;
        if (header.ModalityLut is { } modality)
        {
            // After a Modality LUT the values are its unsigned entries (PS3.3 C.11.1.1.1).
            low = 0;
            high = modality.MaxOutput;
        }
        else if (header.PixelRepresentation == 0)
        {
            low = 0;
            high = Math.Pow(2, header.BitsStored) - 1;
        }
        else
        {
            low = -Math.Pow(2, header.BitsStored - 1);
            high = Math.Pow(2, header.BitsStored - 1) - 1;
        }

        if (header is { RescaleSlope: double slope, RescaleIntercept: double intercept })
        {
            low = (low * slope) + intercept;
            high = (high * slope) + intercept;
        }

        return (low, high);
    }

    /// <summary>
    /// Window Center/Width with the VOI LUT Function (0028,1056): LINEAR (PS3.3 C.11.2.1.2.1), LINEAR_EXACT
    /// (C.11.2.1.3.2) or SIGMOID (C.11.2.1.3.1), onto [yMin, yMax], written as pydicom's <c>apply_windowing</c> computes it.
    /// </summary>
    /// <exception cref="System.IO.InvalidDataException">The width is out of the function's domain, or the function is unknown.</exception>
    internal static void ApplyWindow(double[] values, double center, double width, string function, double yMin, double yMax, string path)
    {
        double yRange = yMax - yMin;
        switch (function)
        {
            case "LINEAR" or "LINEAR_EXACT":
                if (function == "LINEAR")
                {
                    if (width < 1)
                    {
                        throw new System.IO.InvalidDataException($"'{path}': Window Width {width} is below 1, which VOI LUT Function LINEAR does not allow.");
                    }

                    center -= 0.5;
                    width -= 1;
                }
                else if (width <= 0)
                {
                    throw new System.IO.InvalidDataException($"'{path}': Window Width {width} is not above 0, which LINEAR_EXACT requires.");
                }

                double below = center - (width / 2);
                double above = center + (width / 2);
                for (int i = 0; i < values.Length; i++)
                {
                    double x = values[i];
                    values[i] = x <= below ? yMin : x > above ? yMax : ((((x - center) / width) + 0.5) * yRange) + yMin;
                }

                break;
            case "SIGMOID":
                if (width <= 0)
                {
                    throw new System.IO.InvalidDataException($"'{path}': Window Width {width} is not above 0, which SIGMOID requires.");
                }

                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (yRange / (1 + Math.Exp(-4 * (values[i] - center) / width))) + yMin;
                }

                break;
            default:
                throw new System.IO.InvalidDataException($"'{path}': VOI LUT Function '{function}' is not LINEAR, LINEAR_EXACT or SIGMOID.");
        }
    }
}
