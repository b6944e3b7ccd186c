namespace MLNetTransfer;

/// <summary>What showed that training diverged (<see cref="TrainingDivergedException.Reason"/>).</summary>
public enum DivergenceReason
{
    /// <summary>A step's training loss was NaN or infinite.</summary>
    NonFiniteLoss,

    /// <summary>A step's logits reached a magnitude above 10^4 (<see cref="TrainingDivergedException.MaxLogitMagnitude"/>).</summary>
    LogitMagnitude,

    /// <summary>An epoch's mean training loss rose above 10 times the first epoch's (<see cref="TrainingDivergedException.MaxLossRise"/>).</summary>
    LossRise,
}
