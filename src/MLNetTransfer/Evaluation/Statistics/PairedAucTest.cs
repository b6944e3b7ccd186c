namespace MLNetTransfer.Evaluation;

/// <summary>DeLong's paired test of two AUCs on the same rows (<see cref="DeLong.Paired"/>).</summary>
/// <param name="AucA">The AUC of the first scores.</param>
/// <param name="AucB">The AUC of the second scores.</param>
/// <param name="Delta"><paramref name="AucA"/> − <paramref name="AucB"/>.</param>
/// <param name="Variance">DeLong's variance of <paramref name="Delta"/>, from the covariance of the two AUCs.</param>
/// <param name="Z"><paramref name="Delta"/> / √<paramref name="Variance"/>.</param>
/// <param name="PValue">Two-sided: 2·(1 − Φ(|z|)).</param>
/// <param name="Lower">Lower end of the 95% interval of <paramref name="Delta"/>, Δ − z₀.₉₇₅·√variance, clipped to [−1, 1].</param>
/// <param name="Upper">Upper end of that interval.</param>
/// <param name="Positives">Positive rows.</param>
/// <param name="Negatives">Negative rows.</param>
/// <param name="UndefinedReason">Why some of the values are NaN; null when all are defined.</param>
internal readonly record struct PairedAucTest(double AucA, double AucB, double Delta, double Variance, double Z, double PValue,
    double Lower, double Upper, int Positives, int Negatives, string? UndefinedReason);
