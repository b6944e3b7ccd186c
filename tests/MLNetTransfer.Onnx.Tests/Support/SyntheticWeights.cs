using System;

namespace MLNetTransfer.Onnx.Tests.Support;

/// <summary>
/// A torchvision-named ResNet state_dict with small random values, made without TorchSharp (for the checker,
/// metadata and validation tests). Its keys and shapes follow torchvision/models/resnet.py; a parity test compares
/// them with TorchSharp's state_dict.
/// </summary>
internal static class SyntheticWeights
{
    public static WeightSnapshot For(ResNetOnnxSpec spec, int outputs, int seed = 1, int mlpHidden = 256)
    {
        var rng = new Random(seed);
        var w = new WeightSnapshot();
        Conv(w, rng, "conv1", 64, spec.NetworkChannels, 7);
        Bn(w, rng, "bn1", 64);
        long inPlanes = 64;
        int expansion = spec.Block == ResidualBlockKind.Basic ? 1 : 4;
        for (int s = 0; s < 4; s++)
        {
            long planes = 64L << s;
            for (int b = 0; b < spec.BlocksPerStage[s]; b++)
            {
                string p = $"layer{s + 1}.{b}.";
                long stride = b == 0 && s > 0 ? 2 : 1;
                if (spec.Block == ResidualBlockKind.Basic)
                {
                    Conv(w, rng, p + "conv1", planes, inPlanes, 3);
                    Bn(w, rng, p + "bn1", planes);
                    Conv(w, rng, p + "conv2", planes, planes, 3);
                    Bn(w, rng, p + "bn2", planes);
                }
                else
                {
                    Conv(w, rng, p + "conv1", planes, inPlanes, 1);
                    Bn(w, rng, p + "bn1", planes);
                    Conv(w, rng, p + "conv2", planes, planes, 3);
                    Bn(w, rng, p + "bn2", planes);
                    Conv(w, rng, p + "conv3", planes * 4, planes, 1);
                    Bn(w, rng, p + "bn3", planes * 4);
                }

                if (stride != 1 || inPlanes != planes * expansion)
                {
                    Conv(w, rng, p + "downsample.0", planes * expansion, inPlanes, 1);
                    Bn(w, rng, p + "downsample.1", planes * expansion);
                }

                inPlanes = planes * expansion;
            }
        }

        if (spec.Head == ClassifierHeadKind.Linear)
        {
            Linear(w, rng, "fc", outputs, inPlanes);
        }
        else
        {
            Linear(w, rng, "fc.0", mlpHidden, inPlanes);
            Linear(w, rng, "fc.3", outputs, mlpHidden);
        }

        return w;
    }

    private static void Conv(WeightSnapshot w, Random rng, string name, long outC, long inC, long k)
    {
        double std = Math.Sqrt(2.0 / (outC * k * k));
        w.Add(name + ".weight", new[] { outC, inC, k, k }, Values(rng, outC * inC * k * k, -std * 1.7, std * 1.7));
    }

    private static void Bn(WeightSnapshot w, Random rng, string name, long c)
    {
        w.Add(name + ".weight", new[] { c }, Values(rng, c, 0.5, 1.5));
        w.Add(name + ".bias", new[] { c }, Values(rng, c, -0.2, 0.2));
        w.Add(name + ".running_mean", new[] { c }, Values(rng, c, -0.5, 0.5));
        w.Add(name + ".running_var", new[] { c }, Values(rng, c, 0.5, 2.0));
        w.Add(name + ".num_batches_tracked", Array.Empty<long>(), new[] { 17f });
    }

    private static void Linear(WeightSnapshot w, Random rng, string name, long outF, long inF)
    {
        double bound = 1 / Math.Sqrt(inF);
        w.Add(name + ".weight", new[] { outF, inF }, Values(rng, outF * inF, -bound, bound));
        w.Add(name + ".bias", new[] { outF }, Values(rng, outF, -bound, bound));
    }

    private static float[] Values(Random rng, long count, double lo, double hi)
    {
        var v = new float[count];
        for (long i = 0; i < count; i++)
        {
            v[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        }

        return v;
    }
}
