using System;
using System.Threading;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.Losses;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The engine's settings, built from <see cref="ResNetFineTuneTrainer.Options"/> (which documents each default; the
/// constants are <see cref="FineTuneDefaults"/>) with the device resolved and the data already split.
/// </summary>
internal sealed class FineTuneOptions
{
    /// <summary>Which parts train. Default <see cref="FreezeStrategy.Auto"/> with a domain different from ImageNet.</summary>
    public FreezeStrategy Strategy { get; set; } = FreezeStrategy.Auto();

    /// <summary>BatchNorm of the frozen part. Default <see cref="BatchNormMode.Frozen"/>.</summary>
    public BatchNormMode BatchNormMode { get; set; } = BatchNormMode.Frozen;

    /// <summary>Epochs. Default 10.</summary>
    public int Epochs { get; set; } = FineTuneDefaults.Epochs;

    /// <summary>Epochs of linear learning-rate warmup before the cosine decay (fractions allowed). Default 1.</summary>
    public double WarmupEpochs { get; set; } = FineTuneDefaults.WarmupEpochs;

    /// <summary>
    /// Epochs at the start in which only the head trains, before the planned stages unfreeze (fastai's
    /// <c>fine_tune(freeze_epochs=1)</c>, the Keras guide; docs/pitfalls.md, "Head first, lower rates for the
    /// backbone"). Default 0.
    /// </summary>
    public int HeadOnlyEpochs { get; set; }

    /// <summary>After the head-only epochs, unfreeze one more stage per epoch, from layer4 down (ULMFiT's gradual unfreezing). Default false.</summary>
    public bool GradualUnfreezing { get; set; }

    /// <summary>Images per step. Default 32.</summary>
    public int BatchSize { get; set; } = FineTuneDefaults.BatchSize;

    /// <summary>Peak learning rate of the head (and of everything when training from scratch). Default 1e-3.</summary>
    public double LearningRate { get; set; } = FineTuneDefaults.LearningRate;

    /// <summary>
    /// Backbone rate / head rate for <see cref="FreezeStrategy.LastStages"/> (and frozen-part BatchNorm that trains),
    /// unless the strategy sets its own. Default 0.1. Full fine-tuning uses <see cref="StageLearningRates"/>.
    /// </summary>
    public double BackboneLearningRateRatio { get; set; } = FineTuneDefaults.BackboneLearningRateRatio;

    /// <summary>AdamW's decoupled weight decay, not applied to BatchNorm parameters and biases. Default 1e-4.</summary>
    public double WeightDecay { get; set; } = FineTuneDefaults.WeightDecay;

    /// <summary>Gradients are clipped to this global L2 norm. Default 1.0.</summary>
    public double MaxGradientNorm { get; set; } = FineTuneDefaults.MaxGradientNorm;

    /// <summary>Label smoothing of the cross-entropy (single-label tasks). Default 0.</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>Class weights of the cross-entropy. Default <see cref="ClassWeighting.None"/>.</summary>
    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.None;

    /// <summary>Explicit class weights (one per class); overrides <see cref="ClassWeighting"/>. Default null.</summary>
    public float[]? ClassWeights { get; set; }

    /// <summary>Multi-label: per-label positive weights of the BCE loss (torch's <c>pos_weight</c>). Default null (1).</summary>
    public float[]? PositiveWeights { get; set; }

    /// <summary>Multi-label: what an uncertain target (-1) means. Default <see cref="UncertaintyPolicy.Ignore"/>.</summary>
    public UncertaintyPolicy Uncertainty { get; set; } = UncertaintyPolicy.Ignore;

    /// <summary>What decides the best epoch, whose weights are restored at the end. Default validation loss.</summary>
    public BestModelMetric BestModelMetric { get; set; } = BestModelMetric.ValidationLoss;

    /// <summary>Keep the best epoch's weights at the end (needs validation data). Default true.</summary>
    public bool RestoreBestWeights { get; set; } = FineTuneDefaults.RestoreBestWeights;

    /// <summary>Stop after this many epochs without improvement of the best-model metric; null never stops early. Default null.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>The improvement that counts for early stopping and the best epoch. Default 0.</summary>
    public double EarlyStoppingMinDelta { get; set; }

    /// <summary>Where a checkpoint is written after each epoch; null writes none. Default null.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> when there is one. Default false.</summary>
    public bool Resume { get; set; }

    /// <summary>
    /// Resize, crop and augmentation of training images; validation uses its resize and centre crop. Default:
    /// <see cref="AugmentationOptions"/>'s defaults (docs/design.md, "Augmentation").
    /// </summary>
    public AugmentationOptions Augmentation { get; set; } = new();

    /// <summary>Threads decoding and augmenting images; 0 = one per processor. Default 0.</summary>
    public int WorkerCount { get; set; }

    /// <summary>
    /// Memory, in bytes, for keeping the training and validation images between epochs once decoded and resized to
    /// <see cref="AugmentationOptions.ResizeTo"/> (float32), so that each file is read and decoded once. Images beyond
    /// the budget are read again every epoch. Shared between the two sets by their image counts; 0 turns the cache off.
    /// Images given in memory (<see cref="Data.ImageSource.FromImage"/>) at that size already are kept by reference and
    /// cost nothing extra. Default 1 GiB: about 4,000 gray or 1,300 RGB images at 256 x 256.
    /// </summary>
    public long ImageCacheBytes { get; set; } = FineTuneDefaults.ImageCacheBytes;

    /// <summary>
    /// Compute backbone features once when they cannot change (frozen backbone, frozen BatchNorm, no random
    /// augmentation) and train the head on them. Null (the default) decides by itself; false never caches.
    /// </summary>
    public bool? CacheFeatures { get; set; }

    /// <summary>Seed of weights, data order, augmentation and dropout. Default 1.</summary>
    public int Seed { get; set; } = FineTuneDefaults.Seed;

    /// <summary>
    /// On the CPU under Linux with glibc, keep libtorch's freed buffers in the C heap while training, instead of
    /// returning them to the kernel and mapping them afresh at every step: 12–21% of a training step on the benchmark
    /// machine (BENCHMARKS.md). It raises malloc's thresholds process-wide while any training runs; when the last one
    /// ends, they are left where glibc's own dynamic thresholds settle in such a process and the freed memory is
    /// returned to the system. No effect on other systems, on a GPU, or when the process sets malloc's variables itself
    /// (<c>MALLOC_*_</c>, <c>GLIBC_TUNABLES</c>). Default true.
    /// </summary>
    public bool ReuseNativeMemory { get; set; } = FineTuneDefaults.ReuseNativeMemory;

    /// <summary>Device to train on; null = CPU. See <see cref="DeviceSelector"/>.</summary>
    public TorchSharp.torch.Device? Device { get; set; }

    /// <summary>Stops training between steps; the last checkpoint stays. Default none.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Called after every optimizer step. Default null.</summary>
    public Action<StepProgress>? StepCallback { get; set; }

    /// <summary>Called after every epoch. Default null.</summary>
    public Action<EpochMetrics>? MetricsCallback { get; set; }

    /// <summary>Receives messages worth a log line (Auto's choice, resuming, early stopping). Default null.</summary>
    public Action<string>? Log { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Strategy, nameof(Strategy));
        ArgumentNullException.ThrowIfNull(Augmentation, nameof(Augmentation));
        Positive(Epochs, nameof(Epochs));
        Positive(BatchSize, nameof(BatchSize));
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
