using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Tests.Reference;

namespace MLNetTransfer.Torch.Tests.Explain;

/// <summary>
/// Grad-CAM maps computed by PyTorch on torchvision's resnet18 (<c>tests/reference/make_gradcam_references.py</c>),
/// with the state_dicts and inputs they were computed on. Use as an xunit class fixture; the script runs once per
/// script version (see <see cref="ReferenceScript"/>).
/// </summary>
public sealed class GradCamReferences : ReferenceJsonFile
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_gradcam_references.py";

    private const string InstallHint =
        "The Grad-CAM references need Python with PyTorch and torchvision: on Debian/Ubuntu run " +
        "'apt-get install -y python3-torch python3-torchvision', or point MLNETTRANSFER_PYTHON at an interpreter that has them.";

    private static readonly Lazy<string> _directory = new(
        () => ReferenceScript.Run(ScriptRelativePath, "gradcam-", InstallHint, TimeSpan.FromMinutes(5)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs the script on first use (in this process), then reuses its folder.</summary>
    public GradCamReferences()
        : base(JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_directory.Value, "gradcam.json"))), "gradcam.json")
    {
        Directory = _directory.Value;
    }

    /// <summary>The folder the script wrote.</summary>
    public string Directory { get; }

    /// <summary>A file the script wrote.</summary>
    public string PathOf(string fileName) => Path.Combine(Directory, fileName);
}
