namespace MLNetTransfer.FineTuning;

/// <summary>
/// The validation figures the trainer writes among the model's metadata extras (<c>mlnettransfer.&lt;key&gt;</c>), next
/// to the writer's own temperature, threshold and flip keys, so that <see cref="ModelFileCatalog.LoadCalibration"/> can
/// give back the whole <see cref="CalibrationResult"/> from a saved model.zip.
/// </summary>
internal static class ModelCalibrationKeys
{
    public const string ThresholdTarget = "threshold_target";
    public const string ThresholdNote = "threshold_note";
    public const string ValidationLoss = "validation_log_loss";
    public const string ValidationLossUncalibrated = "validation_log_loss_uncalibrated";
    public const string ValidationEce = "validation_ece";
    public const string ValidationEceUncalibrated = "validation_ece_uncalibrated";

    // The IImagePixelReader's description for a model fed float pixels; empty for ML.NET's 8-bit images.
    public const string PixelReader = "pixel_reader";
}
