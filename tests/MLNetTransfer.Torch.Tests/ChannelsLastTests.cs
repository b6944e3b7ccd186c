using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests;

/// <summary>
/// On the CPU, ResNet's activations of a batch are channels-last from the stem on (speed), a single image's NCHW (faster
/// there), while its weights stay contiguous NCHW
/// after backward and AdamW: everything that reads weights as flat arrays (ONNX export, checkpoints, the state_dict)
/// relies on that. The PyTorch-reference tests check the values.
/// </summary>
[Collection("NoParallelization")]
public sealed class ChannelsLastTests
{
    [Fact]
    public void Activations_of_a_batch_are_channels_last_from_the_stem_on()
    {
        var strides = StageOutputStrides(batch: 2);
        long[] channels = { 64, 128, 256, 512 };
        for (int i = 0; i < 4; i++)
        {
            // [N, C, H, W] stored as N, H, W, C: the channel is the innermost dimension.
            Assert.Equal(1, strides[i][1]);
            Assert.Equal(channels[i], strides[i][3]);
        }
    }

    [Fact]
    public void A_single_image_stays_nchw()
    {
        var strides = StageOutputStrides(batch: 1);
        long[] widths = { 16, 8, 4, 2 }; // 64 px input: stem and max-pool /4, then /2 per stage from layer2
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(1, strides[i][3]); // the width is the innermost dimension
            Assert.Equal(widths[i], strides[i][2]);
        }
    }

    [Fact]
    public void Weights_stay_contiguous_through_a_training_step()
    {
        using var model = new ResNet(ResNetLayout.ResNet18, numClasses: 2, inChannels: 1);
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
        using (var scope = NewDisposeScope())
        {
            var loss = nn.functional.cross_entropy(model.call(rand(4, 1, 64, 64)), tensor(new long[] { 0, 1, 0, 1 }));
            loss.backward();
            optimizer.step();
            Assert.All(model.named_parameters(), p => Assert.True(p.parameter.is_contiguous(), $"{p.name} is not contiguous after the step"));
        }
    }

    private static List<long[]> StageOutputStrides(int batch)
    {
        using var model = new ResNet(ResNetLayout.ResNet18, numClasses: 2, inChannels: 1);
        model.eval();
        var strides = new List<long[]>();
        var handles = model.Stages.Select(stage => stage.register_forward_hook((_, _, output) =>
        {
            strides.Add(output.stride());
            return output;
        })).ToList();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            model.call(rand(batch, 1, 64, 64));
        }

        handles.ForEach(h => h.remove());
        Assert.Equal(4, strides.Count);
        return strides;
    }
}
