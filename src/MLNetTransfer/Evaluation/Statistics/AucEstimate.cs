using System;

namespace MLNetTransfer.Evaluation;

/// <summary>An ROC AUC with its DeLong variance (<see cref="DeLong.Auc"/>).</summary>
/// <param name="Auc">The Mann–Whitney AUC, ties counted one half (scikit-learn's roc_auc_score); NaN when a class is absent.</param>
/// <param name="Variance">DeLong's estimate of the variance of <paramref name="Auc"/>; NaN when it is undefined.</param>
/// <param name="Positives">Positive rows.</param>
/// <param name="Negatives">Negative rows.</param>
/// <param name="UndefinedReason">Why the AUC or its variance is NaN; null when both are defined.</param>
internal readonly record struct AucEstimate(double Auc, double Variance, int Positives, int Negatives, string? UndefinedReason)
{
    /// <summary>
    /// AUC ± z·√variance with z = Φ⁻¹(0.975), clipped to [0, 1], as pROC's <c>ci.auc(method = "delong")</c>; NaN when the
    /// variance is.
    /// </summary>
    public (double Lower, double Upper) Ci95
    {
        get
        {
            double half = NormalDistribution.Z95 * Math.Sqrt(Variance);
            return double.IsNaN(half) ? (double.NaN, double.NaN) : (Math.Max(0, Auc - half), Math.Min(1, Auc + half));
        }
    }
}
