using System;
using System.Linq;

namespace MLNetTransfer.Torch;

/// <summary>
/// What a network expects of its input: pixels scaled to [0, 1], then per channel <c>(x - Mean[c]) / Std[c]</c>,
/// channels in <see cref="Channels"/> order. The exported ONNX graph bakes this in, so scoring apps feed raw pixels.
/// </summary>
internal sealed class InputNormalization
{
    /// <summary>Creates a normalisation with one mean and one standard deviation per channel.</summary>
    public InputNormalization(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length != std.Length || mean.Length is not (1 or 3))
        {
            throw new ArgumentException($"Mean and Std need one value per channel (1 or 3); got {mean.Length} and {std.Length}.");
        }

        if (std.Any(s => !(s > 0) || float.IsInfinity(s)) || mean.Any(float.IsNaN))
        {
            throw new ArgumentException($"Std must be positive and finite, Mean a number; got Mean [{string.Join(", ", mean)}], Std [{string.Join(", ", std)}].");
        }

        Mean = (float[])mean.Clone();
        Std = (float[])std.Clone();
    }

    /// <summary>
    /// torchvision's ImageNet statistics, RGB: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)
    /// (torchvision/transforms/_presets.py, ImageClassification).
    /// </summary>
    public static InputNormalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>
    /// One gray channel with ImageNet's statistics seen through the BT.601 luma weights (0.299, 0.587, 0.114) that turn
    /// RGB into gray here (ImageTransforms) and in the exported graph: mean 0.4449, std 0.2256. For a 1-channel network
    /// with random weights, so that its input is centred and scaled as an RGB network's is.
    /// </summary>
    public static InputNormalization ImageNetGray { get; } = new(
        [0.299f * 0.485f + 0.587f * 0.456f + 0.114f * 0.406f],
        [0.299f * 0.229f + 0.587f * 0.224f + 0.114f * 0.225f]);

    /// <summary>One channel fed as is: mean 0, std 1 (a stem with the normalisation folded into its weights).</summary>
    public static InputNormalization Identity1 { get; } = new([0f], [1f]);

    /// <summary>Per-channel means, on the [0, 1] scale.</summary>
    public float[] Mean { get; }

    /// <summary>Per-channel standard deviations, on the [0, 1] scale.</summary>
    public float[] Std { get; }

    /// <summary>1 or 3.</summary>
    public int Channels => Mean.Length;

    /// <inheritdoc/>
    public override string ToString() => $"mean [{string.Join(", ", Mean)}], std [{string.Join(", ", Std)}]";
}
