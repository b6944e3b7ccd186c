using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetTransfer.Cli.Training;

/// <summary>
/// The engine's knobs that <c>train</c> exposes (BatchNorm, head-only epochs and gradual unfreezing, class and positive
/// weights, the uncertainty policy, augmentation, warmup, device), parsed and checked; <see cref="Apply"/> puts them on
/// the estimator's public options.
/// </summary>
internal sealed record EngineSettings
{
    public BatchNormMode BatchNormMode { get; init; } = BatchNormMode.Frozen;

    public int HeadOnlyEpochs { get; init; }

    public bool GradualUnfreezing { get; init; }

    public ClassWeighting ClassWeighting { get; init; } = ClassWeighting.None;

    public float[]? ClassWeights { get; init; }

    public float[]? PositiveWeights { get; init; }

    public UncertaintyPolicy Uncertainty { get; init; } = UncertaintyPolicy.Ignore;

    /// <summary>none, light (the estimator's defaults) or custom; the custom values are in <see cref="CustomAugmentation"/>.</summary>
    public string AugmentationPreset { get; init; } = "light";

    /// <summary>With --augmentation custom: the flags' values (resize and crop are set from --image-size).</summary>
    public AugmentationOptions? CustomAugmentation { get; init; }

    /// <summary>--warmup-epochs; null: one epoch, or none in runs of two epochs or fewer.</summary>
    public double? WarmupEpochs { get; init; }

    /// <summary>--device: null for the CPU, else the CUDA device.</summary>
    public int? GpuDeviceId { get; init; }

    /// <summary>The augmentation for images resized to <paramref name="resizeTo"/> and cropped to <paramref name="cropSize"/>.</summary>
    public AugmentationOptions Augmentation(int resizeTo, int cropSize)
    {
        var augmentation = AugmentationPreset switch
        {
            "none" => AugmentationOptions.EvalOnly(resizeTo, cropSize),
            "custom" => CustomAugmentation!,
            _ => new AugmentationOptions(),
        };
        augmentation.ResizeTo = resizeTo;
        augmentation.CropSize = cropSize;
        return augmentation;
    }

    /// <summary>Sets the knobs on the estimator's options.</summary>
    public void Apply(ResNetFineTuneTrainer.Options options, int epochs, int resizeTo, int cropSize)
    {
        options.BatchNormMode = BatchNormMode;
        options.HeadOnlyEpochs = HeadOnlyEpochs;
        options.GradualUnfreezing = GradualUnfreezing;
        options.ClassWeighting = ClassWeighting;
        options.ClassWeights = ClassWeights;
        options.PositiveWeights = PositiveWeights;
        options.Uncertainty = Uncertainty;
        options.Augmentation = Augmentation(resizeTo, cropSize);
        // One warm-up epoch, as the engine's default, except in runs too short to have a cosine phase after it.
        options.WarmupEpochs = WarmupEpochs ?? (epochs > 2 ? 1 : 0);
        options.GpuDeviceId = GpuDeviceId;
    }

    /// <summary>The knobs as metrics.json's settings.</summary>
    public IEnumerable<KeyValuePair<string, object?>> Describe(int resizeTo, int cropSize) => new KeyValuePair<string, object?>[]
    {
        new("batchnorm", BatchNormMode.ToString()),
        new("head_only_epochs", HeadOnlyEpochs),
        new("gradual_unfreezing", GradualUnfreezing),
        new("class_weighting", ClassWeights is null ? ClassWeighting.ToString() : "explicit: " + Join(ClassWeights)),
        new("positive_weights", PositiveWeights is null ? null : Join(PositiveWeights)),
        new("uncertainty", Uncertainty.ToString()),
        new("augmentation", AugmentationPreset + ": " + Augmentation(resizeTo, cropSize)),
        new("warmup_epochs_requested", WarmupEpochs),
        new("device", GpuDeviceId is { } id ? "cuda:" + id.ToString(CultureInfo.InvariantCulture) : "cpu"),
    };

    private static string Join(float[] values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
