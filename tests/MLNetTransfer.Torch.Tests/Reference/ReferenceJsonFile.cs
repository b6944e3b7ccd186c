using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MLNetTransfer.Torch.Tests.Reference;

/// <summary>
/// A JSON file of reference cases that a script of <c>tests/reference</c> wrote (run through <see cref="ReferenceScript"/>),
/// and the readers its tests share: the common part of <see cref="Metrics.MetricReferences"/> and the evaluation tests' ROC
/// references. JSON has no NaN, so the scripts write null for it and the readers give NaN back.
/// </summary>
public abstract class ReferenceJsonFile
{
    private readonly string _fileName;

    /// <param name="document">The parsed file (loaded once per process by the derived fixture).</param>
    /// <param name="fileName">Its name, for messages.</param>
    protected ReferenceJsonFile(JsonDocument document, string fileName)
    {
        ArgumentNullException.ThrowIfNull(document);
        Root = document.RootElement;
        _fileName = fileName;
    }

    /// <summary>The whole file.</summary>
    public JsonElement Root { get; }

    /// <summary>The cases of one section; a section without cases is an error in the script.</summary>
    public IReadOnlyList<JsonElement> Cases(string section)
    {
        var cases = Root.GetProperty(section).EnumerateArray().ToList();
        return cases.Count > 0 ? cases : throw new InvalidDataException($"{_fileName} has no '{section}' cases.");
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

    /// <summary>Runs <paramref name="script"/> if needed (see <see cref="ReferenceScript.Run"/>) and parses the file it wrote.</summary>
    protected static JsonDocument Load(string script, string cacheFolderPrefix, string installHint, TimeSpan timeout, string fileName)
    {
        string directory = ReferenceScript.Run(script, cacheFolderPrefix, installHint, timeout);
        return JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, fileName)));
    }
}
