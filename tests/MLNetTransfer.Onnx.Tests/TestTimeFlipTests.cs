using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx.Tests.Support;
using Onnx;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// Test-time flip: the scores of a flip graph equal the mean of the scores that the same weights without flip give
/// for each image and for its mirror, mirrored here in C# (so the graph's flip direction and its pairing of rows are
/// checked against something the graph did not compute), and every prediction output follows the averaged scores.
/// </summary>
public sealed class TestTimeFlipTests
{
    private const int Count = 5;
    private const int Size = 72; // cropped to 64: an even margin, so the crop of the mirror is the mirror of the crop
    private const int Crop = 64;
    private static readonly float[] _raw = RawImages.Make(Count, 3, Size, seed: 41);
    private static readonly float[] _mirrored = RawImages.Mirror(_raw, Count, 3, Size);
    private readonly ITestOutputHelper _output;

    public TestTimeFlipTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Binary_scores_are_the_mean_over_the_image_and_its_mirror()
    {
        const float temperature = 0.7f, threshold = 0.45f;
        var (off, on) = Pair(OutputActivation.Softmax, new[] { temperature }, new[] { threshold });
        var weights = SpreadWeights.For(off, 2, _raw, Count, target: 3f);
        var plain = Run(off, weights, _raw);
        var mirror = Run(off, weights, _mirrored);
        var flip = Run(on, weights, _raw);

        var expected = plain[off.OutputName].Values.Zip(mirror[off.OutputName].Values, (a, b) => (a + (double)b) / 2).ToArray();
        AssertClose(expected, flip[on.OutputName].Values, 1e-6, "Score");
        AssertMirrorMatters(plain[off.OutputName].Values, mirror[off.OutputName].Values);
        AssertClose(plain[off.LogitsName].Values.Select(v => (double)v).ToArray(), flip[on.LogitsName].Values, 1e-5, "Logits (unmirrored, uncalibrated)");

        var p = flip[on.ProbabilityName].Values;
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(flip[on.OutputName].Values[2 * i + 1], p[i]);
            Assert.Equal(p[i] >= threshold ? 1f : 0f, flip[on.PredictedIndexName].Values[i]);
        }

        var logOdds = ExpectedLogOdds(plain[off.LogitsName].Values, mirror[off.LogitsName].Values, temperature);
        AssertClose(logOdds.Select(l => l - Math.Log(threshold / (1.0 - threshold))).ToArray(), flip[on.LogitName].Values, 1e-4, "Logit");
        Assert.Contains(p, v => v >= threshold);
        Assert.Contains(p, v => v < threshold);

