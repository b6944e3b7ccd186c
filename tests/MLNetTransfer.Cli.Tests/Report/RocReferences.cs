using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Tests.Reference;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>
/// ROC curves computed by scikit-learn 1.2 (<c>tests/reference/make_roc_references.py</c>) on seeded cases, read from
/// its <c>roc.json</c>. Use as an xunit class fixture.
/// </summary>
/// <remarks>
/// Same scheme as the engine's metric references (<see cref="ReferenceScript"/>): the script runs once per script
/// version into <c>$TMPDIR/mlnettransfer-refs/roc-&lt;first 16 hex of its SHA-256&gt;</c>, with
/// <c>$MLNETTRANSFER_PYTHON</c> or Debian's <c>/usr/bin/python3</c>. JSON has no NaN: the script writes null for a
/// missing target and for a curve scikit-learn cannot draw.
/// </remarks>
public sealed class RocReferences
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_roc_references.py";

    private const string InstallHint =
        "The ROC references need Python with scikit-learn: on Debian/Ubuntu run 'apt-get install -y python3-sklearn', " +
        "or point MLNETTRANSFER_PYTHON at an interpreter that has it.";

    private static readonly Lazy<JsonDocument> _document = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates the file on first use (in this process), then reuses it.</summary>
    public RocReferences()
    {
        Root = _document.Value.RootElement;
    }

    /// <summary>The whole roc.json.</summary>
    public JsonElement Root { get; }

    /// <summary>The cases of one section ("binary", "multiclass", "multilabel").</summary>
    public IReadOnlyList<JsonElement> Cases(string section)
    {
        var cases = Root.GetProperty(section).EnumerateArray().ToList();
        return cases.Count > 0 ? cases : throw new InvalidDataException($"roc.json has no '{section}' cases.");
    }

    /// <summary>A JSON array of numbers as float32 (null → NaN).</summary>
    public static float[] Floats(JsonElement array) =>
        array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? float.NaN : (float)v.GetDouble()).ToArray();

    /// <summary>A JSON array of numbers as doubles.</summary>
    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>A JSON array of integers.</summary>
    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>A JSON array of booleans.</summary>
    public static bool[] Bools(JsonElement array) => array.EnumerateArray().Select(v => v.GetBoolean()).ToArray();

    /// <summary>A row-major buffer as rows of <paramref name="width"/>.</summary>
    public static float[][] Rows(float[] values, int width) => values.Chunk(width).ToArray();

    private static JsonDocument Load()
    {
        string directory = ReferenceScript.Run(ScriptRelativePath, cacheFolderPrefix: "roc-", InstallHint, TimeSpan.FromMinutes(2));
        return JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "roc.json")));
    }
}
