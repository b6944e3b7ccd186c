using System;
using System.IO;
using System.Runtime.InteropServices;
using MLNetTransfer.FineTuning;
using Xunit;

namespace MLNetTransfer.Tests.Conformance;

/// <summary>
/// <see cref="NativeLibraryCheck"/>: at Fit, before any epoch, a missing libtorch, ONNX Runtime or weights file is named
/// with the package that brings it (issue 15, item 1). The probes fail here as they fail in an app without the package:
/// the .NET loader's own DllNotFoundException for a library that is not there.
/// </summary>
public sealed class NativeLibraryCheckTests
{
    // The loader's real error for a native library that no package provides.
    private static void MissingLibrary() => NativeLibrary.Load($"mlnettransfer-no-such-native-{Guid.NewGuid():N}");

    private static void Present()
    {
    }

    [Fact]
    public void Missing_onnxruntime_names_the_OnnxRuntime_package_and_the_loader_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() => NativeLibraryCheck.Run(Present, MissingLibrary, weightsFile: null));
        Assert.Contains("ONNX Runtime", e.Message, StringComparison.Ordinal);
        Assert.Contains("Add the package Microsoft.ML.OnnxRuntime ", e.Message, StringComparison.Ordinal);
        Assert.Contains("DllNotFoundException", e.Message, StringComparison.Ordinal);
        Assert.Contains("mlnettransfer-no-such-native-", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("libtorch", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("DnnImageFeaturizer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_libtorch_names_the_TorchSharp_packages()
    {
        var e = Assert.Throws<InvalidOperationException>(() => NativeLibraryCheck.Run(MissingLibrary, Present, weightsFile: null));
        Assert.Contains("libtorch", e.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp-cpu", e.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cpu-linux-x64", e.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp-cuda-linux", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("onnxruntime", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_three_missing_are_named_in_one_exception()
    {
        string weights = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "ResNet18.onnx");
        var e = Assert.Throws<InvalidOperationException>(() => NativeLibraryCheck.Run(MissingLibrary, MissingLibrary, weights));
        Assert.Contains("TorchSharp-cpu", e.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.ML.OnnxRuntime", e.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", e.Message, StringComparison.Ordinal);
        Assert.Contains(weights, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_probe_failing_for_another_reason_is_not_reported_as_a_missing_package()
    {
        // Only loader failures mean a missing package; anything else is a bug to see as itself.
        Assert.Throws<InvalidCastException>(() => NativeLibraryCheck.Run(() => throw new InvalidCastException("bug"), Present, weightsFile: null));
    }

    [Fact]
    public void In_this_test_app_every_piece_is_there()
    {
        // The test project references TorchSharp-cpu, Microsoft.ML.OnnxRuntime and the weights package, as an app does.
        NativeLibraryCheck.Run(TestImages.FastOptions());
    }
}
