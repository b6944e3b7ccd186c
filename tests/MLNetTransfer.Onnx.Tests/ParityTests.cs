using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx.Tests.Support;
using MLNetTransfer.Torch;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// docs/design.md, "Our ONNX writer", and docs/pitfalls.md, "Export in eval mode and check it numerically": ONNX
/// Runtime running the written graph on raw 0–255 pixels gives TorchSharp's eval-mode output on the same pixels,
/// preprocessed by the test's own code, within 1e-4; and ONNX's checker accepts every written model.
/// </summary>
[Collection("NoParallelization")]
public sealed class ParityTests
{
    private const float Tolerance = 1e-4f;
    private readonly ITestOutputHelper _output;

    public ParityTests(ITestOutputHelper output) => _output = output;

    /// <summary>One exported configuration.</summary>
    internal sealed record Variant(
        string Name, ResNetLayout Layout, int Outputs, int NetworkChannels, int InputChannels, int InputSize, int CropSize,
        OutputActivation Activation, bool MlpHead = false, int Batch = 2)
    {
        public override string ToString() => Name;
    }

    private static readonly float[] _grayMean = { 0.5f };
    private static readonly float[] _grayStd = { 0.25f };

    private static readonly Dictionary<string, Variant> _variants = new Variant[]
    {
        new("resnet18-rgb-binary", ResNetLayout.ResNet18, 2, 3, 3, 64, 64, OutputActivation.Softmax),
        new("resnet50-rgb-multiclass", ResNetLayout.ResNet50, 5, 3, 3, 64, 64, OutputActivation.Softmax),
        // ML.NET's [2, 2, 2, 3] layout with a 1-channel stem, fed RGB (luma conversion in the graph), multi-label.
        new("mlnetresnet18-gray-net-rgb-input-multilabel", ResNetLayout.MLNetResNet18, 3, 1, 3, 64, 64, OutputActivation.Sigmoid),
        new("resnet18-gray-net-gray-input", ResNetLayout.ResNet18, 2, 1, 1, 64, 64, OutputActivation.Softmax),
        // An RGB network fed a gray image: the graph replicates the channel.
        new("resnet18-rgb-net-gray-input", ResNetLayout.ResNet18, 4, 3, 1, 64, 64, OutputActivation.Softmax),
        new("resnet18-mlp-head", ResNetLayout.ResNet18, 3, 3, 3, 64, 64, OutputActivation.Softmax, MlpHead: true),
        new("resnet50-mlp-head-multilabel", ResNetLayout.ResNet50, 4, 3, 3, 64, 64, OutputActivation.Sigmoid, MlpHead: true),
        // Crops: even margin (offset 4) and odd margin (5 / 2 = 2.5, which Python's round takes to 2).
        new("resnet18-crop-72-to-64", ResNetLayout.ResNet18, 2, 3, 3, 72, 64, OutputActivation.Softmax),
        new("resnet18-crop-69-to-64-gray", ResNetLayout.ResNet18, 2, 1, 3, 69, 64, OutputActivation.Softmax),
        // The standard geometry: resize 256, centre crop 224.
        new("resnet18-crop-256-to-224", ResNetLayout.ResNet18, 2, 3, 3, 256, 224, OutputActivation.Softmax),
        new("resnet34-rgb-multiclass", ResNetLayout.ResNet34, 3, 3, 3, 64, 64, OutputActivation.Softmax),
        new("resnet101-rgb-binary", ResNetLayout.ResNet101, 2, 3, 3, 64, 64, OutputActivation.Softmax),
        new("resnet152-rgb-multilabel", ResNetLayout.ResNet152, 2, 3, 3, 64, 64, OutputActivation.Sigmoid),
    }.ToDictionary(v => v.Name);

    public static TheoryData<string> Variants => new(_variants.Keys);

