using System;
using System.IO;
using System.Threading;

namespace MLNetTransfer.Torch.Tests.Reference;

/// <summary>
/// Weights files made by PyTorch (<c>tests/reference/make_hostile_weights.py</c>) that declare far more memory than
/// they hold: stride-0 and overlapping views, and a zip whose records are deflated. Use as an xunit class fixture.
/// </summary>
public sealed class HostileWeights
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_hostile_weights.py";

    private const string InstallHint =
        "The hostile weights files need Python with PyTorch: on Debian/Ubuntu run 'apt-get install -y python3-torch', " +
        "or point MLNETTRANSFER_PYTHON at an interpreter that has it.";

    private static readonly Lazy<string> _directory = new(
        () => ReferenceScript.Run(ScriptRelativePath, cacheFolderPrefix: "hostile-", InstallHint, TimeSpan.FromMinutes(5)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Eight stride-0 tensors "w0".."w7" of 2^27 float32 each over one stored element each.</summary>
    public string ZeroStridePth => Path.Combine(_directory.Value, "zero_stride.pth");

    /// <summary>"grid": 2^17 rows of 1000 float32 over a storage of 2^17 + 999 elements, rows overlapping.</summary>
    public string OverlappingPth => Path.Combine(_directory.Value, "overlapping.pth");

    /// <summary>A genuine state_dict of 2^25 zeros whose zip records are deflated: about 128 KiB holding 128 MiB.</summary>
    public string DeflatedPth => Path.Combine(_directory.Value, "deflated.pth");
}
