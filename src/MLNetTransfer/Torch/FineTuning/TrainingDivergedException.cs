using System;

namespace MLNetTransfer;

/// <summary>
/// Training stopped because it diverged: a training loss that is NaN or infinite, a logit of magnitude above
/// <see cref="MaxLogitMagnitude"/>, or an epoch's mean training loss above <see cref="MaxLossRise"/> times the first
/// epoch's. The message names the epoch (and the step, for the checks made at every step) and says to lower the
/// learning rate; when a checkpoint directory is set, the checkpoint of the last good epoch stays there, since the
/// check runs before the diverged epoch's checkpoint would be written.
/// </summary>
/// <remarks>
/// A loss that only grows, or logits that reach thousands, do not become NaN for many more steps in float32; by then
/// the best checkpoint may already be overwritten by a worthless one, and a run with a learning rate 10^6 times too
/// high would end with "success". The thresholds are far from anything a converging run shows: a mean cross-entropy
/// ten times the first epoch's (which starts near ln(classes) for a new head and only falls while training works), and
/// logits of 10^4, where a softmax is exactly 0 and 1 in float32 (1 - e^-18 already rounds to 1).
/// </remarks>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>The largest logit magnitude a training step accepts.</summary>
    public const double MaxLogitMagnitude = 1e4;

    /// <summary>The largest ratio of an epoch's mean training loss to the first epoch's accepted.</summary>
    public const double MaxLossRise = 10;

    internal TrainingDivergedException(string message, DivergenceReason reason, int epoch, int? step)
        : base(message)
    {
        Reason = reason;
        Epoch = epoch;
        Step = step;
    }

    /// <summary>What showed the divergence.</summary>
    public DivergenceReason Reason { get; }

    /// <summary>The epoch in which training diverged (1-based).</summary>
    public int Epoch { get; }

    /// <summary>The step within <see cref="Epoch"/> (1-based) for the checks of every step; null for the check of the epoch's mean loss.</summary>
    public int? Step { get; }
}
