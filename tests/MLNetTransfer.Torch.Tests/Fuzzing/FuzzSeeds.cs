using System;
using System.IO;
using System.Threading;
using MLNetTransfer.Torch.Tests.Reference;

namespace MLNetTransfer.Torch.Tests.Fuzzing;

/// <summary>
/// The weights files the engine's fuzzers start from, written by PyTorch (<c>tests/reference/make_fuzz_seeds.py</c>):
/// a state_dict as .pth and as .safetensors, and a narrow ResNet exported to ONNX. Use as an xunit class fixture.
/// </summary>
public sealed class FuzzSeeds
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_fuzz_seeds.py";

    private const string InstallHint =
        "The fuzzers' seed weights files need Python with PyTorch: on Debian/Ubuntu run 'apt-get install -y python3-torch', " +
        "or point MLNETTRANSFER_PYTHON at an interpreter that has it.";

    private static readonly Lazy<string> _directory = new(
        () => ReferenceScript.Run(ScriptRelativePath, cacheFolderPrefix: "fuzz-", InstallHint, TimeSpan.FromMinutes(5)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>torch.save of a small state_dict of several dtypes, an empty tensor and a transposed view.</summary>
    public string Pth => Path.Combine(_directory.Value, "tiny.pth");

    /// <summary>Five of those tensors in the safetensors layout.</summary>
    public string Safetensors => Path.Combine(_directory.Value, "tiny.safetensors");

    /// <summary>torch.onnx.export of a ResNet18-shaped network with 4-16 channels.</summary>
    public string Onnx => Path.Combine(_directory.Value, "tiny_resnet.onnx");
}
