using System;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Tests.Reference;
using Xunit;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// Reference values of the evaluation statistics computed independently by numpy, scipy and scikit-learn
/// (<c>tests/reference/make_statistics_references.py</c>: DeLong's variance by its O(m·n) definition, scipy's Wilson
/// intervals and bounded Brent, brute-force thresholds, ...), read from its <c>statistics.json</c>. Use as an xunit
/// class fixture.
/// </summary>
/// <remarks>
/// Same scheme as <see cref="RocReferences"/>: the script runs once per script version into
/// <c>$TMPDIR/mlnettransfer-refs/statistics-&lt;first 16 hex of its SHA-256&gt;</c>, with <c>$MLNETTRANSFER_PYTHON</c>
/// or Debian's <c>/usr/bin/python3</c>. JSON has no NaN: the script writes null for an undefined value.
/// </remarks>
public sealed class StatisticsReferences : ReferenceJsonFile
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_statistics_references.py";

    private const string InstallHint =
        "The statistics references need Python with numpy, scipy and scikit-learn: on Debian/Ubuntu run " +
        "'apt-get install -y python3-sklearn python3-scipy', or point MLNETTRANSFER_PYTHON at an interpreter that has them.";

    private static readonly Lazy<JsonDocument> _document = new(
        () => Load(ScriptRelativePath, "statistics-", InstallHint, TimeSpan.FromMinutes(2), "statistics.json"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates the file on first use (in this process), then reuses it.</summary>
    public StatisticsReferences()
        : base(_document.Value, "statistics.json")
    {
    }

    /// <summary>A float32 array written by the script, widened to double exactly.</summary>
    public static double[] Widened(JsonElement array) => Floats(array).Select(v => (double)v).ToArray();

    /// <summary>A JSON number, or NaN for null (<see cref="ReferenceJsonFile.Double"/>, under a name that <c>System.Double</c> does not hide).</summary>
    public static double Value(JsonElement value) => Double(value);

    /// <summary>Asserts <paramref name="actual"/> is within <paramref name="tolerance"/> of the reference (null = NaN).</summary>
    public static void Close(JsonElement expected, double actual, double tolerance, string what) =>
        Close(Double(expected), actual, tolerance, what);

    /// <summary>Asserts both are NaN, or within <paramref name="tolerance"/> of each other.</summary>
    public static void Close(double expected, double actual, double tolerance, string what)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN (undefined), got {actual:R}.");
            return;
        }

        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E2}).");
    }

    /// <summary>Asserts an interval equals the reference's [lower, upper] (nulls = NaN).</summary>
    public static void Interval(JsonElement expected, double lower, double upper, double tolerance, string what)
    {
        double[] e = Doubles(expected);
        Close(e[0], lower, tolerance, what + " lower");
        Close(e[1], upper, tolerance, what + " upper");
    }
}
