using System;

namespace MLNetTransfer;

/// <summary>
/// How training images are resized, cropped and randomly varied (docs/design.md, "Augmentation"). The defaults suit
/// radiographs and other medical images: resize 256, random crop 224, horizontal flip 0.5, rotation ±10°,
/// brightness and contrast ±0.1. Validation and test images get resize 256 and a center crop 224 only.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Validate"/> refuses augmentations that change what a medical image means, unless
/// <see cref="AllowStrongAugmentation"/> is set: vertical flips (anatomy has a fixed up and down: a chest film
/// upside down is not another chest film), rotations over 15° (patient positioning rarely varies more, and some
/// labels, such as device position, depend on orientation) and brightness or contrast jitter over 0.2 (intensity
/// carries diagnostic meaning: density, contrast uptake). Impossible values (negative, probabilities over 1, NaN,
/// a crop larger than the resize) are always refused.
/// </para>
/// <para>
/// The resize and crop follow torchvision's <c>Resize(256)</c> and <c>CenterCrop(224)</c> / <c>RandomCrop(224)</c>
/// (torchvision/transforms/transforms.py) on PIL images: the shorter side becomes <see cref="ResizeTo"/> with
/// antialiased bilinear resampling as PIL's <c>Image.resize(BILINEAR)</c>.
/// </para>
/// </remarks>
public sealed class AugmentationOptions
{
    /// <summary>The largest rotation accepted without <see cref="AllowStrongAugmentation"/>, in degrees.</summary>
    public const double MaxSafeRotationDegrees = 15;

    /// <summary>The largest brightness or contrast jitter accepted without <see cref="AllowStrongAugmentation"/>.</summary>
    public const double MaxSafeIntensityJitter = 0.2;

    /// <summary>The length, in pixels, of the shorter side after resizing; the aspect ratio is kept. Default 256.</summary>
    public int ResizeTo { get; set; } = 256;

    /// <summary>The side of the square crop fed to the network, at most <see cref="ResizeTo"/>. Default 224.</summary>
    public int CropSize { get; set; } = 224;

    /// <summary>
    /// Whether training crops are taken at a uniformly random position (torchvision <c>RandomCrop</c>); if false,
    /// training crops are centered like validation crops. Default true.
    /// </summary>
    public bool RandomCrop { get; set; } = true;

    /// <summary>The probability of mirroring a training image left to right. Default 0.5.</summary>
    public double HorizontalFlipProbability { get; set; } = 0.5;

    /// <summary>
    /// The probability of flipping a training image upside down. Default 0; anything above 0 needs
    /// <see cref="AllowStrongAugmentation"/>, since anatomy has a fixed up and down.
    /// </summary>
    public double VerticalFlipProbability { get; set; }

    /// <summary>
    /// Training images are rotated about the crop's centre by an angle drawn uniformly from ±this many degrees
    /// (counter-clockwise positive, as torchvision's <c>RandomRotation</c>). Default 10; over 15 needs
    /// <see cref="AllowStrongAugmentation"/>; at most 180.
    /// </summary>
    public double MaxRotationDegrees { get; set; } = 10;

    /// <summary>
    /// Training images get a value drawn uniformly from ±this added to every pixel (on the [0, 1] scale). Default 0.1;
    /// over 0.2 needs <see cref="AllowStrongAugmentation"/>; at most 1. Additive (a shift of the window level), unlike
    /// torchvision's <c>ColorJitter(brightness)</c>, which multiplies.
    /// </summary>
    public double Brightness { get; set; } = 0.1;

    /// <summary>
    /// Training images are scaled about their mean gray level by a factor drawn uniformly from 1 ± this, as
    /// torchvision's <c>adjust_contrast</c>. Default 0.1; over 0.2 needs <see cref="AllowStrongAugmentation"/>; at most 1.
    /// </summary>
    public double Contrast { get; set; } = 0.1;

    /// <summary>
    /// Accept vertical flips, rotations over 15° and brightness or contrast jitter over 0.2, which
    /// <see cref="Validate"/> otherwise refuses. Default false.
    /// </summary>
    public bool AllowStrongAugmentation { get; set; }

    /// <summary>
    /// True if training images vary from one epoch to the next (random crop, a flip, rotation or intensity jitter is
    /// active). When false, a training image always gives the same tensor, so the features of a frozen backbone can be
    /// computed once and cached.
    /// </summary>
    public bool IsRandom =>
        RandomCrop || HorizontalFlipProbability > 0 || VerticalFlipProbability > 0 ||
        MaxRotationDegrees > 0 || Brightness > 0 || Contrast > 0;

