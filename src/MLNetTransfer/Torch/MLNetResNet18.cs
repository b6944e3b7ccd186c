using System;
using System.IO;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using MLNetTransfer.Torch.Weights;
using Onnx;

namespace MLNetTransfer.Torch;

/// <summary>
/// The ImageNet ResNet that ML.NET ships in the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (MIT):
/// <c>DnnImageModels/ResNet18Onnx/ResNet18.onnx</c> (CNTK 2.6, opset 8, up to the 512-d average pool) and its
/// preprocessing <c>DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx</c> (0–255 RGB → BGR → minus a 224x224 mean
/// image). Its graph is <c>ResNet(BasicBlock, [2, 2, 2, 3])</c>, see <see cref="ResNetLayout.MLNetResNet18"/>.
/// </summary>
/// <remarks>
/// The package's build props copy <c>DnnImageModels/</c> next to the app, where <see cref="DefaultModelDirectory"/>
/// looks. The loaded network is turned into this library's convention: RGB channel order (conv1's input channels
/// reversed) and a per-channel normalisation of mean = the mean image's channel means / 255, std = 1/255, so that
/// <c>(x/255 - m/255) / (1/255) = x - m</c> as ML.NET computes it, with the mean image replaced by its channel means.
/// </remarks>
internal static class MLNetResNet18
{
    private const string PackageName = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary><c>DnnImageModels</c> beside the running app.</summary>
    public static string DefaultModelDirectory => Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    /// <summary>The ResNet18 ONNX file under <paramref name="modelDirectory"/>.</summary>
    public static string ModelPath(string? modelDirectory = null) =>
        Path.Combine(modelDirectory ?? DefaultModelDirectory, "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>The preprocessing ONNX file under <paramref name="modelDirectory"/>.</summary>
    public static string PreprocessPath(string? modelDirectory = null) =>
        Path.Combine(modelDirectory ?? DefaultModelDirectory, "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>Builds the pretrained network (RGB convention, see remarks) with a new or no-op head as <paramref name="options"/> say.</summary>
    /// <exception cref="FileNotFoundException">The package's files are not there; the message names the package and the path.</exception>
    public static ResNet Load(PretrainedOptions? options = null, string? modelDirectory = null)
    {
        string model = RequireFile(ModelPath(modelDirectory));
        var onnx = OnnxResNetImporter.Read(model);
        var meanRgb = ChannelMeansRgb(modelDirectory);
        var tensors = onnx.Tensors.Select(t => t.Name == "conv1.weight" ? ReverseInputChannels(t) : t).ToList();
        var normalization = new InputNormalization(
            meanRgb.Select(m => m / 255f).ToArray(),
            new[] { 1f / 255f, 1f / 255f, 1f / 255f });
        return PretrainedResNet.Build(onnx.Layout, tensors, normalization, model, options ?? new PretrainedOptions());
    }

    /// <summary>The mean image of <c>ResNetPreprocess.onnx</c>: <c>[3, 224, 224]</c>, BGR order, 0–255 scale.</summary>
    internal static float[] MeanImageBgr(string? modelDirectory = null)
    {
        string path = RequireFile(PreprocessPath(modelDirectory));
        using var stream = File.OpenRead(path);
        var graph = ModelProto.Parser.ParseFrom(stream).Graph;
        var init = graph.Initializer.FirstOrDefault(t => t.Name == "MeanImage")
            ?? throw new InvalidDataException($"'{path}' has no 'MeanImage' initializer.");
        var values = init.RawData.Length > 0
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(init.RawData.Span).ToArray()
            : init.FloatData.ToArray();
        if (values.Length != 3 * 224 * 224)
        {
            throw new InvalidDataException($"'MeanImage' in '{path}' has {values.Length} values, expected 3x224x224.");
        }

        return values;
    }

    private static float[] ChannelMeansRgb(string? modelDirectory)
    {
        var bgr = MeanImageBgr(modelDirectory);
        const int plane = 224 * 224;
        var means = Enumerable.Range(0, 3).Select(c => (float)bgr.Skip(c * plane).Take(plane).Average(v => (double)v)).ToArray();
        return new[] { means[2], means[1], means[0] };
    }

    private static StoredTensor ReverseInputChannels(StoredTensor conv1)
    {
        // [out, 3, k, k]: swap channel 0 (B) and 2 (R).
        var w = conv1.ToFloat32();
        long o = conv1.Shape[0], k2 = conv1.Shape[2] * conv1.Shape[3];
        var r = new float[w.Length];
        for (long i = 0; i < o; i++)
        {
            for (long c = 0; c < 3; c++)
            {
                Array.Copy(w, (i * 3 + c) * k2, r, (i * 3 + (2 - c)) * k2, k2);
            }
        }

        return new StoredTensor(conv1.Name, StoredDType.Float32, conv1.Shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(r.AsSpan()).ToArray());
    }

    private static string RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"ML.NET's pretrained ResNet18 was not found at '{path}'. It comes with the NuGet package {PackageName} " +
                "(its build props copy DnnImageModels/ next to the app); reference that package or pass its DnnImageModels folder.",
                path);
        }

        return path;
    }
}
