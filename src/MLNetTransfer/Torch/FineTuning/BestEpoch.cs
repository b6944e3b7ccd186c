using System;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// Which epoch is the best so far and when a run stops early. The chosen metric becomes a score where lower is better
/// (AUC negated); an epoch is the new best when its score beats the best by more than the minimum delta, and early
/// stopping counts the epochs since. The counts live in <see cref="CheckpointState"/>, so a resumed run continues them.
/// </summary>
internal static class BestEpoch
{
    /// <summary>The epoch's score, lower is better: the validation loss, or the negated validation AUC. NaN without validation.</summary>
    public static double Score(BestModelMetric metric, double validationLoss, ClassificationMetrics? metrics) =>
        metric == BestModelMetric.ValidationAuc ? -(metrics?.Auc ?? double.NaN) : validationLoss;

    /// <summary>Refuses an AUC metric the validation set cannot give.</summary>
    /// <exception cref="InvalidOperationException">The metric is AUC and the validation AUC is undefined.</exception>
    public static void RequireDefined(BestModelMetric metric, ClassificationMetrics metrics)
    {
        if (metric == BestModelMetric.ValidationAuc && double.IsNaN(metrics.Auc))
        {
            throw new InvalidOperationException(
                $"BestModelMetric is ValidationAuc, but the validation AUC is undefined ({metrics.UndefinedAucCount} class(es) or label(s) have one value only in the validation set). Use BestModelMetric.ValidationLoss or a validation set with every class.");
        }
    }

    /// <summary>Records <paramref name="epoch"/>'s score; true when it is the new best. A NaN score never is.</summary>
    public static bool Record(CheckpointState state, int epoch, double score, double minDelta)
    {
        if (!double.IsNaN(score) && score < state.BestScore - minDelta)
        {
            state.BestScore = score;
            state.BestEpoch = epoch;
            state.EpochsWithoutImprovement = 0;
            return true;
        }

        state.EpochsWithoutImprovement++;
        return false;
    }

    /// <summary>
    /// Whether the run ends after <paramref name="epoch"/>: it has validation data, a patience, that many epochs
    /// without a new best, and epochs left.
    /// </summary>
    public static bool StopsEarly(CheckpointState state, int epoch, int? patience, int epochs, bool hasValidation) =>
        patience is { } p && hasValidation && state.EpochsWithoutImprovement >= p && epoch < epochs;
}