    [Theory]
    [MemberData(nameof(Variants))]
    public void Onnx_runtime_matches_torchsharp_eval_and_the_checker_accepts_the_model(string name)
    {
        var v = _variants[name];
        var clock = Stopwatch.StartNew();
        using var model = TorchModels.Make(v.Layout, v.Outputs, v.NetworkChannels, v.MlpHead, seed: name.Length);
        var spec = new ResNetOnnxSpec(v.Layout.Block == ResNetBlockKind.Basic ? ResidualBlockKind.Basic : ResidualBlockKind.Bottleneck, v.Layout.BlocksPerStage)
        {
            ArchitectureName = v.Layout.Name,
            NetworkChannels = v.NetworkChannels,
            InputChannels = v.InputChannels,
            InputSize = v.InputSize,
            CropSize = v.CropSize,
            Mean = v.NetworkChannels == 3 ? ResNetOnnxSpec.Defaults.ImageNetMean : _grayMean,
            Std = v.NetworkChannels == 3 ? ResNetOnnxSpec.Defaults.ImageNetStd : _grayStd,
            Head = v.MlpHead ? ClassifierHeadKind.Mlp : ClassifierHeadKind.Linear,
            Activation = v.Activation,
            IncludeLogits = true,
        };
        var raw = RawImages.Make(v.Batch, v.InputChannels, v.InputSize, seed: 11);
        using var scope = NewDisposeScope();
        var input = TorchModels.Preprocess(raw, v.Batch, spec);
        TorchModels.CalibrateHead(model, input);
        var (expectedLogits, expectedScores) = TorchModels.Forward(model, input, v.Activation);
        var torchDone = clock.Elapsed;

        byte[] bytes = ResNetOnnxWriter.Write(TorchModels.Snapshot(model), spec);
        var written = clock.Elapsed;

        var (rc, stdout, stderr) = OnnxChecker.Check(bytes, name);
        Assert.True(rc == 0, $"onnx.checker rejected {name}:\n{stderr}");
        Assert.Contains("ok 8 [('', 17)]", stdout);
        var checkedAt = clock.Elapsed;

        using var session = new InferenceSession(bytes);
        var outputs = OrtRunner.Run(session, spec.InputName, raw, new long[] { v.Batch, v.InputChannels, v.InputSize, v.InputSize });
        var (scoreShape, scores) = outputs[spec.OutputName];
        var (_, logits) = outputs[spec.LogitsName];
        Assert.Equal(new long[] { v.Batch, v.Outputs }, scoreShape);

        float scoreDiff = MaxAbsDiff(expectedScores, scores);
        float logitScale = Math.Max(1f, expectedLogits.Max(Math.Abs));
        float logitDiff = MaxAbsDiff(expectedLogits, logits);
        _output.WriteLine(
            $"{name}: max |score diff| {scoreDiff:E2}; max |logit diff| {logitDiff:E2} (max |logit| {expectedLogits.Max(Math.Abs):G4}); "
            + $"{bytes.Length / 1e6:F1} MB; torch {torchDone.TotalSeconds:F1}s, write {(written - torchDone).TotalSeconds:F1}s, checker {(checkedAt - written).TotalSeconds:F1}s, total {clock.Elapsed.TotalSeconds:F1}s");
        Assert.True(scoreDiff <= Tolerance, $"{name}: scores differ by {scoreDiff}");
        Assert.True(logitDiff <= Tolerance * logitScale, $"{name}: logits differ by {logitDiff} (scale {logitScale})");

        // The scores must not be saturated, or the comparison would say little.
        Assert.Contains(expectedScores, s => s is > 0.01f and < 0.99f);
    }

    [Fact]
    public void Batch_axis_is_dynamic()
    {
        using var model = TorchModels.Make(ResNetLayout.ResNet18, 3, 3, mlpHead: false, seed: 5);
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputSize = 64, CropSize = 64 };
        byte[] bytes = ResNetOnnxWriter.Write(TorchModels.Snapshot(model), spec);
        using var session = new InferenceSession(bytes);
        Assert.Equal(-1, session.InputMetadata[spec.InputName].Dimensions[0]);
        Assert.Equal(new[] { 3, 64, 64 }, session.InputMetadata[spec.InputName].Dimensions[1..]);
        Assert.Equal(new[] { spec.OutputName }, session.OutputMetadata.Keys.ToArray());

        var raw3 = RawImages.Make(3, 3, 64, seed: 2);
        using var scope = NewDisposeScope();
        var (_, expected3) = TorchModels.Forward(model, TorchModels.Preprocess(raw3, 3, spec), OutputActivation.Softmax);
        var (_, expected1) = TorchModels.Forward(model, TorchModels.Preprocess(raw3[..(3 * 64 * 64)], 1, spec), OutputActivation.Softmax);

        var batch3 = OrtRunner.Run(session, spec.InputName, raw3, new long[] { 3, 3, 64, 64 })[spec.OutputName];
        var batch1 = OrtRunner.Run(session, spec.InputName, raw3[..(3 * 64 * 64)], new long[] { 1, 3, 64, 64 })[spec.OutputName];
        Assert.Equal(new long[] { 3, 3 }, batch3.Shape);
        Assert.Equal(new long[] { 1, 3 }, batch1.Shape);
        float d3 = MaxAbsDiff(expected3, batch3.Values);
        float d1 = MaxAbsDiff(expected1, batch1.Values);
        float rows = MaxAbsDiff(batch3.Values[..3], batch1.Values);
        _output.WriteLine($"batch 3: {d3:E2}; batch 1: {d1:E2}; row 0 of batch 3 vs batch 1: {rows:E2}");
        Assert.True(d3 <= Tolerance && d1 <= Tolerance && rows <= Tolerance, $"{d3} {d1} {rows}");
    }

    [Fact]
    public void Synthetic_weights_have_torchvision_keys_and_shapes()
    {
        // Keeps the torch-free weights of the other tests honest: same keys and shapes as TorchSharp's state_dict.
        foreach (var (layout, mlp) in new[] { (ResNetLayout.ResNet18, false), (ResNetLayout.ResNet50, true), (ResNetLayout.MLNetResNet18, false) })
        {
            using var model = TorchModels.Make(layout, 3, 1, mlp, seed: 1);
            var torchKeys = TorchModels.Snapshot(model).Select(kv => $"{kv.Key} {kv.Value}").Order().ToArray();
            var spec = new ResNetOnnxSpec(layout.Block == ResNetBlockKind.Basic ? ResidualBlockKind.Basic : ResidualBlockKind.Bottleneck, layout.BlocksPerStage)
            {
                NetworkChannels = 1,
                Head = mlp ? ClassifierHeadKind.Mlp : ClassifierHeadKind.Linear,
            };
            var syntheticKeys = SyntheticWeights.For(spec, 3).Select(kv => $"{kv.Key} {kv.Value}").Order().ToArray();
            Assert.Equal(torchKeys, syntheticKeys);
        }
    }

    private static float MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
