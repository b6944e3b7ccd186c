using System;
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
public sealed class MetricReferences : ReferenceJsonFile
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_metric_references.py";

    private const string InstallHint =
        "The metric references need Python with scikit-learn and PyTorch: on Debian/Ubuntu run " +
        "'apt-get install -y python3-sklearn python3-torch', or point MLNETTRANSFER_PYTHON at an interpreter that has them.";

    private static readonly Lazy<JsonDocument> _document = new(
        () => Load(ScriptRelativePath, "metrics-", InstallHint, TimeSpan.FromMinutes(5), "metrics.json"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates the file on first use (in this process), then reuses it.</summary>
    public MetricReferences()
        : base(_document.Value, "metrics.json")
    {
    }
}