    /// <summary>
    /// Options with no random augmentation: resize and center crop for training and validation alike
    /// (<see cref="IsRandom"/> is false).
    /// </summary>
    /// <param name="resizeTo">The shorter side after resizing.</param>
    /// <param name="cropSize">The side of the center crop.</param>
    public static AugmentationOptions EvalOnly(int resizeTo = 256, int cropSize = 224) => new()
    {
        ResizeTo = resizeTo,
        CropSize = cropSize,
        RandomCrop = false,
        HorizontalFlipProbability = 0,
        VerticalFlipProbability = 0,
        MaxRotationDegrees = 0,
        Brightness = 0,
        Contrast = 0,
    };

    /// <summary>
    /// Checks the options: impossible values are always refused; vertical flips, rotations over 15° and intensity
    /// jitter over 0.2 are refused unless <see cref="AllowStrongAugmentation"/> is set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the parameter name is the option's
    /// name and the message says why.</exception>
    public void Validate()
    {
        if (ResizeTo <= 0)
        {
            throw Refuse(nameof(ResizeTo), ResizeTo, "must be at least 1 pixel");
        }

        if (CropSize <= 0)
        {
            throw Refuse(nameof(CropSize), CropSize, "must be at least 1 pixel");
        }

        if (CropSize > ResizeTo)
        {
            throw Refuse(nameof(CropSize), CropSize,
                $"must not exceed {nameof(ResizeTo)} ({ResizeTo}): the crop is taken from the image whose shorter side is {nameof(ResizeTo)}");
        }

        CheckProbability(nameof(HorizontalFlipProbability), HorizontalFlipProbability);
        CheckProbability(nameof(VerticalFlipProbability), VerticalFlipProbability);
        CheckRange(nameof(MaxRotationDegrees), MaxRotationDegrees, 180, "degrees");
        CheckRange(nameof(Brightness), Brightness, 1, "on the [0, 1] pixel scale");
        CheckRange(nameof(Contrast), Contrast, 1, "so that the contrast factor 1 - Contrast stays non-negative");

        if (AllowStrongAugmentation)
        {
            return;
        }

        const string OptIn = $"Set {nameof(AllowStrongAugmentation)} = true to accept it anyway.";
        if (VerticalFlipProbability > 0)
        {
            throw Refuse(nameof(VerticalFlipProbability), VerticalFlipProbability,
                "is refused for medical images: anatomy has a fixed up and down, and an upside-down chest film is not a " +
                $"plausible chest film. {OptIn}");
        }

        if (MaxRotationDegrees > MaxSafeRotationDegrees)
        {
            throw Refuse(nameof(MaxRotationDegrees), MaxRotationDegrees,
                $"is over {MaxSafeRotationDegrees}°: patient positioning rarely varies more, and labels can depend on " +
                $"orientation (device position, laterality). {OptIn}");
        }

        if (Brightness > MaxSafeIntensityJitter)
        {
            throw Refuse(nameof(Brightness), Brightness,
                $"is over {MaxSafeIntensityJitter}: intensity carries diagnostic meaning (density, contrast uptake), and " +
                $"strong brightness jitter can erase or fake findings. {OptIn}");
        }

        if (Contrast > MaxSafeIntensityJitter)
        {
            throw Refuse(nameof(Contrast), Contrast,
                $"is over {MaxSafeIntensityJitter}: intensity carries diagnostic meaning (density, contrast uptake), and " +
                $"strong contrast jitter can erase or fake findings. {OptIn}");
        }
    }

    /// <summary>A copy, so that a running loader does not see later changes.</summary>
    internal AugmentationOptions Clone() => (AugmentationOptions)MemberwiseClone();

    /// <inheritdoc/>
    public override string ToString() =>
        $"resize {ResizeTo}, {(RandomCrop ? "random" : "center")} crop {CropSize}, h-flip {HorizontalFlipProbability}, " +
        $"v-flip {VerticalFlipProbability}, rotation ±{MaxRotationDegrees}°, brightness ±{Brightness}, contrast ±{Contrast}" +
        (AllowStrongAugmentation ? ", strong augmentation allowed" : string.Empty);

    private static void CheckProbability(string name, double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw Refuse(name, value, "is a probability and must lie in [0, 1]");
        }
    }

    private static void CheckRange(string name, double value, double max, string unit)
    {
        if (!(value >= 0 && value <= max))
        {
            throw Refuse(name, value, $"must lie in [0, {max}] ({unit})");
        }
    }

    private static ArgumentOutOfRangeException Refuse(string option, object value, string why) =>
        new(option, value, $"{nameof(AugmentationOptions)}.{option} = {value} {why}.");
}
