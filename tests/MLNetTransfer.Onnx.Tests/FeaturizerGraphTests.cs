using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx.Tests.Support;
using MLNetTransfer.Torch;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>A head-less graph (ClassifierHeadKind.None) outputs the backbone's pooled features.</summary>
[Collection("NoParallelization")]
public sealed class FeaturizerGraphTests
{
    [Fact]
    public void Headless_graph_outputs_torchsharps_pooled_features_and_passes_the_checker()
    {
        using var model = TorchModels.Make(ResNetLayout.ResNet50, 2, 3, mlpHead: false, seed: 2);
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Bottleneck, 3, 4, 6, 3)
        {
            InputSize = 72, CropSize = 64, Head = ClassifierHeadKind.None, Activation = OutputActivation.None, OutputName = "Features",
        };
        var snapshot = new WeightSnapshot();
        foreach (var (name, tensor) in TorchModels.Snapshot(model).Where(kv => !kv.Key.StartsWith("fc.", StringComparison.Ordinal)))
        {
            snapshot.Add(name, tensor);
        }

        byte[] bytes = ResNetOnnxWriter.Write(snapshot, spec);
        var (rc, _, stderr) = OnnxChecker.Check(bytes, "resnet50-features");
        Assert.True(rc == 0, stderr);

        var raw = RawImages.Make(2, 3, 72, seed: 5);
        using var scope = NewDisposeScope();
        model.eval();
        using var _ = no_grad();
        var expected = model.ForwardFeatures(TorchModels.Preprocess(raw, 2, spec)).data<float>().ToArray();
        using var session = new InferenceSession(bytes);
        var (shape, values) = OrtRunner.Run(session, spec.InputName, raw, new long[] { 2, 3, 72, 72 })["Features"];
        Assert.Equal(new long[] { 2, 2048 }, shape);
        float scale = expected.Max(MathF.Abs);
        Assert.True(expected.Zip(values, (a, b) => MathF.Abs(a - b)).Max() <= 1e-4f * scale);
    }

    [Fact]
    public void A_headless_graph_needs_activation_none()
    {
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Head = ClassifierHeadKind.None };
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(new WeightSnapshot(), spec));
        Assert.Contains("Activation None", e.Message);
    }
}
