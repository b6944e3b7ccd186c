using System;
using System.Collections.Generic;
using System.IO;
using MLNetTransfer.Torch;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// The native pieces a fine-tune needs, checked at <c>Fit</c> before any image is read or epoch run: libtorch (training,
/// TorchSharp's native backend), ONNX Runtime's native library (scoring: the export is run after the last epoch, so a
/// missing one used to be found only after training) and ML.NET's ResNet18 weights file. Every missing piece is named
/// in one exception, with the NuGet package that brings it, so one rebuild fixes all of them.
/// </summary>
internal static class NativeLibraryCheck
{
    /// <summary>The packages named in the messages.</summary>
    public const string LibTorchPackages = "TorchSharp-cpu (or one of libtorch-cpu-linux-x64, libtorch-cpu-win-x64, libtorch-cpu-osx-arm64) for the CPU, TorchSharp-cuda-linux or TorchSharp-cuda-windows for CUDA";

    public const string OnnxRuntimePackage = "Microsoft.ML.OnnxRuntime";

    public const string WeightsPackage = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>Checks the three pieces for <paramref name="options"/>; throws <see cref="InvalidOperationException"/> naming each one missing.</summary>
    public static void Run(ResNetFineTuneTrainer.Options options) =>
        Run(LoadLibTorch, LoadOnnxRuntime, WeightsFileNeeded(options));

    /// <summary>
    /// Runs the probes (each throws when its library cannot be loaded) and checks <paramref name="weightsFile"/>
    /// (null: no weights file is needed); injectable so that a test can make a probe fail as a missing library fails.
    /// </summary>
    internal static void Run(Action libTorchProbe, Action onnxRuntimeProbe, string? weightsFile)
    {
        var missing = new List<string>();
        if (Probe(libTorchProbe) is { } torchError)
        {
            missing.Add($"libtorch, TorchSharp's native backend, does not load ({torchError}). Add one libtorch package to the app: {LibTorchPackages}.");
        }

        if (Probe(onnxRuntimeProbe) is { } ortError)
        {
            missing.Add($"ONNX Runtime's native library (onnxruntime), which scores the exported model after training, does not load ({ortError}). " +
                $"Add the package {OnnxRuntimePackage} (Microsoft.ML.OnnxRuntime.Gpu to score on CUDA).");
        }

        if (weightsFile is not null && !File.Exists(weightsFile))
        {
            missing.Add($"ML.NET's pretrained ResNet18 weights are not at {weightsFile}. Add the package {WeightsPackage}, which copies DnnImageModels/ beside the app, " +
                "or set WeightsPath to a weights file.");
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException("FineTuneResNet cannot train in this app; nothing was trained. " + string.Join(" ", missing));
        }
    }

    // ML.NET's ResNet18 file is read when no WeightsPath is given (PretrainedModelFactory); other depths come from the
    // torch.hub cache or a download, which their own loader checks and names.
    private static string? WeightsFileNeeded(ResNetFineTuneTrainer.Options options) =>
        !PretrainedModelFactory.NeedsNoWeights(options) && options.WeightsPath is null && options.Architecture == ResNetArchitecture.ResNet18
            ? MLNetResNet18.ModelPath()
            : null;

    private static string? Probe(Action probe)
    {
        try
        {
            probe();
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or NotSupportedException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            // TorchSharp and ONNX Runtime wrap the loader's error (a type initializer's, or their own); the innermost says which file.
            var inner = e;
            while (inner.InnerException is not null)
            {
                inner = inner.InnerException;
            }

            return inner == e ? $"{e.GetType().Name}: {FirstLine(e.Message)}" : $"{e.GetType().Name}: {FirstLine(inner.Message)}";
        }
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(new[] { '\r', '\n' });
        return end < 0 ? message : message[..end];
    }

    private static void LoadLibTorch() => TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);

    // OrtEnv's first use loads the native library (its static constructor calls OrtGetApiBase).
    private static void LoadOnnxRuntime() => Microsoft.ML.OnnxRuntime.OrtEnv.Instance();
}
