namespace MLNetTransfer;

/// <summary>
/// How a binary or per-label operating threshold is chosen from validation probabilities. A row is called positive
/// when its probability is at least the threshold (p ≥ t); the candidates are the distinct probabilities.
/// </summary>
/// <remarks>
/// On ties the rule that keeps fewer rows positive wins, i.e. the highest threshold, except for
/// <see cref="TargetSpecificity"/>, which asks for the lowest. Sensitivity is TP/(TP + FN), specificity TN/(TN + FP).
/// </remarks>
public enum ThresholdMethod
{
    /// <summary>
    /// The threshold that maximises Youden's J = sensitivity + specificity − 1 (Youden, "Index for rating diagnostic
    /// tests", Cancer 3(1), 1950); on a tie the highest such threshold.
    /// </summary>
    Youden,

    /// <summary>
    /// The highest threshold whose sensitivity is at least the target: the most specific rule that still finds that share
    /// of the positives (e.g. a screening test asked to miss at most 5%).
    /// </summary>
    TargetSensitivity,

    /// <summary>
    /// The lowest threshold whose specificity is at least the target: the most sensitive rule that still clears that share
    /// of the negatives. When even the highest probability calls too many negatives positive, that highest probability is
    /// taken and the target is reported as not reached.
    /// </summary>
    TargetSpecificity,

    /// <summary>The threshold that maximises F1 = 2·TP / (2·TP + FP + FN); on a tie the highest such threshold.</summary>
    MaxF1,

    /// <summary>The threshold given, as it is (e.g. 0.5).</summary>
    Fixed,
}
