using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx.Tests.Support;
using Onnx;
using Xunit;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// Temperature scaling in the graph (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017): the scores are
/// the softmax or sigmoid of the logits divided by T, checked against the graph's own raw logits output with the
/// activation computed here in double; and a temperature of 1 leaves the graph as it was.
/// </summary>
public sealed class CalibrationTests
{
    private const int Count = 6;
    private const int Size = 64;
    private static readonly float[] _raw = RawImages.Make(Count, 3, Size, seed: 21);

    private static ResNetOnnxSpec Spec(OutputActivation activation, params float[] temperatures) => new(ResidualBlockKind.Basic, 1, 1, 1, 1)
    {
        InputSize = Size, CropSize = Size, Activation = activation, IncludeLogits = true, Temperatures = temperatures,
    };

    [Fact]
    public void Softmax_scores_are_the_softmax_of_the_logits_over_the_temperature()
    {
        const int classes = 4;
        const double t = 2.5;
        var spec = Spec(OutputActivation.Softmax, (float)t);
        var o = Run(spec, SpreadWeights.For(spec, classes, _raw, Count));
        var logits = o[spec.LogitsName].Values;
        var scores = o[spec.OutputName].Values;
        double calibrationEffect = 0;
        for (int i = 0; i < Count; i++)
        {
            var row = logits.Skip(i * classes).Take(classes).Select(l => (double)l).ToArray();
            var expected = Softmax(row.Select(l => l / t).ToArray());
            var uncalibrated = Softmax(row);
            for (int k = 0; k < classes; k++)
            {
                Assert.Equal(expected[k], scores[i * classes + k], 1e-6);
                calibrationEffect = Math.Max(calibrationEffect, Math.Abs(expected[k] - uncalibrated[k]));
            }
        }

        Assert.True(calibrationEffect > 0.05, $"T = {t} moved no score by more than {calibrationEffect}: the test would not see a missing division.");
    }

    [Fact]
    public void Binary_probability_and_logit_are_calibrated()
    {
        const double t = 0.6, threshold = 0.4;
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1)
        {
            InputSize = Size, CropSize = Size, IncludeLogits = true, IncludePredictionOutputs = true,
            Temperatures = new[] { (float)t }, Thresholds = new[] { (float)threshold },
        };
        var o = Run(spec, SpreadWeights.For(spec, 2, _raw, Count));
        var logits = o[spec.LogitsName].Values;
        for (int i = 0; i < Count; i++)
        {
            double logOdds = (logits[2 * i + 1] - (double)logits[2 * i]) / t;
            double p = 1 / (1 + Math.Exp(-logOdds));
            Assert.Equal(p, o[spec.ProbabilityName].Values[i], 1e-6);
            Assert.Equal(logOdds - Math.Log(threshold / (1 - threshold)), o[spec.LogitName].Values[i], 1e-5);
        }
    }

    [Fact]
    public void Sigmoid_scores_use_each_labels_temperature()
    {
        var temperatures = new[] { 0.5f, 1f, 3f };
        var spec = Spec(OutputActivation.Sigmoid, temperatures);
        var o = Run(spec, SpreadWeights.For(spec, 3, _raw, Count));
        var logits = o[spec.LogitsName].Values;
        var scores = o[spec.OutputName].Values;
        for (int j = 0; j < logits.Length; j++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-logits[j] / (double)temperatures[j % 3])), scores[j], 1e-6);
        }
    }

    [Fact]
    public void A_temperature_of_one_adds_no_node_and_another_adds_one_division()
    {
        var plain = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1) { InputSize = Size, CropSize = Size, IncludePredictionOutputs = true };
        var explicitOne = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1)
        {
            InputSize = Size, CropSize = Size, IncludePredictionOutputs = true, Temperatures = new[] { 1f }, TestTimeFlip = false,
        };
        var calibrated = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1)
        {
            InputSize = Size, CropSize = Size, IncludePredictionOutputs = true, Temperatures = new[] { 2f },
        };
        var weights = SyntheticWeights.For(plain, 2);
        byte[] plainBytes = ResNetOnnxWriter.Write(weights, plain);
        Assert.Equal(plainBytes, ResNetOnnxWriter.Write(weights, explicitOne));

        // torchvision's resnet with one basic block per stage, as ONNX nodes: Div, Sub, Div (preprocessing); Conv, Relu,
        // MaxPool (stem); per block Conv, Relu, Conv, Add, Relu, plus a projection Conv in the first block of stages
        // 2-4; GlobalAveragePool, Flatten, Gemm, Softmax; binary outputs Gather x2, Sub x2, Gather, GreaterOrEqual, Cast.
        int expected = 3 + 3 + (4 * 5 + 3) + 4 + 7;
        var nodes = ModelProto.Parser.ParseFrom(plainBytes).Graph.Node;
        Assert.Equal(expected, nodes.Count);

        var calibratedNodes = ModelProto.Parser.ParseFrom(ResNetOnnxWriter.Write(weights, calibrated)).Graph.Node;
        Assert.Equal(expected + 1, calibratedNodes.Count);
        var division = Assert.Single(calibratedNodes, n => n.Name == "calibrate.temperature");
        Assert.Equal("Div", division.OpType);
        Assert.Equal("fc", division.Input[0]); // the Gemm's output: the logits
        Assert.Equal(nodes.Select(n => n.OpType), calibratedNodes.Where(n => n != division).Select(n => n.OpType));

        // Per-label temperatures of 1 add nothing either.
        var sigmoid = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1) { InputSize = Size, CropSize = Size, Activation = OutputActivation.Sigmoid };
        var sigmoidOnes = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1)
        {
            InputSize = Size, CropSize = Size, Activation = OutputActivation.Sigmoid, Temperatures = new[] { 1f, 1f, 1f },
        };
        var three = SyntheticWeights.For(sigmoid, 3);
        var sigmoidNodes = ModelProto.Parser.ParseFrom(ResNetOnnxWriter.Write(three, sigmoidOnes)).Graph.Node;
        Assert.Equal(ModelProto.Parser.ParseFrom(ResNetOnnxWriter.Write(three, sigmoid)).Graph.Node, sigmoidNodes);
        Assert.Equal(3 + 3 + (4 * 5 + 3) + 4, sigmoidNodes.Count);
    }

    private static System.Collections.Generic.Dictionary<string, (long[] Shape, float[] Values)> Run(ResNetOnnxSpec spec, WeightSnapshot weights)
    {
        using var session = new InferenceSession(ResNetOnnxWriter.Write(weights, spec));
        return OrtRunner.Run(session, spec.InputName, _raw, new long[] { Count, 3, Size, Size });
    }

    private static double[] Softmax(double[] row)
    {
        double max = row.Max();
        var e = row.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
