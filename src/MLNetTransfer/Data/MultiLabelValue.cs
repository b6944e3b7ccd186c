using System.Globalization;

namespace MLNetTransfer.Data;

/// <summary>Reads one CheXpert-style multi-label cell.</summary>
internal static class MultiLabelValue
{
    /// <summary>What the cells may hold, for error messages.</summary>
    public const string Allowed = "1 (positive), 0 (negative), -1 (uncertain) or blank (missing); 1.0, 0.0 and -1.0 also work";

    /// <summary>
    /// Parses <paramref name="text"/> to 1, 0, -1, or NaN for a blank cell. CheXpert's own CSVs write "1.0", "0.0",
    /// "-1.0", so any number equal to one of the three is accepted; anything else is refused, since a "2" or a "yes"
    /// means the column is not coded the way the loss reads it.
    /// </summary>
    public static bool TryParse(string text, out float value)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            value = float.NaN;
            return true;
        }

        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite,
                CultureInfo.InvariantCulture, out double number) && number is 1 or 0 or -1)
        {
            value = number == 0 ? 0f : (float)number; // "-0" reads as 0, not as -0
            return true;
        }

        value = float.NaN;
        return false;
    }
}
