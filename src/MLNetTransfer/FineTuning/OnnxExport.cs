using System.Linq;
using MLNetTransfer.Onnx;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.FineTuning;

/// <summary>Turns a trained ResNet into the ONNX writer's neutral input: its weights and its shape.</summary>
internal static class OnnxExport
{
    /// <summary>The model's state_dict as float32 arrays on the CPU (num_batches_tracked left out: inference needs no count).</summary>
    public static WeightSnapshot Snapshot(ResNet model)
    {
        var snapshot = new WeightSnapshot();
        using var _ = no_grad();
        foreach (var (name, tensor) in model.state_dict())
        {
            if (name.EndsWith(".num_batches_tracked", System.StringComparison.Ordinal))
            {
                continue;
            }

            using var scope = NewDisposeScope();
            var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            snapshot.Add(name, tensor.shape, values);
        }

        return snapshot;
    }

    public static ResidualBlockKind BlockKind(ResNetLayout layout) =>
        layout.Block == ResNetBlockKind.Basic ? ResidualBlockKind.Basic : ResidualBlockKind.Bottleneck;
}
