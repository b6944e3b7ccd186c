using System;
using System.Linq;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Onnx.Tests.Support;

/// <summary>
/// The TorchSharp side of the parity tests: seeded ResNets with non-trivial BatchNorm statistics, their state_dict as
/// a <see cref="WeightSnapshot"/>, and the reference preprocessing and eval-mode forward pass.
/// </summary>
internal static class TorchModels
{
    /// <summary>A seeded random ResNet in eval mode; BN running stats and affine parameters randomised so folding matters.</summary>
    public static ResNet Make(ResNetLayout layout, int outputs, int inChannels, bool mlpHead, int seed)
    {
        random.manual_seed(seed);
        var model = new ResNet(layout, outputs, inChannels);
        if (mlpHead)
        {
            // The feature-extraction head (docs/design.md, "Freezing and BatchNorm"): Linear(F, 256) → ReLU →
            // Dropout(0.5) → Linear(256, K).
            model.ReplaceHead(nn.Sequential(
                nn.Linear(layout.FeatureCount, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, outputs)));
        }

        using (no_grad())
        {
            // The last BatchNorm of each residual branch gets a smaller scale (as a trained network tends to have, and
            // as zero_init_residual starts from): otherwise 33 or 50 random blocks add up to logits of 1e4..1e7 and the
            // softmax saturates, which would leave the score comparison with nothing to compare.
            string lastBn = layout.Block == ResNetBlockKind.Basic ? ".bn2" : ".bn3";
            foreach (var (name, m) in model.named_modules())
            {
                if (m is TorchSharp.Modules.BatchNorm2d bn)
                {
                    bn.running_mean!.uniform_(-0.5, 0.5);
                    bn.running_var!.uniform_(0.5, 2.0);
                    if (name.EndsWith(lastBn, StringComparison.Ordinal))
                    {
                        bn.weight!.uniform_(0.1, 0.4);
                    }
                    else
                    {
                        bn.weight!.uniform_(0.5, 1.5);
                    }

                    bn.bias!.uniform_(-0.2, 0.2);
                    bn.num_batches_tracked?.fill_(17);
                }
            }
        }

        model.eval();
        return model;
    }

    /// <summary>
    /// The model's state_dict as a snapshot, every tensor converted to float32 (so <c>num_batches_tracked</c> is in it
    /// too, which the writer must ignore). The ML.NET layer has its own conversion; this one is the test's.
    /// </summary>
    public static WeightSnapshot Snapshot(nn.Module model)
    {
        var snapshot = new WeightSnapshot();
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in model.state_dict())
        {
            var t = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
            snapshot.Add(name, t.shape.ToArray(), t.data<float>().ToArray());
        }

        return snapshot;
    }

    /// <summary>
    /// What the graph should do before the network, written here independently with tensor ops: centre crop at
    /// torchvision's offset, channel conversion (luma 0.299/0.587/0.114, or replication), /255, (x − mean) / std.
    /// </summary>
    public static Tensor Preprocess(float[] raw, int count, ResNetOnnxSpec spec)
    {
        using var scope = NewDisposeScope();
        int s = spec.InputSize;
        var x = tensor(raw, new long[] { count, spec.InputChannels, s, s });
        // torchvision 0.14 F.center_crop: crop_top = int(round((image_height - crop_height) / 2.0)), Python's round.
        int top = (int)Math.Round((s - spec.CropSize) / 2.0, MidpointRounding.ToEven);
        var window = TensorIndex.Slice(top, top + spec.CropSize);
        x = x[.., .., window, window];
        if (spec.InputChannels == 3 && spec.NetworkChannels == 1)
        {
            x = 0.299f * x[.., 0..1] + 0.587f * x[.., 1..2] + 0.114f * x[.., 2..3];
        }
        else if (spec.InputChannels == 1 && spec.NetworkChannels == 3)
        {
            x = x.expand(count, 3, spec.CropSize, spec.CropSize);
        }

        var mean = tensor(spec.Mean.ToArray(), new long[] { 1, spec.NetworkChannels, 1, 1 });
        var std = tensor(spec.Std.ToArray(), new long[] { 1, spec.NetworkChannels, 1, 1 });
        return scope.MoveToOuter(((x / 255f) - mean) / std);
    }

    /// <summary>
    /// Scales the head's last Linear layer so that the largest logit on <paramref name="input"/> is about
    /// <paramref name="target"/> in size: scores well inside (0, 1), where a softmax or sigmoid difference shows.
    /// </summary>
    public static void CalibrateHead(ResNet model, Tensor input, float target = 1.5f)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        float max = model.call(input).abs().max().item<float>();
        var last = model.Head as TorchSharp.Modules.Linear
            ?? ((TorchSharp.Modules.Sequential)model.Head).children().OfType<TorchSharp.Modules.Linear>().Last();
        last.weight!.mul_(target / max);
        last.bias!.mul_(target / max);
    }

    /// <summary>Eval-mode logits and scores (softmax over axis 1 or sigmoid), both <c>[N, K]</c> in row-major order.</summary>
    public static (float[] Logits, float[] Scores) Forward(ResNet model, Tensor input, OutputActivation activation)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logits = model.call(input);
        var scores = activation == OutputActivation.Softmax ? nn.functional.softmax(logits, 1) : nn.functional.sigmoid(logits);
        return (logits.data<float>().ToArray(), scores.data<float>().ToArray());
    }
}
