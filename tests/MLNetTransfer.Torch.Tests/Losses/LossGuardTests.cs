using System;
using MLNetTransfer.Torch.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Losses;

/// <summary>A NaN or infinite loss stops training with a message that says where and what to do.</summary>
[Collection("NoParallelization")]
public sealed class LossGuardTests
{
    [Fact]
    public void A_NaN_loss_names_epoch_and_step_and_suggests_a_lower_learning_rate()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<InvalidOperationException>(() => LossGuard.ThrowIfNotFinite(tensor(float.NaN), epoch: 3, step: 17));
        Assert.Contains("NaN at epoch 3, step 17", e.Message);
        Assert.Contains("lower it", e.Message);
        Assert.Contains("learning rate", e.Message);
    }

    [Fact]
    public void An_infinite_loss_is_caught_and_a_finite_one_is_returned()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<InvalidOperationException>(() => LossGuard.ThrowIfNotFinite(tensor(float.PositiveInfinity), epoch: 1, step: 2));
        Assert.Contains("+Infinity at epoch 1, step 2", e.Message);
        Assert.Equal(0.25, LossGuard.ThrowIfNotFinite(tensor(0.25f), 1, 1));
        Assert.Equal(0.5, LossGuard.ThrowIfNotFinite(tensor(0.5f).to_type(ScalarType.BFloat16), 1, 1));
        Assert.Throws<ArgumentException>(() => LossGuard.ThrowIfNotFinite(zeros(2), 1, 1));
    }
}
