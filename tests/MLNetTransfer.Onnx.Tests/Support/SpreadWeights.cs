using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace MLNetTransfer.Onnx.Tests.Support;

/// <summary>
/// <see cref="SyntheticWeights"/> whose last Linear layer is shifted and scaled so that, on given images, every logit
/// is centred on 0 across the images and the largest is <c>target</c> in size: random networks give logits that are far
/// apart or all alike, and then a softmax, a sigmoid or a threshold has nothing to show. Torch-free: the logits are
/// measured with ONNX Runtime on a graph of the same weights.
/// </summary>
internal static class SpreadWeights
{
    public static WeightSnapshot For(ResNetOnnxSpec spec, int outputs, float[] images, int count, float target = 2f, int seed = 1)
    {
        var weights = SyntheticWeights.For(spec, outputs, seed);
        var probe = new ResNetOnnxSpec(spec.Block, spec.BlocksPerStage.ToArray())
        {
            NetworkChannels = spec.NetworkChannels, InputChannels = spec.InputChannels, InputSize = spec.InputSize,
            CropSize = spec.CropSize, Mean = spec.Mean, Std = spec.Std, Head = spec.Head,
            Activation = OutputActivation.Sigmoid, IncludeLogits = true,
        };
        using var session = new InferenceSession(ResNetOnnxWriter.Write(weights, probe));
        var logits = OrtRunner.Run(session, probe.InputName, images, new long[] { count, spec.InputChannels, spec.InputSize, spec.InputSize })[probe.LogitsName].Values;
        var mean = Enumerable.Range(0, outputs).Select(k => Enumerable.Range(0, count).Average(i => (double)logits[i * outputs + k])).ToArray();
        double spread = Enumerable.Range(0, logits.Length).Max(j => Math.Abs(logits[j] - mean[j % outputs]));
        double scale = target / spread;

        // logits = W f + b, so s (logits - m) = (s W) f + s (b - m).
        string last = spec.Head == ClassifierHeadKind.Mlp ? "fc.3" : "fc";
        var result = new WeightSnapshot();
        foreach (var (name, tensor) in weights)
        {
            var values = tensor.Values.ToArray();
            if (name == last + ".weight")
            {
                values = values.Select(v => (float)(v * scale)).ToArray();
            }
            else if (name == last + ".bias")
            {
                values = values.Select((v, k) => (float)((v - mean[k]) * scale)).ToArray();
            }

            result.Add(name, tensor.Shape.ToArray(), values);
        }

        return result;
    }
}
