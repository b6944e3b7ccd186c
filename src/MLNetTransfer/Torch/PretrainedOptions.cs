namespace MLNetTransfer.Torch;

/// <summary>How <see cref="PretrainedResNet"/> turns a weights file into a network.</summary>
internal sealed class PretrainedOptions
{
    /// <summary>
    /// Outputs of the head. Null (the default): the file's head when it has one (1000 ImageNet classes for torchvision),
    /// else 1000. A number different from the file's head needs <see cref="SkipHead"/>.
    /// </summary>
    public int? NumClasses { get; set; }

    /// <summary>
    /// Leave the file's head (<c>fc.*</c>) unused and start a new, randomly initialised one: the usual start of transfer
    /// learning. Default false.
    /// </summary>
    public bool SkipHead { get; set; }

    /// <summary>Make a 1-channel network whose <c>conv1</c> is adapted from the RGB weights (see <see cref="GrayscaleStem"/>). Default false.</summary>
    public bool Grayscale { get; set; }

    /// <summary>How the grayscale <c>conv1</c> is made. Default <see cref="GrayscaleAdapt.Sum"/>.</summary>
    public GrayscaleAdapt GrayscaleAdaptation { get; set; } = GrayscaleAdapt.Sum;

    /// <summary>Refuse files with missing or unexpected keys (mis-shaped keys are always refused). Default true, as in PyTorch.</summary>
    public bool Strict { get; set; } = true;

    /// <summary>
    /// When set, the file must hold this layout; otherwise the error names both. Null (the default): the layout
    /// follows the file.
    /// </summary>
    public ResNetLayout? ExpectedLayout { get; set; }
}
