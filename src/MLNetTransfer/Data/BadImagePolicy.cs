namespace MLNetTransfer;

/// <summary>
/// What <c>FineTuneResNet</c> does with the images its gate refuses (<see cref="ResNetFineTuneTrainer.Options.BadImagePolicy"/>):
/// a file that is missing, not a PNG or JPEG, truncated or corrupt, over <see cref="ResNetFineTuneTrainer.Options.MaxImagePixels"/>
/// or smaller than the crop; for an MLImage column (decoded by the user's <c>LoadImages</c>), an image over the pixel
/// budget or smaller than the crop.
/// </summary>
public enum BadImagePolicy
{
    /// <summary>Refuse the data: <c>Fit</c> throws an <see cref="ImageFileException"/> that names every refused image, before epoch 1.</summary>
    Fail,

    /// <summary>
    /// Leave the refused rows out of training and validation, and list them, with the reason, in
    /// <see cref="ResNetFineTuneTransformer.SkippedImages"/> and the <see cref="ResNetFineTuneTrainer.Options.Log"/>.
    /// With every row refused, or one class left, training still stops with the same errors as without them.
    /// </summary>
    Skip,
}
