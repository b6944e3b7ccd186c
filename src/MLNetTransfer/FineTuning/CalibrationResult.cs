using System.Collections.Generic;

namespace MLNetTransfer;

/// <summary>
/// What was fitted on the validation set after the best epoch was restored, and is stored in the model (its graph and
/// its metadata): the temperature that calibrates the probabilities, the operating threshold and how it was chosen,
/// and the validation figures before and after calibration. Read it from
/// <see cref="ResNetFineTuneTransformer.Calibration"/> after training, or from a saved model.zip with
/// <see cref="ModelFileCatalog.LoadCalibration"/>.
/// </summary>
/// <remarks>
/// Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017): the logits are divided by T
/// before the softmax (one T) or each label's sigmoid (one T per label), T minimising the validation log-loss. It leaves
/// the ranking, so the AUC, unchanged. The threshold is chosen on the calibrated validation probabilities, never on test
/// data, and <c>PredictedLabel</c> is the positive class exactly when p ≥ threshold.
/// </remarks>
public sealed class CalibrationResult
{
    internal CalibrationResult(IReadOnlyList<double> temperatures, IReadOnlyList<double> thresholds, ThresholdMethod thresholdMethod, double thresholdTarget,
        string? thresholdNote, bool testTimeFlip, double validationLoss, double validationLossUncalibrated, double validationEce, double validationEceUncalibrated)
    {
        Temperatures = temperatures;
        Thresholds = thresholds;
        ThresholdMethod = thresholdMethod;
        ThresholdTarget = thresholdTarget;
        ThresholdNote = thresholdNote;
        TestTimeFlip = testTimeFlip;
        ValidationLoss = validationLoss;
        ValidationLossUncalibrated = validationLossUncalibrated;
        ValidationEce = validationEce;
        ValidationEceUncalibrated = validationEceUncalibrated;
    }

    /// <summary>The fitted temperature: one value (single-label) or one per label (multi-label); 1 when calibration is off or there was no validation data.</summary>
    public IReadOnlyList<double> Temperatures { get; }

    /// <summary>The operating threshold on the calibrated probability: one value (binary, on the positive class), one per label (multi-label), none (multiclass: the argmax decides).</summary>
    public IReadOnlyList<double> Thresholds { get; }

    /// <summary>How <see cref="Thresholds"/> were chosen; <see cref="MLNetTransfer.ThresholdMethod.Fixed"/> when there was no validation data.</summary>
    public ThresholdMethod ThresholdMethod { get; }

    /// <summary>The target sensitivity or specificity, or the fixed threshold, that <see cref="ThresholdMethod"/> used; NaN for the others.</summary>
    public double ThresholdTarget { get; }

    /// <summary>Why a threshold fell back (a label without positives, a target no threshold reaches); null when none did.</summary>
    public string? ThresholdNote { get; }

    /// <summary>Whether the model averages each image's probabilities with its horizontal mirror's.</summary>
    public bool TestTimeFlip { get; }

    /// <summary>The validation log-loss (nats) of the calibrated probabilities; NaN without validation data.</summary>
    public double ValidationLoss { get; }

    /// <summary>The validation log-loss (nats) before calibration: the best epoch's reported validation loss.</summary>
    public double ValidationLossUncalibrated { get; }

    /// <summary>Expected calibration error on the validation set after calibration (15 equal-width bins; Guo et al. 2017).</summary>
    public double ValidationEce { get; }

    /// <summary>Expected calibration error on the validation set before calibration.</summary>
    public double ValidationEceUncalibrated { get; }

    /// <summary>How the threshold was chosen, as the model's metadata and the command line's metrics file write it: youden, target_sensitivity, target_specificity, max_f1 or fixed.</summary>
    public string ThresholdMethodName => MethodName(ThresholdMethod);

    /// <summary>The name written to the model's metadata for a method: youden, target_sensitivity, target_specificity, max_f1, fixed.</summary>
    internal static string MethodName(ThresholdMethod method) => method switch
    {
        ThresholdMethod.Youden => "youden",
        ThresholdMethod.TargetSensitivity => "target_sensitivity",
        ThresholdMethod.TargetSpecificity => "target_specificity",
        ThresholdMethod.MaxF1 => "max_f1",
        _ => "fixed",
    };
}
