namespace MLNetTransfer;

/// <summary>
/// What happens to the BatchNorm layers of the frozen part of the backbone (docs/pitfalls.md, "Frozen BatchNorm must
/// stay in eval mode"). BatchNorm in the stages that are being trained always trains.
/// </summary>
public enum BatchNormMode
{
    /// <summary>
    /// Eval mode with fixed affine parameters: running statistics stay the pretrained ones, whatever <c>train()</c>
    /// is called (Keras' and timm's choice, <c>FrozenBatchNorm2d</c>). The default.
    /// </summary>
    Frozen,

    /// <summary>
    /// Running statistics fixed (eval mode) but the affine scale and shift train with the backbone learning rate: a cheap
    /// adaptation that fine-tuning studies on medical images found close to full fine-tuning ("partial transfusion").
    /// </summary>
    TrainAffineOnly,

    /// <summary>Train mode and trainable affine parameters, statistics updated from each batch (fastai's <c>train_bn=True</c>).</summary>
    Train,
}
