using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Onnx.Tests.Support;
using Xunit;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>Bad weights, specs and metadata fail with a message that names the key or the setting.</summary>
public sealed class ValidationTests
{
    private static readonly ResNetOnnxSpec _resnet18 = new(ResidualBlockKind.Basic, 2, 2, 2, 2) { ArchitectureName = "resnet18", InputSize = 64, CropSize = 64 };
    private static readonly WeightSnapshot _weights = SyntheticWeights.For(_resnet18, 2);

    [Fact]
    public void A_missing_key_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(Without(_weights, "layer3.1.bn2.running_var"), _resnet18));
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("layer3.1.bn2.running_var missing", e.Message);
        Assert.Contains("resnet18", e.Message);
    }

    [Fact]
    public void Every_missing_key_is_named_at_once()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ResNetOnnxWriter.Write(Without(_weights, "bn1.weight", "layer4.1.conv2.weight", "fc.bias"), _resnet18));
        Assert.Contains("bn1.weight missing", e.Message);
        Assert.Contains("layer4.1.conv2.weight missing", e.Message);
        Assert.Contains("fc.bias missing", e.Message);
    }

    [Fact]
    public void A_wrong_shape_names_the_key_and_both_shapes()
    {
        var bad = Replace(_weights, "layer1.0.conv1.weight", new long[] { 64, 32, 3, 3 });
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(bad, _resnet18));
        Assert.Contains("layer1.0.conv1.weight has shape [64, 32, 3, 3], expected [64, 64, 3, 3]", e.Message);

        var badFc = Replace(_weights, "fc.weight", new long[] { 2, 2048 });
        e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(badFc, _resnet18));
        Assert.Contains("fc.weight has shape [2, 2048], expected [*, 512]", e.Message);
        Assert.DoesNotContain("fc.bias", e.Message); // not reported as left over
    }

    [Fact]
    public void A_gray_stem_against_an_rgb_spec_names_conv1()
    {
        var gray = SyntheticWeights.For(new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { NetworkChannels = 1, Mean = new[] { 0f }, Std = new[] { 1f } }, 2);
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(gray, _resnet18));
        Assert.Contains("conv1.weight has shape [64, 1, 7, 7], expected [64, 3, 7, 7]", e.Message);
    }

    [Fact]
    public void Weights_of_a_deeper_network_are_reported_as_unexpected()
    {
        var resnet34 = SyntheticWeights.For(new ResNetOnnxSpec(ResidualBlockKind.Basic, 3, 4, 6, 3), 2);
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(resnet34, _resnet18));
        Assert.Contains("unexpected", e.Message);
        Assert.Contains("layer1.2.conv1.weight", e.Message);
        Assert.Contains("more", e.Message); // the list is cut
    }

    [Fact]
    public void An_mlp_snapshot_with_a_linear_spec_gets_a_hint()
    {
        var mlp = SyntheticWeights.For(new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Head = ClassifierHeadKind.Mlp }, 2);
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(mlp, _resnet18));
        Assert.Contains("fc.weight missing", e.Message);
        Assert.Contains("ClassifierHeadKind.Mlp", e.Message);
    }

    [Fact]
    public void Non_finite_weights_and_negative_variances_are_refused()
    {
        var nan = Replace(_weights, "layer2.0.conv2.weight", null, v => v[5] = float.NaN);
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(nan, _resnet18));
        Assert.Contains("layer2.0.conv2.weight has a non-finite value (NaN) at index 5", e.Message);

        var negative = Replace(_weights, "layer2.1.bn1.running_var", null, v => v[3] = -1f);
        e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(negative, _resnet18));
        Assert.Contains("layer2.1.bn1.running_var has -1 at index 3", e.Message);
    }

    [Fact]
    public void A_snapshot_rejects_bad_tensors()
    {
        var w = new WeightSnapshot { { "a", new long[] { 2, 2 }, new float[4] } };
        Assert.Throws<ArgumentException>(() => w.Add("a", new long[] { 1 }, new float[1]));
        Assert.Throws<ArgumentException>(() => w.Add("b", new long[] { 2, 3 }, new float[5]));
        Assert.Throws<ArgumentException>(() => w.Add("", new long[] { 1 }, new float[1]));
        Assert.Equal(new[] { "a" }, w.Names);
    }

    // The spec and metadata types are internal to the library, so the theories take them as objects.
    public static TheoryData<string, Func<object>> BadSpecs => new()
    {
        { "CropSize (72) must be positive and at most InputSize (64)", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputSize = 64, CropSize = 72 } },
        { "NetworkChannels must be 1 or 3", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { NetworkChannels = 2 } },
        { "InputChannels must be 1 (gray) or 3 (RGB)", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputChannels = 4 } },
        { "Mean and Std need one value per network channel (1); got 3 and 3", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { NetworkChannels = 1 } },
        { "Std must be positive", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Std = new[] { 0.2f, 0f, 0.2f } } },
        { "CropSize must be at least 32", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputSize = 16, CropSize = 16 } },
        { "OutputName and LogitsName are both 'Score'", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { IncludeLogits = true, LogitsName = "Score" } },
        { "Unsupported ResNetOnnxSpec.Activation", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Activation = (OutputActivation)7 } },
        { "BatchNormEpsilon", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { BatchNormEpsilon = float.NaN } },
        { "Temperatures must hold positive, finite values; got [0]", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Temperatures = new[] { 0f } } },
        { "Temperatures must hold positive, finite values; got [-1]", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Temperatures = new[] { -1f } } },
        { "Temperatures must hold positive, finite values; got [NaN]", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Temperatures = new[] { float.NaN } } },
        { "Temperatures must hold positive, finite values; got []", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Temperatures = Array.Empty<float>() } },
        { "Temperatures has 2 values; a softmax head takes one", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Temperatures = new[] { 1f, 2f } } },
        { "Thresholds must hold values strictly between 0 and 1; got [1]", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Thresholds = new[] { 1f } } },
        { "Thresholds must hold values strictly between 0 and 1; got [0]", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { IncludePredictionOutputs = true, Thresholds = new[] { 0f } } },
        { "Thresholds must hold values strictly between 0 and 1; got [NaN]", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Thresholds = new[] { float.NaN } } },
        { "Thresholds has 2 values; a softmax head takes one", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Thresholds = new[] { 0.5f, 0.5f } } },
        { "PredictedLabelsName needs a sigmoid", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { PredictedLabelsName = "Labels" } },
        { "OutputName and PredictedLabelsName are both 'Score'", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Activation = OutputActivation.Sigmoid, PredictedLabelsName = "Score" } },
        { "PredictedLabelsName must not be empty", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Activation = OutputActivation.Sigmoid, PredictedLabelsName = "" } },
        { "TestTimeFlip needs a head", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Head = ClassifierHeadKind.None, Activation = OutputActivation.None, TestTimeFlip = true } },
        { "Temperatures and Thresholds need a head", () => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Head = ClassifierHeadKind.None, Activation = OutputActivation.None, Temperatures = new[] { 2f } } },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Unsupported_spec_values_are_named(string expected, Func<object> spec)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => ResNetOnnxWriter.Write(_weights, (ResNetOnnxSpec)spec()));
        Assert.Equal("spec", e.ParamName);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Per_label_lists_must_match_the_labels()
    {
        var sigmoid = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputSize = 64, CropSize = 64, Activation = OutputActivation.Sigmoid };
        var three = SyntheticWeights.For(sigmoid, 3);
        var temperatures = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2)
        {
            InputSize = 64, CropSize = 64, Activation = OutputActivation.Sigmoid, Temperatures = new[] { 1f, 2f },
        };
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(three, temperatures));
        Assert.Equal("spec", e.ParamName);
        Assert.Contains("ResNetOnnxSpec.Temperatures has 2 values; a sigmoid head with 3 outputs takes one for every label or one per label", e.Message);

        var thresholds = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2)
        {
            InputSize = 64, CropSize = 64, Activation = OutputActivation.Sigmoid, Thresholds = new[] { 0.2f, 0.3f, 0.4f, 0.5f },
        };
        e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(three, thresholds));
        Assert.Contains("ResNetOnnxSpec.Thresholds has 4 values; a sigmoid head with 3 outputs", e.Message);
    }

    [Fact]
    public void A_multiclass_graph_keeps_the_default_threshold()
    {
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputSize = 64, CropSize = 64, IncludePredictionOutputs = true, Thresholds = new[] { 0.3f } };
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(SyntheticWeights.For(spec, 4), spec));
        Assert.Equal("spec", e.ParamName);
        Assert.Contains("ResNetOnnxSpec.Thresholds is [0.3], but a multiclass head (4 classes) predicts the argmax", e.Message);
    }

    [Fact]
    public void A_spec_needs_four_stages()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2));
        Assert.Contains("four stages", e.Message);
    }

    [Fact]
    public void An_internal_name_taken_by_an_output_is_refused()
    {
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputSize = 64, CropSize = 64, OutputName = "bn1" };
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(_weights, spec));
        Assert.Contains("'bn1' is used twice", e.Message);
    }

    public static TheoryData<string, object> BadMetadata => new()
    {
        { "ClassLabels has 3 labels but the head has 2 outputs", new ModelMetadata { ClassLabels = new[] { "a", "b", "c" } } },
        { "multi-label scores need a sigmoid", new ModelMetadata { Task = PredictionTask.Multilabel } },
        { "ThresholdMethod must not be empty", new ModelMetadata { ThresholdMethod = " " } },
        { "Extras key 'task' is not allowed", new ModelMetadata { Extras = new Dictionary<string, string> { ["task"] = "x" } } },
        { "Extras key 'a b' is not allowed", new ModelMetadata { Extras = new Dictionary<string, string> { ["a b"] = "x" } } },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public void Metadata_that_does_not_fit_the_outputs_is_refused(string expected, object metadata)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => ResNetOnnxWriter.Write(_weights, _resnet18, (ModelMetadata)metadata));
        Assert.Equal("metadata", e.ParamName);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_binary_task_needs_two_softmax_outputs()
    {
        var five = SyntheticWeights.For(_resnet18, 5);
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(five, _resnet18, new ModelMetadata { Task = PredictionTask.Binary }));
        Assert.Contains("a binary softmax needs 2 outputs, the head has 5", e.Message);
        var one = SyntheticWeights.For(_resnet18, 1);
        e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(one, _resnet18));
        Assert.Contains("a softmax over one output is always 1", e.Message);
    }

    private static WeightSnapshot Without(WeightSnapshot source, params string[] keys)
    {
        var copy = new WeightSnapshot();
        foreach (var (name, t) in source.Where(kv => !keys.Contains(kv.Key)))
        {
            copy.Add(name, t);
        }

        return copy;
    }

    private static WeightSnapshot Replace(WeightSnapshot source, string key, long[]? shape, Action<float[]>? edit = null)
    {
        var copy = new WeightSnapshot();
        foreach (var (name, t) in source)
        {
            if (name != key)
            {
                copy.Add(name, t);
                continue;
            }

            long[] s = shape ?? t.Shape.ToArray();
            var values = shape is null ? t.Values.ToArray() : new float[s.Aggregate(1L, (a, d) => a * d)];
            edit?.Invoke(values);
            copy.Add(name, s, values);
        }

        return copy;
    }
}
