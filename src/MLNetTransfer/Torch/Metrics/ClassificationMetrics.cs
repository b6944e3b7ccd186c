using System.Collections.Generic;

namespace MLNetTransfer.Torch.Metrics;

/// <summary>Validation metrics of one pass over a labelled set (<see cref="MetricsCalculator"/>).</summary>
/// <param name="Auc">
/// ROC AUC. <see cref="TaskKind.Binary"/>: of the positive class (index 1). <see cref="TaskKind.Multiclass"/>: the macro
/// one-vs-rest average over the classes with a defined AUC. <see cref="TaskKind.MultiLabel"/>: the mean over the labels
/// with a defined AUC. NaN when no class or label has one.
/// </param>
/// <param name="PerClassAuc">
/// Binary: one entry, the positive class. Multiclass: one per class (one-vs-rest). Multi-label: one per label. NaN where
/// the validation set holds one class only for that entry.
/// </param>
/// <param name="UndefinedAucCount">How many entries of <paramref name="PerClassAuc"/> are NaN.</param>
/// <param name="Accuracy">
/// Single-label: the fraction whose argmax is the label. Multi-label: the mean over labels of each label's accuracy
/// at 0.5 over its known targets. NaN when there is nothing to count.
/// </param>
internal sealed record ClassificationMetrics(double Auc, IReadOnlyList<double> PerClassAuc, int UndefinedAucCount, double Accuracy);
