using System.Collections.Generic;

namespace MLNetTransfer;

/// <summary>
/// The ROC curve of one class (one-vs-rest) or one label: the points of scikit-learn's
/// <c>roc_curve(y, s, drop_intermediate=False)</c> and the trapezoid area under them (<c>sklearn.metrics.auc</c>).
/// </summary>
/// <remarks>
/// <para>
/// Built in the same pass over the sorted scores as the AUC of <see cref="PerClassAucMetrics.PerClassAuc"/>
/// (src/MLNetTransfer/Torch/Metrics/RocAuc.cs), so the curve drawn is the curve whose area is reported:
/// <see cref="AreaUnderCurve"/> equals that AUC up to the rounding of the trapezoid sum.
/// </para>
/// <para>
/// As in scikit-learn's <c>_binary_clf_curve</c>: the scores are walked from the highest down, every distinct score is
/// one threshold (tied scores make one point, so ties give diagonal segments, whose area counts a tied
/// positive/negative pair one half, as the Mann–Whitney AUC does), and a leading (0, 0) point is added. Scores are
/// compared with <c>==</c>, so -0 and +0 are one threshold, as numpy's <c>diff != 0</c> makes them.
/// </para>
/// <para>
/// The threshold of the leading point is +∞ (scikit-learn 1.3 onwards; 1.2 wrote <c>max(score) + 1</c>, which for
/// probabilities looked like a probability above 1); the others are the scores themselves.
/// </para>
/// </remarks>
public sealed class RocCurve
{
    internal RocCurve(double[] falsePositiveRates, double[] truePositiveRates, float[] thresholds, double areaUnderCurve, int positives, int negatives)
    {
        FalsePositiveRates = falsePositiveRates;
        TruePositiveRates = truePositiveRates;
        Thresholds = thresholds;
        AreaUnderCurve = areaUnderCurve;
        Positives = positives;
        Negatives = negatives;
    }

    /// <summary>The false positive rate (1 − specificity) of each point, from 0 up to 1.</summary>
    public IReadOnlyList<double> FalsePositiveRates { get; }

    /// <summary>The true positive rate (sensitivity) of each point, from 0 up to 1.</summary>
    public IReadOnlyList<double> TruePositiveRates { get; }

    /// <summary>Each point's threshold: a score at or above it counts as positive. The first is +∞.</summary>
    public IReadOnlyList<float> Thresholds { get; }

    /// <summary>The trapezoid area under the points.</summary>
    public double AreaUnderCurve { get; }

    /// <summary>The number of positive examples the curve was drawn from.</summary>
    public int Positives { get; }

    /// <summary>The number of negative examples the curve was drawn from.</summary>
    public int Negatives { get; }
}
