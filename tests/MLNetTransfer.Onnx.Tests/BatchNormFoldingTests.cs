using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// The folded convolution equals ONNX Runtime's own Conv → BatchNormalization (inference mode) on the same input,
/// with and without a conv bias.
/// </summary>
public sealed class BatchNormFoldingTests
{
    private readonly ITestOutputHelper _output;

    public BatchNormFoldingTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(false, 1e-5f)]
    [InlineData(true, 1e-3f)]
    public void Folded_conv_equals_conv_then_batchnorm_in_onnx_runtime(bool convBias, float epsilon)
    {
        const int inC = 4, outC = 6, k = 3, size = 9;
        var rng = new Random(3);
        float[] R(int n, double lo, double hi) => Enumerable.Range(0, n).Select(_ => (float)(lo + (hi - lo) * rng.NextDouble())).ToArray();
        var w = R(outC * inC * k * k, -0.5, 0.5);
        var b = convBias ? R(outC, -0.3, 0.3) : Array.Empty<float>();
        var gamma = R(outC, 0.5, 1.5);
        var beta = R(outC, -0.2, 0.2);
        var mean = R(outC, -0.5, 0.5);
        var variance = R(outC, 0.01, 2.0);
        var input = R(2 * inC * size * size, -2, 2);

        var reference = new GraphBuilder("reference");
        var x = reference.AddInput("x", inC, size, size);
        var convInputs = convBias
            ? new[] { x, reference.AddInitializer("w", new long[] { outC, inC, k, k }, w), reference.AddInitializer("b", new long[] { outC }, b) }
            : new[] { x, reference.AddInitializer("w", new long[] { outC, inC, k, k }, w) };
        var conv = reference.AddNode("Conv", "conv", convInputs, null, GraphBuilder.Ints("pads", 1, 1, 1, 1));
        var bnNode = reference.AddNode("BatchNormalization", "bn", new[]
        {
            conv,
            reference.AddInitializer("gamma", new long[] { outC }, gamma),
            reference.AddInitializer("beta", new long[] { outC }, beta),
            reference.AddInitializer("mean", new long[] { outC }, mean),
            reference.AddInitializer("var", new long[] { outC }, variance),
        }, "y", new global::Onnx.AttributeProto { Name = "epsilon", Type = global::Onnx.AttributeProto.Types.AttributeType.Float, F = epsilon });
        reference.AddOutput(bnNode, outC, size, size);

        var (fw, fb) = BatchNormFolding.Fold(w, b, gamma, beta, mean, variance, epsilon);
        var folded = new GraphBuilder("folded");
        x = folded.AddInput("x", inC, size, size);
        var y = folded.AddNode("Conv", "conv", new[]
        {
            x, folded.AddInitializer("w", new long[] { outC, inC, k, k }, fw), folded.AddInitializer("b", new long[] { outC }, fb),
        }, "y", GraphBuilder.Ints("pads", 1, 1, 1, 1));
        folded.AddOutput(y, outC, size, size);

        using var s1 = new InferenceSession(Graphs.ToModel(reference));
        using var s2 = new InferenceSession(Graphs.ToModel(folded));
        var shape = new long[] { 2, inC, size, size };
        var expected = OrtRunner.Run(s1, "x", input, shape)["y"].Values;
        var actual = OrtRunner.Run(s2, "x", input, shape)["y"].Values;
        float diff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        float scale = expected.Max(Math.Abs);
        _output.WriteLine($"bias {convBias}, eps {epsilon}: max |diff| {diff:E2} of max |y| {scale:G3}");
        Assert.True(diff <= 1e-5f * Math.Max(1, scale), $"{diff}");
    }
}
