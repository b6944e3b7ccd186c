using System;
using MLNetTransfer.Torch.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests;

/// <summary>
/// ResNet's forward releases each stage's output as soon as the next exists (peak memory); forward hooks on the public
/// stages must still work, such as one that keeps an activation (Grad-CAM style) by moving it out of the forward's
/// dispose scope. (Before the forward checked what it still owned, that tensor was disposed under the hook.)
/// </summary>
[Collection("NoParallelization")]
public sealed class ForwardHookTests
{
    [Fact]
    public void A_hook_that_keeps_the_output_tensor_itself_still_reads_it()
    {
        using var model = new ResNet(ResNetLayout.ResNet18, numClasses: 2, inChannels: 1);
        model.eval();
        Tensor? kept = null;
        var handle = model.Stages[3].register_forward_hook((_, _, output) =>
        {
            kept = output.DetachFromDisposeScope();
            return output;
        });
        using (var scope = NewDisposeScope())
        {
            model.call(randn(2, 1, 64, 64));
        }

        Assert.Equal(new long[] { 2, 512, 2, 2 }, kept!.shape);
        Assert.True(float.IsFinite(kept.abs().sum().item<float>()));
        kept.Dispose();
    }
}
