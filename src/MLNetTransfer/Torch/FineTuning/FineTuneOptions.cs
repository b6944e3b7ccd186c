using System;
using System.Threading;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Losses;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The engine's settings, built from <see cref="ResNetFineTuneTrainer.Options"/> with the device resolved and the data
/// already split. Each member means what the member of that name there means, and is documented there once;
/// OptionsTests holds the two to the same names, types and defaults (the constants are <see cref="FineTuneDefaults"/>).
/// </summary>
internal sealed class FineTuneOptions
{
    public FreezeStrategy Strategy { get; set; } = FreezeStrategy.Auto();

    public BatchNormMode BatchNormMode { get; set; } = BatchNormMode.Frozen;

    public int Epochs { get; set; } = FineTuneDefaults.Epochs;

    public double WarmupEpochs { get; set; } = FineTuneDefaults.WarmupEpochs;

    public int HeadOnlyEpochs { get; set; }

    public bool GradualUnfreezing { get; set; }

    public int BatchSize { get; set; } = FineTuneDefaults.BatchSize;

    public double LearningRate { get; set; } = FineTuneDefaults.LearningRate;

    public double BackboneLearningRateRatio { get; set; } = FineTuneDefaults.BackboneLearningRateRatio;

    public double WeightDecay { get; set; } = FineTuneDefaults.WeightDecay;

    public double MaxGradientNorm { get; set; } = FineTuneDefaults.MaxGradientNorm;

    public double LabelSmoothing { get; set; }

    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.None;

    public float[]? ClassWeights { get; set; }

    public float[]? PositiveWeights { get; set; }

    public UncertaintyPolicy Uncertainty { get; set; } = UncertaintyPolicy.Ignore;

    public BestModelMetric BestModelMetric { get; set; } = BestModelMetric.ValidationLoss;

    public bool RestoreBestWeights { get; set; } = FineTuneDefaults.RestoreBestWeights;

    public int? EarlyStoppingPatience { get; set; }

    public double EarlyStoppingMinDelta { get; set; }

    public string? CheckpointDirectory { get; set; }

    public bool Resume { get; set; }

    public AugmentationOptions Augmentation { get; set; } = new();

    public int WorkerCount { get; set; }

    public long ImageCacheBytes { get; set; } = FineTuneDefaults.ImageCacheBytes;

    public bool? CacheFeatures { get; set; }

    public bool TestTimeFlip { get; set; }
    public int FeatureCacheViews { get; set; } = FineTuneDefaults.FeatureCacheViews;

    public int Seed { get; set; } = FineTuneDefaults.Seed;

    public bool ReuseNativeMemory { get; set; } = FineTuneDefaults.ReuseNativeMemory;

    /// <summary>Device to train on; null = CPU. See <see cref="DeviceSelector"/>.</summary>
    public TorchSharp.torch.Device? Device { get; set; }

    public CancellationToken CancellationToken { get; set; }

    public Action<StepProgress>? StepCallback { get; set; }

    public Action<EpochMetrics>? MetricsCallback { get; set; }

    public Action<string>? Log { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Strategy, nameof(Strategy));
        ArgumentNullException.ThrowIfNull(Augmentation, nameof(Augmentation));
        Positive(Epochs, nameof(Epochs));
        Positive(BatchSize, nameof(BatchSize));
        Positive(FeatureCacheViews, nameof(FeatureCacheViews));
        PositiveFinite(LearningRate, nameof(LearningRate));
        PositiveFinite(MaxGradientNorm, nameof(MaxGradientNorm));
        Range(WarmupEpochs, 0, Epochs, nameof(WarmupEpochs));
        Range(HeadOnlyEpochs, 0, Epochs, nameof(HeadOnlyEpochs));
        Range(BackboneLearningRateRatio, double.Epsilon, 1, nameof(BackboneLearningRateRatio));
        Range(WeightDecay, 0, 1, nameof(WeightDecay));
        Range(LabelSmoothing, 0, 1, nameof(LabelSmoothing));
        Range(EarlyStoppingMinDelta, 0, double.MaxValue, nameof(EarlyStoppingMinDelta));
        if (EarlyStoppingPatience is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "Patience is at least 1 epoch (or null for none).");
        }

        if (WorkerCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WorkerCount), WorkerCount, "0 (one per processor) or more.");
        }

        if (ImageCacheBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ImageCacheBytes), ImageCacheBytes, "0 (no cache) or more bytes.");
        }

        if (Resume && CheckpointDirectory is null)
        {
            throw new ArgumentException($"{nameof(Resume)} needs a {nameof(CheckpointDirectory)}.", nameof(Resume));
        }

        Augmentation.Validate();
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
        }
    }

    private static void PositiveFinite(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
        }
    }

    private static void Range(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be within [{min}, {max}].");
        }
    }
}
