using System.Collections.Generic;

namespace MLNetTransfer;

/// <summary>
/// The numbers a diagnostic-accuracy report needs, with their uncertainty
/// (<see cref="EvaluationCatalog.EvaluateDiagnostics"/>): per class or label the AUC, the confusion at the model's
/// decision and its rates with 95% intervals; the calibration of the probabilities (expected calibration error, a
/// reliability diagram, log loss); and, on request, bootstrap intervals of the summary metrics.
/// </summary>
/// <remarks>
/// <para>
/// The decision is the one <see cref="ClassDiagnostics"/> describes: a threshold on the positive class (binary) or on
/// each label (multi-label), the argmax for multiclass.
/// </para>
/// <para>
/// Calibration is measured on the probabilities in the score column, i.e. after any temperature scaling the model
/// applies. Single-label models (binary included): the top-label expected calibration error of Guo, Pleiss, Sun and
/// Weinberger, "On Calibration of Modern Neural Networks", ICML 2017 (15 equal-width bins of the largest probability
/// against whether its class is the label). Multi-label models: each label's probability binned against its known
/// targets, averaged over the labels that have any.
/// </para>
/// </remarks>
public sealed class DiagnosticMetrics
{
    internal DiagnosticMetrics(int rows, IReadOnlyList<ClassDiagnostics> perClass, double accuracy, double auc, double f1,
        double expectedCalibrationError, double expectedCalibrationErrorUncalibrated, double logLoss, IReadOnlyList<ReliabilityBin> reliabilityBins,
        IReadOnlyDictionary<string, ConfidenceInterval> bootstrap, int bootstrapSamples)
    {
        Rows = rows;
        PerClass = perClass;
        Accuracy = accuracy;
        Auc = auc;
        F1 = f1;
        ExpectedCalibrationError = expectedCalibrationError;
        ExpectedCalibrationErrorUncalibrated = expectedCalibrationErrorUncalibrated;
        LogLoss = logLoss;
        ReliabilityBins = reliabilityBins;
        Bootstrap = bootstrap;
        BootstrapSamples = bootstrapSamples;
    }

    /// <summary>Rows evaluated.</summary>
    public int Rows { get; }

    /// <summary>One entry per class (single-label, in key order; both classes of a binary model) or per label (multi-label).</summary>
    public IReadOnlyList<ClassDiagnostics> PerClass { get; }

    /// <summary>
    /// The share of decisions that are right: single-label, rows whose decided class is the label; multi-label, the mean
    /// over labels with a known target of the share of known targets decided right.
    /// </summary>
    public double Accuracy { get; }

    /// <summary>
    /// Binary: the positive class's AUC. Multiclass and multi-label: the mean of the defined per-class (one-vs-rest) or
    /// per-label AUCs; NaN when none is defined.
    /// </summary>
    public double Auc { get; }

    /// <summary>Binary: the positive class's F1. Multiclass and multi-label: the mean of the defined per-class or per-label F1s.</summary>
    public double F1 { get; }

    /// <summary>
    /// The expected calibration error of the probabilities in the score column, 15 equal-width bins (see the remarks);
    /// 0 is perfectly calibrated.
    /// </summary>
    public double ExpectedCalibrationError { get; }

    /// <summary>
    /// The same error for the probabilities before the model's temperature scaling, recovered from the scored ones with
    /// the temperatures given to <see cref="EvaluationCatalog.EvaluateDiagnostics"/> (single-label softmax(T·log p),
    /// multi-label sigmoid(T·logit p)); NaN when none were given.
    /// </summary>
    public double ExpectedCalibrationErrorUncalibrated { get; }

    /// <summary>
    /// Mean negative log-likelihood of the labels in nats (natural log), as scikit-learn's log_loss: probabilities clipped
    /// to [1e-15, 1 − 1e-15] and each row (each label's pair p, 1 − p for multi-label) divided by its sum. Multi-label: the
    /// mean over labels with a known target of each label's log loss over its known targets.
    /// </summary>
    public double LogLoss { get; }

    /// <summary>The 15 bins of the reliability diagram behind <see cref="ExpectedCalibrationError"/>, lowest first (multi-label: every known target pooled).</summary>
    public IReadOnlyList<ReliabilityBin> ReliabilityBins { get; }

    /// <summary>
    /// Percentile bootstrap 95% intervals (Efron and Tibshirani, "An Introduction to the Bootstrap", 1993, chapter 13),
    /// empty unless bootstrap samples were asked for. Keys: "accuracy" (<see cref="Accuracy"/>), "auc" (<see cref="Auc"/>),
    /// "f1" (<see cref="F1"/>) for every task, and "sensitivity" and "specificity" for binary (the positive class's) and
    /// multi-label (the mean over labels) models.
    /// </summary>
    /// <remarks>
    /// Single-label rows are resampled within each class (every resample keeps the class counts); multi-label rows are
    /// resampled whole. A resample on which a metric is undefined is left out of that metric's interval. The draws come
    /// from System.Random(seed), so a seed gives the same intervals on every run.
    /// </remarks>
    public IReadOnlyDictionary<string, ConfidenceInterval> Bootstrap { get; }

    /// <summary>The bootstrap resamples drawn; 0 when <see cref="Bootstrap"/> is empty.</summary>
    public int BootstrapSamples { get; }
}
