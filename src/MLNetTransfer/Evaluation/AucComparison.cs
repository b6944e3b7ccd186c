namespace MLNetTransfer;

/// <summary>
/// DeLong's paired comparison of the ROC AUCs of two models' scores on the same rows
/// (<see cref="EvaluationCatalog.CompareAuc"/>).
/// </summary>
/// <remarks>
/// <para>
/// DeLong, DeLong and Clarke-Pearson, "Comparing the areas under two or more correlated receiver operating
/// characteristic curves: a nonparametric approach", Biometrics 44(3), 1988, computed by the O(n log n) algorithm of
/// Sun and Xu, IEEE Signal Processing Letters 21(11), 2014. The two AUCs are correlated because they are measured on
/// the same rows; the test accounts for that, which comparing two separate intervals does not.
/// </para>
/// <para>
/// Values that cannot be computed are NaN and <see cref="UndefinedReason"/> says why: a class absent from the rows, a
/// class with a single row (DeLong's variance divides by its count − 1), or a variance of the difference of 0 (e.g. two
/// identical scores).
/// </para>
/// </remarks>
public sealed class AucComparison
{
    internal AucComparison(double aucA, double aucB, double deltaAuc, ConfidenceInterval deltaAucCi95, double zScore, double pValue, int rows,
        int positives, int negatives, string? undefinedReason)
    {
        AucA = aucA;
        AucB = aucB;
        DeltaAuc = deltaAuc;
        DeltaAucCi95 = deltaAucCi95;
        ZScore = zScore;
        PValue = pValue;
        Rows = rows;
        Positives = positives;
        Negatives = negatives;
        UndefinedReason = undefinedReason;
    }

    /// <summary>The AUC of the first score column (ties count one half, as scikit-learn's roc_auc_score).</summary>
    public double AucA { get; }

    /// <summary>The AUC of the second score column.</summary>
    public double AucB { get; }

    /// <summary><see cref="AucA"/> − <see cref="AucB"/>.</summary>
    public double DeltaAuc { get; }

    /// <summary>The 95% interval of <see cref="DeltaAuc"/>: Δ ± 1.96·√Var(Δ) (DeLong's variance), clipped to [−1, 1].</summary>
    public ConfidenceInterval DeltaAucCi95 { get; }

    /// <summary>Δ / √Var(Δ).</summary>
    public double ZScore { get; }

    /// <summary>The two-sided p-value of "the two AUCs are equal": 2·(1 − Φ(|z|)).</summary>
    public double PValue { get; }

    /// <summary>Rows compared (for a multi-label label: the rows whose target of that label is known).</summary>
    public int Rows { get; }

    /// <summary>Positive rows among them.</summary>
    public int Positives { get; }

    /// <summary>Negative rows among them.</summary>
    public int Negatives { get; }

    /// <summary>Why some values are NaN; null when all are defined.</summary>
    public string? UndefinedReason { get; }
}
