using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Dicom.Tests;

/// <summary>
/// GDCM's decode plus the reader's LUT pipeline against pydicom's <c>apply_voi_lut(apply_modality_lut(pixel_array))</c>
/// on every test file pydicom decodes offline, and on synthetic files for the paths those files lack.
/// </summary>
public sealed class PydicomParityTests(PydicomReferences references, ITestOutputHelper output) : IClassFixture<PydicomReferences>
{
    /// <summary>
    /// Files GDCM decodes to other stored values than pydicom, with the reason; each must still differ (else the entry
    /// is stale and the test says so).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> KnownDifferences = new Dictionary<string, string>
    {
        ["SC_rgb_rle_16bit.dcm"] = RleColour,
        ["SC_rgb_rle_16bit_2frame.dcm"] = RleColour,
        ["SC_rgb_rle_32bit.dcm"] = RleColour,
        ["SC_rgb_rle_32bit_2frame.dcm"] = RleColour,
    };

    private const string RleColour =
        "RLE Lossless RGB with 16 or 32 bits per sample: Debian's GDCM 3.0 returns the bytes out of order (the first " +
        "pixel, red to pydicom, reads as 0x0000, 0xFF00, 0x00FF); the reader refuses such files in FindProblem";

    [Fact]
    public void Every_case_matches_pydicom()
    {
        GdcmRuntime.EnsureLoaded();
        var failures = new List<string>();
        var differing = new List<string>();
        int compared = 0;
        double maxStoredDifference = 0, maxScaledDifference = 0;
        foreach (PydicomReferences.Case c in references.All)
        {
            string? problem;
            bool known = KnownDifferences.ContainsKey(c.Name.Split(' ')[0]);
            try
            {
                (problem, double stored, double scaled) = Compare(c);
                maxStoredDifference = known ? maxStoredDifference : Math.Max(maxStoredDifference, stored);
                maxScaledDifference = known ? maxScaledDifference : Math.Max(maxScaledDifference, scaled);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                problem = $"{e.GetType().Name}: {e.Message}";
            }

            string file = c.Name.Split(' ')[0];
            if (KnownDifferences.TryGetValue(file, out string? reason))
            {
                differing.Add($"{c.Name}: {reason}");
                if (!StoredValuesDiffer(c))
                {
                    failures.Add($"{c.Name}: GDCM now decodes it as pydicom does; remove it from KnownDifferences (and its FindProblem).");
                }

                if (new DicomPixelReader(c.Options).FindProblem(c.Path) is null)
                {
                    failures.Add($"{c.Name}: decodes differently from pydicom, yet the reader's FindProblem accepts it.");
                }
            }
            else if (problem is not null)
            {
                failures.Add($"{c.Name}: {problem}");
            }
            else
            {
                compared++;
            }
        }

        output.WriteLine($"pydicom {references.Root.GetProperty("versions").GetProperty("pydicom").GetString()}: {compared} cases equal, max |stored difference| {maxStoredDifference:G3}, max |[0,1] difference| {maxScaledDifference:G3}.");
        output.WriteLine($"Not compared ({differing.Count}): GDCM and pydicom differ:");
        differing.ForEach(d => output.WriteLine("  " + d));
        var skipped = references.Skipped;
        output.WriteLine($"Skipped by the reference script ({skipped.Count}):");
        foreach ((string name, string why) in skipped)
        {
            output.WriteLine($"  {name}: {why}");
        }

        // Every file pydicom lists is compared or skipped with a reason: none is dropped silently.
        var listed = references.Root.GetProperty("listed").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var accounted = references.All.Where(c => !c.Name.StartsWith("synthetic/", StringComparison.Ordinal) && !c.Name.Contains(" [", StringComparison.Ordinal))
            .Select(c => c.Name).Concat(skipped.Select(s => s.Name)).ToList();
        Assert.Equal(listed.Count, accounted.Count);
        Assert.Equal(listed.OrderBy(n => n, StringComparer.Ordinal), accounted.OrderBy(n => n, StringComparer.Ordinal));
        output.WriteLine($"get_testdata_files() lists {listed.Count}: {accounted.Count - skipped.Count} that pydicom decodes (cases above), {skipped.Count} skipped (below).");

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(compared >= 80, $"Only {compared} cases compared.");
    }

