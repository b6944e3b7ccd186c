using System;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// Linear warmup from 0 to the peak rate over the first steps, then cosine annealing towards <c>minRatio</c> × peak,
/// reached one step after the last (Goyal et al. 2017 warmup; Loshchilov and Hutter 2017 SGDR without restarts; timm's
/// CosineLRScheduler with warmup, PyTorch's CosineAnnealingLR). A pure function of the global step, so a resumed run continues the same curve.
/// </summary>
internal sealed class LearningRateSchedule
{
    private readonly long _warmupSteps;
    private readonly long _totalSteps;
    private readonly double _minRatio;

    public LearningRateSchedule(long totalSteps, long warmupSteps, double minRatio = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        _totalSteps = totalSteps;
        _warmupSteps = Math.Min(warmupSteps, totalSteps - 1);
        _minRatio = minRatio;
    }

    /// <summary>The multiplier of every group's peak rate at <paramref name="step"/> (0-based).</summary>
    public double Factor(long step)
    {
        if (step < _warmupSteps)
        {
            return (step + 1) / (double)(_warmupSteps + 1);
        }

        // As PyTorch's CosineAnnealingLR with T_max = the cosine steps: the last step still has a (small) rate, so
        // the last step, which with one step per epoch is the whole last epoch, is not wasted.
        long span = Math.Max(1, _totalSteps - _warmupSteps);
        double progress = Math.Clamp((step - _warmupSteps) / (double)span, 0, 1);
        return _minRatio + (1 - _minRatio) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
