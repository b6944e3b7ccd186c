using System;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx;
using Onnx;
using static TorchSharp.torch;

namespace MLNetTransfer.Bench.Scoring;

/// <summary>
/// The machine's limit for the work a ResNet does (issue 6: "against the machine's limit"): the rate of one large
/// 3×3 convolution, 256 → 256 channels on 28×28, batch 16 (the shape of ResNet's third stage, 1.85 G multiply-adds),
/// in libtorch (oneDNN, channels-last, TorchSharp's own build) and in ONNX Runtime (MLAS, with its default NCHWc layout
/// rewrite). The faster of the two is taken as the limit: a whole network, with its smaller and strided convolutions and
/// everything between them, cannot run faster than its best convolution does alone.
/// </summary>
internal static class ConvLimit
{
    private const int Batch = 16, Channels = 256, Size = 28, Calls = 5, Rounds = 3;

    /// <summary>Multiply-adds of one call: output elements × input channels × 3 × 3.</summary>
    private const double MultiplyAdds = (double)Batch * Channels * Size * Size * Channels * 9;

    /// <summary>GFLOP/s (2 per multiply-add) of libtorch and of ONNX Runtime, the best of a few rounds each.</summary>
    public static (double Torch, double OnnxRuntime) Measure()
    {
        return (Best(TorchCall()), Best(OrtCall()));
    }

    private static double Best((Action Call, IDisposable Owner) run)
    {
        using var owner = run.Owner;
        double best = 0;
        for (int round = 0; round < Rounds; round++)
        {
            run.Call();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Calls; i++)
            {
                run.Call();
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, Calls * 2 * MultiplyAdds / seconds / 1e9);
        }

        return best;
    }

    private static (Action, IDisposable) TorchCall()
    {
        var scope = NewDisposeScope();
        random.manual_seed(1);
        // Channels-last by permute → contiguous → permute (TorchSharp 0.107 has no memory_format argument), as the
        // engine's own Intermediates.ChannelsLast does.
        var x = randn(Batch, Channels, Size, Size).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        var w = randn(Channels, Channels, 3, 3).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        var b = zeros(Channels);
        scope.MoveToOuter(x, w, b);
        scope.Dispose();
        var owner = new Owner(x, w, b);
        return (() =>
        {
            using var _ = no_grad();
            using var step = NewDisposeScope();
            nn.functional.conv2d(x, w, b, padding: new long[] { 1, 1 });
        }, owner);
    }

    private static (Action, IDisposable) OrtCall()
    {
        var graph = new GraphBuilder("conv-limit");
        string input = graph.AddInput("X", Channels, Size, Size);
        var rng = new Random(1);
        var weight = new float[Channels * Channels * 9];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = (float)(rng.NextDouble() - 0.5) * 0.1f;
        }

        string w = graph.AddInitializer("W", new long[] { Channels, Channels, 3, 3 }, weight);
        string b = graph.AddInitializer("B", new long[] { Channels }, new float[Channels]);
        string y = graph.AddNode("Conv", "conv", new[] { input, w, b }, "Y", GraphBuilder.Ints("kernel_shape", 3, 3), GraphBuilder.Ints("pads", 1, 1, 1, 1));
        graph.AddOutput(y, Channels, Size, Size);
        var model = new ModelProto { IrVersion = ResNetOnnxWriter.IrVersion, Graph = graph.Graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = ResNetOnnxWriter.OpsetVersion });

        var session = new InferenceSession(model.ToByteArray());
        var pixels = new float[Batch * Channels * Size * Size];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)rng.NextDouble();
        }

        var value = OrtValue.CreateTensorValueFromMemory(pixels, new long[] { Batch, Channels, Size, Size });
        var runOptions = new RunOptions();
        return (() =>
        {
            using var results = session.Run(runOptions, new[] { "X" }, new[] { value }, new[] { "Y" });
        }, new Owner(value, runOptions, session));
    }

    private sealed class Owner(params IDisposable[] owned) : IDisposable
    {
        public void Dispose()
        {
            foreach (var d in owned)
            {
                d.Dispose();
            }
        }
    }
}
