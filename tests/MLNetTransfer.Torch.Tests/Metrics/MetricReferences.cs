using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Tests.Reference;

namespace MLNetTransfer.Torch.Tests.Metrics;

/// <summary>
/// Metric and loss values computed by scikit-learn 1.2 and PyTorch 1.13 (<c>tests/reference/make_metric_references.py</c>)
/// on seeded cases, read from its <c>metrics.json</c>. Use as an xunit class fixture.
/// </summary>
/// <remarks>
/// Same scheme as <see cref="TorchvisionReferences"/> (<see cref="ReferenceScript"/>): the script runs once per script
/// version into <c>$TMPDIR/mlnettransfer-refs/metrics-&lt;first 16 hex of its SHA-256&gt;</c> (staged, then renamed into
/// place), with <c>$MLNETTRANSFER_PYTHON</c> or Debian's <c>/usr/bin/python3</c> (python3-sklearn, python3-torch). JSON
/// has no NaN, so the script writes null for it and <see cref="Floats"/> reads null back as NaN.
/// </remarks>
public sealed class MetricReferences
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_metric_references.py";

    private const string InstallHint =
        "The metric references need Python with scikit-learn and PyTorch: on Debian/Ubuntu run " +
        "'apt-get install -y python3-sklearn python3-torch', or point MLNETTRANSFER_PYTHON at an interpreter that has them.";

    private static readonly TimeSpan _scriptTimeout = TimeSpan.FromMinutes(5);

    private static readonly Lazy<JsonDocument> _document = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates the file on first use (in this process), then reuses it.</summary>
    public MetricReferences()
    {
        Root = _document.Value.RootElement;
    }

    /// <summary>The whole metrics.json.</summary>
    public JsonElement Root { get; }

    /// <summary>The cases of one section ("binary_auc", "cross_entropy", ...).</summary>
    public IReadOnlyList<JsonElement> Cases(string section)
    {
        var cases = Root.GetProperty(section).EnumerateArray().ToList();
        return cases.Count > 0 ? cases : throw new InvalidDataException($"metrics.json has no '{section}' cases.");
    }

    /// <summary>A JSON array of numbers as float32 (null → NaN).</summary>
    public static float[] Floats(JsonElement array) =>
        array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? float.NaN : (float)v.GetDouble()).ToArray();

    /// <summary>A JSON array of numbers as doubles (null → NaN).</summary>
    public static double[] Doubles(JsonElement array) =>
        array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();

    /// <summary>A JSON number, or NaN for null.</summary>
    public static double Double(JsonElement value) => value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();

    /// <summary>A JSON array of integers.</summary>
    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>A JSON array of booleans.</summary>
    public static bool[] Bools(JsonElement array) => array.EnumerateArray().Select(v => v.GetBoolean()).ToArray();

    /// <summary>A case's "name", or its index when it has none.</summary>
    public static string NameOf(JsonElement @case, int index) =>
        @case.TryGetProperty("name", out JsonElement name) ? name.GetString()! : $"#{index}";

    private static JsonDocument Load()
    {
        string directory = ReferenceScript.Run(ScriptRelativePath, cacheFolderPrefix: "metrics-", InstallHint, _scriptTimeout);
        return JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "metrics.json")));
    }
}
