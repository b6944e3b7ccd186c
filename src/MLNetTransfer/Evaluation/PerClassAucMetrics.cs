using System.Collections.Generic;

namespace MLNetTransfer;

/// <summary>
/// ROC AUC per class (one-vs-rest) or per label, with the macro average over the classes where it is defined, and the
/// ROC curve behind each AUC.
/// </summary>
public sealed class PerClassAucMetrics
{
    internal PerClassAucMetrics(IReadOnlyList<string> classNames, IReadOnlyList<double> perClassAuc, double macroAuc, int undefinedCount, IReadOnlyList<int> positives, int rows,
        IReadOnlyList<RocCurve?> rocCurves)
    {
        RocCurves = rocCurves;
        ClassNames = classNames;
        PerClassAuc = perClassAuc;
        MacroAuc = macroAuc;
        UndefinedCount = undefinedCount;
        Positives = positives;
        Rows = rows;
    }

    /// <summary>Class or label names, in score order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>AUC of each class against the rest (or of each label); NaN where the data hold one value only (docs/pitfalls.md, "AUC is undefined when a class is absent").</summary>
    public IReadOnlyList<double> PerClassAuc { get; }

    /// <summary>Mean of the defined per-class AUCs; NaN when none is defined.</summary>
    public double MacroAuc { get; }

    /// <summary>Classes or labels whose AUC is undefined.</summary>
    public int UndefinedCount { get; }

    /// <summary>Positive examples per class or label (for multi-label: known positive targets).</summary>
    public IReadOnlyList<int> Positives { get; }

    /// <summary>Rows evaluated.</summary>
    public int Rows { get; }

    /// <summary>
    /// The ROC curve of each class against the rest (or of each label over its known targets), in score order, drawn in
    /// the same pass that computed <see cref="PerClassAuc"/>; null where that AUC is undefined.
    /// </summary>
    public IReadOnlyList<RocCurve?> RocCurves { get; }
}
