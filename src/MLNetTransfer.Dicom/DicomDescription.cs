using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MLNetTransfer.Dicom;

/// <summary>
/// Reads back a <see cref="DicomPixelReader.Description"/>, which a saved model stores (its graph's
/// <c>pixel_reader</c> metadata), into the options that wrote it, so a scorer feeds the model as it was trained.
/// </summary>
internal static partial class DicomDescription
{
    public static DicomReadOptions? Parse(string description)
    {
        var match = Pattern().Match(description);
        if (!match.Success || !int.TryParse(match.Groups["frame"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int frame))
        {
            return null;
        }

        var options = new DicomReadOptions { Frame = frame };
        string voi = match.Groups["voi"].Value;
        if (voi == "none")
        {
            options.ApplyVoi = false;
            return options;
        }

        var window = WindowPattern().Match(voi);
        if (window.Success)
        {
            if (!double.TryParse(window.Groups["c"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double center)
                || !double.TryParse(window.Groups["w"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double width)
                || !double.IsFinite(center) || !(width > 0 && double.IsFinite(width)))
            {
                return null;
            }

            options.Window = new DicomWindow(center, width);
            return options;
        }

        var file = FilePattern().Match(voi);
        if (!file.Success || !int.TryParse(file.Groups["i"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return null;
        }

        options.WindowIndex = index;
        options.PreferVoiLut = file.Groups["p"].Value == "prefer-lut";
        return options;
    }

    [GeneratedRegex(@"^dicom\(frame=(?<frame>\d+), voi=(?<voi>.+)\)$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^window (?<c>[^/]+)/(?<w>.+)$")]
    private static partial Regex WindowPattern();

    [GeneratedRegex(@"^file window/lut (?<i>\d+), (?<p>prefer-lut|prefer-window)$")]
    private static partial Regex FilePattern();
}