    /// <summary>Whether GDCM's stored values (before any LUT) differ from pydicom's for a colour case.</summary>
    private static bool StoredValuesDiffer(PydicomReferences.Case c)
    {
        StoredFrame frame = GdcmFile.DecodeFrame(GdcmFile.ReadHeader(c.Path), c.Options.Frame);
        return frame.Values.Length != c.Values.Length || frame.Values.Where((v, i) => v != c.Values[i]).Any();
    }

    /// <summary>The first difference between the reader and pydicom on one case, or null; and the largest differences.</summary>
    private static (string? Problem, double Stored, double Scaled) Compare(PydicomReferences.Case c)
    {
        DicomHeader header = GdcmFile.ReadHeader(c.Path);
        StoredFrame frame = GdcmFile.DecodeFrame(header, c.Options.Frame);
        if (frame.Width != c.Columns || frame.Height != c.Rows || frame.Channels != c.Channels)
        {
            return ($"GDCM gives {frame.Width}x{frame.Height}x{frame.Channels}, pydicom {c.Columns}x{c.Rows}x{c.Channels}", 0, 0);
        }

        double[] values = (double[])frame.Values.Clone();
        if (c.Kind == "gray")
        {
            (double low, double high, VoiPipeline.VoiKind voi) = VoiPipeline.Apply(values, header, c.Options);
            if (voi.ToString().ToLowerInvariant() != c.Voi || low != c.Low || high != c.High)
            {
                return ($"VOI {voi} over [{low}, {high}], pydicom {c.Voi} over [{c.Low}, {c.High}]", 0, 0);
            }
        }

        // Exact, except SIGMOID: 1/(1 + exp(.)) goes through Math.Exp here and numpy's exp there, which may differ in
        // the last bit; 1e-12 of the output range is a few ulps of it. Every other step is the same float64 operations
        // in the same order (VoiPipeline), so equality is exact.
        double tolerance = header.VoiFunction == "SIGMOID" && c.Voi == "window" ? 1e-12 * Math.Abs(c.High - c.Low) : 0;
        double storedMax = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double difference = Math.Abs(values[i] - c.Values[i]);
            storedMax = Math.Max(storedMax, difference);
            if (!(difference <= tolerance))
            {
                int plane = i / (c.Rows * c.Columns), at = i % (c.Rows * c.Columns);
                return ($"value {i} (channel {plane}, row {at / c.Columns}, column {at % c.Columns}) is {values[i]:R}, pydicom {c.Values[i]:R} (stored {frame.Values[i]:R})", storedMax, 0);
            }
        }

        // The public reader end to end: pydicom's values scaled from its range to [0, 1] (inverted for MONOCHROME1),
        // as float. 1e-6 allows for the float rounding of values equal only to the tolerance above.
        ImagePixels pixels = new DicomPixelReader(c.Options).Read(c.Path);
        double range = c.High - c.Low, scaledMax = 0;
        for (int i = 0; i < c.Values.Length; i++)
        {
            double unit = Math.Clamp((c.Values[i] - c.Low) / range, 0, 1);
            double expected = (float)(c.Invert ? 1 - unit : unit);
            double difference = Math.Abs(pixels.Values[i] - expected);
            scaledMax = Math.Max(scaledMax, difference);
            if (!(difference <= 1e-6))
            {
                return ($"[0,1] value {i} is {pixels.Values[i]:R}, expected {expected:R}", storedMax, scaledMax);
            }
        }

        return (null, storedMax, scaledMax);
    }
}
