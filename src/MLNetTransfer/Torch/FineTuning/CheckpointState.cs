using System.Collections.Generic;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>The loop's state in a checkpoint (JSON).</summary>
internal sealed class CheckpointState
{
    /// <summary>Settings that must match for a resume to continue the same run.</summary>
    public string RunFingerprint { get; set; } = "";

    /// <summary>Epochs finished (1-based count).</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Optimizer steps taken.</summary>
    public long GlobalStep { get; set; }

    /// <summary>Best epoch so far (1-based; 0 = none).</summary>
    public int BestEpoch { get; set; }

    /// <summary>Its score (lower is better; AUC is stored negated).</summary>
    public double BestScore { get; set; } = double.PositiveInfinity;

    /// <summary>Epochs since the best one, for early stopping.</summary>
    public int EpochsWithoutImprovement { get; set; }

    /// <summary>Metrics of the finished epochs.</summary>
    public List<EpochMetrics> History { get; set; } = new();

    /// <summary>Early stopping ended the run at <see cref="CompletedEpochs"/>; a resume goes straight to the end.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>Seconds spent training before the checkpoint.</summary>
    public double TrainSeconds { get; set; }

    /// <summary>Training images processed before the checkpoint.</summary>
    public long ImagesSeen { get; set; }
}
