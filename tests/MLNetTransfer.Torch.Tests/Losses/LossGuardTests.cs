using System;
using System.Linq;
using MLNetTransfer.Torch.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Losses;

/// <summary>A NaN or infinite loss stops training with a message that says where and what to do; one read brings the loss and the logits' magnitude.</summary>
[Collection("NoParallelization")]
public sealed class LossGuardTests
{
    [Fact]
    public void A_NaN_loss_names_epoch_and_step_and_suggests_a_lower_learning_rate()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<TrainingDivergedException>(() => LossGuard.ThrowIfNotFinite(tensor(float.NaN), epoch: 3, step: 17));
        Assert.Contains("NaN at epoch 3, step 17", e.Message);
        Assert.Contains("lower it (LearningRate; --lr on the command line)", e.Message);
        Assert.Equal((DivergenceReason.NonFiniteLoss, 3, (int?)17), (e.Reason, e.Epoch, e.Step));
        Assert.IsAssignableFrom<InvalidOperationException>(e);
    }

    [Fact]
    public void An_infinite_loss_is_caught_and_a_finite_one_is_returned()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<TrainingDivergedException>(() => LossGuard.ThrowIfNotFinite(tensor(float.PositiveInfinity), epoch: 1, step: 2));
        Assert.Contains("+Infinity at epoch 1, step 2", e.Message);
        Assert.Equal(0.25, LossGuard.ThrowIfNotFinite(tensor(0.25f), 1, 1));
        Assert.Equal(0.5, LossGuard.ThrowIfNotFinite(tensor(0.5f).to_type(ScalarType.BFloat16), 1, 1));
        Assert.Throws<ArgumentException>(() => LossGuard.ThrowIfNotFinite(zeros(2), 1, 1));
    }

    [Fact]
    public void The_loss_and_the_largest_logit_magnitude_are_read_together()
    {
        using var scope = NewDisposeScope();
        float[] values = { 0.5f, -20000.5f, 3f, 7f, -1f, 12.25f };
        var (loss, maxLogit) = LossGuard.ReadWithMaxLogit(tensor(0.75f).to_type(ScalarType.BFloat16), tensor(values, new long[] { 3, 2 }));
        Assert.Equal(0.75, loss);
        Assert.Equal(values.Max(v => Math.Abs(v)), maxLogit);
        var (_, nan) = LossGuard.ReadWithMaxLogit(tensor(1f), tensor(new[] { 1f, float.NaN }));
        Assert.True(double.IsNaN(nan));
        Assert.Throws<ArgumentException>(() => LossGuard.ReadWithMaxLogit(zeros(2), zeros(2)));
    }
}
