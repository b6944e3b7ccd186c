using System;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Tests.Reference;

namespace MLNetTransfer.Tests.Evaluation;

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
public sealed class RocReferences : ReferenceJsonFile
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_roc_references.py";

    private const string InstallHint =
        "The ROC references need Python with scikit-learn: on Debian/Ubuntu run 'apt-get install -y python3-sklearn', " +
        "or point MLNETTRANSFER_PYTHON at an interpreter that has it.";

    private static readonly Lazy<JsonDocument> _document = new(
        () => Load(ScriptRelativePath, "roc-", InstallHint, TimeSpan.FromMinutes(2), "roc.json"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates the file on first use (in this process), then reuses it.</summary>
    public RocReferences()
        : base(_document.Value, "roc.json")
    {
    }

    /// <summary>A row-major buffer as rows of <paramref name="width"/>.</summary>
    public static float[][] Rows(float[] values, int width) => values.Chunk(width).ToArray();
}