        // The mean over an image and its mirror is the same for the mirror: flipping the input changes nothing.
        AssertClose(flip[on.OutputName].Values.Select(v => (double)v).ToArray(), Run(on, weights, _mirrored)[on.OutputName].Values, 1e-6, "Score of the mirrored input");
    }

    [Fact]
    public void Logit_of_the_averaged_probability_stays_finite_when_the_probabilities_saturate()
    {
        // T = 0.002 puts the calibrated log-odds in the hundreds or thousands: the softmax's smaller probability is 0 in
        // float, and ln(p1) - ln(p0) taken naively would be infinite.
        const float temperature = 0.002f;
        var (off, on) = Pair(OutputActivation.Softmax, new[] { temperature }, new[] { 0.5f });
        var weights = SpreadWeights.For(off, 2, _raw, Count, target: 3f);
        var plain = Run(off, weights, _raw);
        var mirror = Run(off, weights, _mirrored);
        var flip = Run(on, weights, _raw);
        Assert.Contains(flip[on.OutputName].Values, v => v == 0f);

        var expected = ExpectedLogOdds(plain[off.LogitsName].Values, mirror[off.LogitsName].Values, temperature);
        var logit = flip[on.LogitName].Values;
        Assert.All(logit, l => Assert.True(float.IsFinite(l)));
        // Values in the hundreds or thousands: float's own resolution there is 3e-5 to 2.4e-4.
        AssertClose(expected, logit, 1e-3, "saturated Logit", relative: 1e-6);
    }

    [Fact]
    public void Multiclass_predicts_the_argmax_of_the_averaged_scores()
    {
        var (off, on) = Pair(OutputActivation.Softmax, new[] { 1.3f }, new[] { 0.5f });
        const int classes = 4;
        var weights = SpreadWeights.For(off, classes, _raw, Count, target: 3f);
        var plain = Run(off, weights, _raw);
        var mirror = Run(off, weights, _mirrored);
        var flip = Run(on, weights, _raw);
        var expected = plain[off.OutputName].Values.Zip(mirror[off.OutputName].Values, (a, b) => (a + (double)b) / 2).ToArray();
        AssertClose(expected, flip[on.OutputName].Values, 1e-6, "Score");
        for (int i = 0; i < Count; i++)
        {
            var row = expected.Skip(i * classes).Take(classes).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), (int)flip[on.PredictedIndexName].Values[i]);
        }
    }

    [Fact]
    public void Multilabel_scores_and_decisions_follow_the_averaged_probabilities()
    {
        var temperatures = new[] { 0.8f, 1f, 2.5f };
        var thresholds = new[] { 0.3f, 0.5f, 0.6f };
        var (off, on) = Pair(OutputActivation.Sigmoid, temperatures, thresholds);
        var weights = SpreadWeights.For(off, 3, _raw, Count, target: 3f);
        var plain = Run(off, weights, _raw);
        var mirror = Run(off, weights, _mirrored);
        var flip = Run(on, weights, _raw);
        var expected = plain[off.OutputName].Values.Zip(mirror[off.OutputName].Values, (a, b) => (a + (double)b) / 2).ToArray();
        AssertClose(expected, flip[on.OutputName].Values, 1e-6, "Score");
        AssertMirrorMatters(plain[off.OutputName].Values, mirror[off.OutputName].Values);
        var scores = flip[on.OutputName].Values;
        Assert.Equal(scores.Select((p, j) => p >= thresholds[j % 3] ? 1f : 0f), flip[on.PredictedLabelsName!].Values);
    }

    [Fact]
    public void Without_flip_the_graph_is_unchanged_and_with_it_gains_the_flip_nodes()
    {
        var (off, on) = Pair(OutputActivation.Softmax, new[] { 1f }, new[] { 0.5f });
        var weights = SyntheticWeights.For(off, 2);
        var offNodes = ModelProto.Parser.ParseFrom(ResNetOnnxWriter.Write(weights, off)).Graph.Node;
        var onNodes = ModelProto.Parser.ParseFrom(ResNetOnnxWriter.Write(weights, on)).Graph.Node;

        // Slice, Div, Sub, Div; Conv, Relu, MaxPool; 4 blocks of 5 and 3 projections; GlobalAveragePool, Flatten, Gemm,
        // Softmax; Gather x2, Sub x2, Gather, GreaterOrEqual, Cast.
        Assert.Equal(4 + 3 + (4 * 5 + 3) + 4 + 7, offNodes.Count);
        Assert.DoesNotContain(offNodes, n => n.Name.StartsWith("flip.", StringComparison.Ordinal));

        // Mirror and stack before the stem; split after the head, then the logits output, the mean, and the log-sums for the logit.
        Assert.Equal(
            new[] { "Slice", "Concat", "Reshape", "Gather", "ReduceMean", "LogSoftmax", "ReduceLogSumExp" },
            onNodes.Where(n => n.Name.StartsWith("flip.", StringComparison.Ordinal)).Select(n => n.OpType));
        Assert.Equal(offNodes.Count + 7, onNodes.Count);
    }

    private static (ResNetOnnxSpec Off, ResNetOnnxSpec On) Pair(OutputActivation activation, float[] temperatures, float[] thresholds)
    {
        ResNetOnnxSpec Make(bool flip) => new(ResidualBlockKind.Basic, 1, 1, 1, 1)
        {
            InputSize = Size, CropSize = Crop, Activation = activation, IncludeLogits = true, Temperatures = temperatures, Thresholds = thresholds,
            IncludePredictionOutputs = activation == OutputActivation.Softmax,
            PredictedLabelsName = activation == OutputActivation.Sigmoid ? "PredictedLabels" : null,
            TestTimeFlip = flip,
        };
        return (Make(false), Make(true));
    }

    // ln(p1 / p0) of p = the mean of sigmoid(a) and sigmoid(b), a and b the calibrated log-odds of an image and its
    // mirror, in double through log-sum-exp of ln sigmoid(x) = -softplus(-x) (finite however large a and b are).
    private static double[] ExpectedLogOdds(float[] logits, float[] mirrorLogits, double temperature)
    {
        static double LogSigmoid(double x) => x >= 0 ? -Math.Log(1 + Math.Exp(-x)) : x - Math.Log(1 + Math.Exp(x));
        static double LogSumExp(double u, double v) => Math.Max(u, v) + Math.Log(1 + Math.Exp(-Math.Abs(u - v)));
        return Enumerable.Range(0, logits.Length / 2).Select(i =>
        {
            double a = (logits[2 * i + 1] - (double)logits[2 * i]) / temperature;
            double b = (mirrorLogits[2 * i + 1] - (double)mirrorLogits[2 * i]) / temperature;
            return LogSumExp(LogSigmoid(a), LogSigmoid(b)) - LogSumExp(LogSigmoid(-a), LogSigmoid(-b));
        }).ToArray();
    }

    private void AssertClose(double[] expected, float[] actual, double tolerance, string what, double relative = 0)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a) / (tolerance + relative * Math.Abs(e))).Max();
        double largest = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        _output.WriteLine($"{what}: largest difference {largest:E2} ({worst:P0} of the tolerance)");
        Assert.True(worst <= 1, $"{what}: a difference of {largest:E2} is beyond the tolerance ({tolerance:E0} + {relative:E0} relative).");
    }

    private static void AssertMirrorMatters(float[] plain, float[] mirrored)
    {
        double largest = plain.Zip(mirrored, (a, b) => Math.Abs(a - (double)b)).Max();
        Assert.True(largest > 1e-2, $"Mirroring the images moved no score by more than {largest}: the test could not tell a flip from none.");
    }

    private static Dictionary<string, (long[] Shape, float[] Values)> Run(ResNetOnnxSpec spec, WeightSnapshot weights, float[] images)
    {
        using var session = new InferenceSession(ResNetOnnxWriter.Write(weights, spec));
        return OrtRunner.Run(session, spec.InputName, images, new long[] { Count, 3, Size, Size });
    }
}
