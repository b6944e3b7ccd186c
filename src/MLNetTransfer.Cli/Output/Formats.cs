using System.Globalization;

namespace MLNetTransfer.Cli.Output;

/// <summary>How metrics are written for people (console tables, the report's tables).</summary>
internal static class Formats
{
    /// <summary>Four decimals, invariant; "n/a" for an undefined value (an AUC with one class only).</summary>
    public static string Metric(double value) => double.IsFinite(value) ? value.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
}
