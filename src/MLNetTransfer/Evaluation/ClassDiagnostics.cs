using System.Collections.Generic;
using MLNetTransfer.Evaluation;

namespace MLNetTransfer;

/// <summary>
/// The diagnostic accuracy of one class (one-vs-rest) or one label (<see cref="DiagnosticMetrics.PerClass"/>): its ROC
/// AUC with DeLong's 95% interval, and the 2×2 confusion at the model's decision with sensitivity, specificity and the
/// predictive values, each with its 95% Wilson interval.
/// </summary>
/// <remarks>
/// <para>
/// The decision: binary, the positive (second) class when its probability is at least the threshold; multiclass, the
/// class with the largest probability (the first on a tie), each class then counted against the rest; multi-label, the
/// label when its probability is at least that label's threshold, over the rows whose target of that label is known.
/// </para>
/// <para>
/// Sensitivity = TP/(TP + FN), specificity = TN/(TN + FP), positive predictive value = TP/(TP + FP), negative
/// predictive value = TN/(TN + FN), F1 = 2TP/(2TP + FP + FN). A rate whose denominator is 0 is NaN, as is its interval,
/// and <see cref="UndefinedReason"/> names it. The rates are those of this data set: the predictive values depend on
/// its prevalence.
/// </para>
/// <para>
/// The AUC is the Mann–Whitney statistic with ties counted one half (scikit-learn's roc_auc_score); its interval is
/// AUC ± 1.96·√Var with DeLong's variance (DeLong, DeLong and Clarke-Pearson, Biometrics 44(3), 1988; computed by Sun
/// and Xu's algorithm, IEEE Signal Processing Letters 21(11), 2014), clipped to [0, 1] as pROC's <c>ci.auc</c>. The
/// rate intervals are Wilson's score intervals (Wilson, JASA 22(158), 1927), which stay inside [0, 1] and keep their
/// coverage near 0 and 1 and for small counts, where the normal (Wald) interval does not.
/// </para>
/// </remarks>
public sealed class ClassDiagnostics
{
    internal ClassDiagnostics(string className, AucEstimate auc, float threshold, int truePositives, int falsePositives, int trueNegatives,
        int falseNegatives)
    {
        ClassName = className;
        Positives = auc.Positives;
        Negatives = auc.Negatives;
        Auc = auc.Auc;
        AucCi95 = new ConfidenceInterval(auc.Ci95);
        Threshold = threshold;
        TruePositives = truePositives;
        FalsePositives = falsePositives;
        TrueNegatives = trueNegatives;
        FalseNegatives = falseNegatives;
        (Sensitivity, SensitivityCi95) = Rate(truePositives, truePositives + falseNegatives);
        (Specificity, SpecificityCi95) = Rate(trueNegatives, trueNegatives + falsePositives);
        (PositivePredictiveValue, PositivePredictiveValueCi95) = Rate(truePositives, truePositives + falsePositives);
        (NegativePredictiveValue, NegativePredictiveValueCi95) = Rate(trueNegatives, trueNegatives + falseNegatives);
        int f1Denominator = 2 * truePositives + falsePositives + falseNegatives;
        F1 = f1Denominator == 0 ? double.NaN : 2.0 * truePositives / f1Denominator;
        UndefinedReason = Reason(auc.UndefinedReason);
    }

    /// <summary>The class or label name.</summary>
    public string ClassName { get; }

    /// <summary>Rows of this class (multi-label: rows whose target of this label is 1).</summary>
    public int Positives { get; }

    /// <summary>Rows of the other classes (multi-label: rows whose target of this label is 0).</summary>
    public int Negatives { get; }

    /// <summary>ROC AUC of this class's probability; NaN when <see cref="Positives"/> or <see cref="Negatives"/> is 0.</summary>
    public double Auc { get; }

    /// <summary>DeLong's 95% interval of <see cref="Auc"/>; NaN, NaN when the AUC is undefined or a class has a single row.</summary>
    public ConfidenceInterval AucCi95 { get; }

    /// <summary>
    /// The threshold on this class's probability that decides it (p ≥ threshold); NaN where the decision is not a
    /// threshold on its own probability: multiclass (the argmax decides) and the negative class of a binary model (the
    /// positive class's threshold decides).
    /// </summary>
    public float Threshold { get; }

    /// <summary>Rows of this class decided as this class.</summary>
    public int TruePositives { get; }

    /// <summary>Rows of other classes decided as this class.</summary>
    public int FalsePositives { get; }

    /// <summary>Rows of other classes decided as something else.</summary>
    public int TrueNegatives { get; }

    /// <summary>Rows of this class decided as something else.</summary>
    public int FalseNegatives { get; }

    /// <summary>TP/(TP + FN): the share of this class's rows found (recall).</summary>
    public double Sensitivity { get; }

    /// <summary>Wilson 95% interval of <see cref="Sensitivity"/>.</summary>
    public ConfidenceInterval SensitivityCi95 { get; }

    /// <summary>TN/(TN + FP): the share of the other rows left alone.</summary>
    public double Specificity { get; }

    /// <summary>Wilson 95% interval of <see cref="Specificity"/>.</summary>
    public ConfidenceInterval SpecificityCi95 { get; }

    /// <summary>TP/(TP + FP): the share of this class's decisions that are right (precision).</summary>
    public double PositivePredictiveValue { get; }

    /// <summary>Wilson 95% interval of <see cref="PositivePredictiveValue"/>.</summary>
    public ConfidenceInterval PositivePredictiveValueCi95 { get; }

    /// <summary>TN/(TN + FN): the share of the decisions against this class that are right.</summary>
    public double NegativePredictiveValue { get; }

    /// <summary>Wilson 95% interval of <see cref="NegativePredictiveValue"/>.</summary>
    public ConfidenceInterval NegativePredictiveValueCi95 { get; }

    /// <summary>2TP/(2TP + FP + FN); NaN when this class neither occurs nor is decided.</summary>
    public double F1 { get; }

    /// <summary>Why the AUC, its interval or a rate is NaN (e.g. "no positive rows: the AUC is undefined"); null when all are defined.</summary>
    public string? UndefinedReason { get; }

    private static (double, ConfidenceInterval) Rate(int successes, int trials) =>
        (trials == 0 ? double.NaN : successes / (double)trials, new ConfidenceInterval(Wilson.Interval95(successes, trials)));

    private string? Reason(string? aucReason)
    {
        var parts = new List<string>();
        if (aucReason is not null)
        {
            parts.Add(aucReason);
        }

        var rates = new List<string>();
        if (TruePositives + FalseNegatives == 0)
        {
            rates.Add("sensitivity (no rows of this class)");
        }

        if (TrueNegatives + FalsePositives == 0)
        {
            rates.Add("specificity (no rows of other classes)");
        }

        if (TruePositives + FalsePositives == 0)
        {
            rates.Add("positive predictive value (nothing decided as this class)");
        }

        if (TrueNegatives + FalseNegatives == 0)
        {
            rates.Add("negative predictive value (everything decided as this class)");
        }

        if (double.IsNaN(F1))
        {
            rates.Add("F1 (this class neither occurs nor is decided)");
        }

        if (rates.Count > 0)
        {
            parts.Add("undefined: " + string.Join(", ", rates));
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }
}
