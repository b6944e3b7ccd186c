using System.Collections.Generic;
using MLNetTransfer.Cli.Report;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// The metrics of a model on one labelled split, as ML.NET's evaluators and the library's (<c>EvaluationCatalog</c>)
/// computed them; the command line formats and plots them, it computes none.
/// </summary>
/// <param name="Task">Binary, multiclass or multi-label.</param>
/// <param name="Rows">Images evaluated.</param>
/// <param name="Auc">ROC AUC: binary, of the positive (second) class; multiclass, the macro one-vs-rest mean; multi-label, the macro mean over labels with both values.</param>
/// <param name="Accuracy">Binary and multiclass: ML.NET's (micro) accuracy; multi-label: the mean over labels of each label's accuracy on its known targets at probability &gt; 0.5 (<c>EvaluateMultiLabelConfusion</c>).</param>
/// <param name="ClassNames">Classes or labels, in the model's order.</param>
/// <param name="PerClassAuc">One-vs-rest AUC per class, or per label; NaN where a class has only one value here.</param>
/// <param name="UndefinedAucCount">Classes or labels whose AUC is undefined.</param>
/// <param name="Extra">Further named metrics (binary: f1, precision, recall; multiclass: macro_accuracy).</param>
/// <param name="RocCurves">The library's ROC curve per class or label, whose area is <paramref name="PerClassAuc"/>; null where undefined.</param>
/// <param name="Confusion">The evaluator's confusion counts at the model's decision.</param>
internal sealed record EvaluationMetrics(
    TaskKind Task,
    int Rows,
    double Auc,
    double Accuracy,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<double> PerClassAuc,
    int UndefinedAucCount,
    IReadOnlyList<KeyValuePair<string, double>> Extra,
    IReadOnlyList<RocCurve?> RocCurves,
    ConfusionTable Confusion)
{
    /// <summary>
    /// The library's diagnostics at the model's stored thresholds: AUC with its DeLong interval, sensitivity, specificity,
    /// PPV and NPV with Wilson intervals per class or label, the calibration error before and after the model's
    /// temperature, the reliability bins, the log-loss in nats and, when asked, bootstrap intervals.
    /// </summary>
    public required DiagnosticMetrics Diagnostics { get; init; }

    /// <summary>The calibration stored in the model, or null for an older model.</summary>
    public CalibrationResult? Calibration { get; init; }
}
