using MLNetTransfer.Torch.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.Losses;

/// <summary>The losses dispose their intermediates and hand back only the loss, in the caller's scope.</summary>
[Collection("NoParallelization")]
public sealed class LossScopeTests
{
    [Fact]
    public void Computing_the_losses_ten_times_leaves_no_live_tensors()
    {
        var single = new SingleLabelLoss(4, [1f, 2f, 0.5f, 1.5f], labelSmoothing: 0.1);
        var multi = new MultiLabelLoss(5, [2f, 1f, 1f, 3f, 0.5f], UncertaintyPolicy.Ones);
        var stats = DisposeScopeManager.Statistics;
        stats.Reset();
        for (int i = 0; i < 10; i++)
        {
            using var scope = NewDisposeScope();
            Tensor logits = randn(8, 4).requires_grad_();
            Tensor targets = randint(0, 4, [8]);
            Tensor multiLogits = randn(8, 5).requires_grad_();
            Tensor multiTargets = randint(-1, 2, [8, 5]).to_type(ScalarType.Float32);
            Tensor total = single.Compute(logits, targets) + multi.Compute(multiLogits, multiTargets);
            total.backward();
            Assert.True(LossGuard.ThrowIfNotFinite(total, 1, i + 1) > 0);
        }

        Assert.Equal(0, stats.ThreadTotalLiveCount);
    }

    [Fact]
    public void Compute_adds_exactly_one_live_tensor_the_loss()
    {
        var single = new SingleLabelLoss(3, [1f, 2f, 0.5f], labelSmoothing: 0.2);
        var multi = new MultiLabelLoss(3, [2f, 1f, 1f]);
        using var scope = NewDisposeScope();
        Tensor logits = randn(6, 3);
        Tensor targets = randint(0, 3, [6]).to_type(ScalarType.Int32); // converted inside: one more intermediate
        Tensor multiTargets = randint(-1, 2, [6, 3]).to_type(ScalarType.Float32);
        var stats = DisposeScopeManager.Statistics;

        long before = stats.ThreadTotalLiveCount;
        using Tensor a = single.Compute(logits, targets);
        Assert.Equal(before + 1, stats.ThreadTotalLiveCount);
        using Tensor b = multi.Compute(logits, multiTargets);
        Assert.Equal(before + 2, stats.ThreadTotalLiveCount);
    }
}
