using System;
using MLNetTransfer.Cli.Data;

namespace MLNetTransfer.Cli.Training;

/// <summary>What <c>train</c> (and <c>demo</c>) were asked to do, checked and parsed.</summary>
internal sealed record TrainSettings
{
    public required DataSourceOptions Data { get; init; }

    public ResNetArchitecture Architecture { get; init; } = ResNetArchitecture.ResNet18;

    public FreezeStrategy Strategy { get; init; } = FreezeStrategy.Auto();

    public bool Grayscale { get; init; }

    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 32;

    /// <summary>The network's input size (the crop); images are first resized to <see cref="ResizeTo"/>.</summary>
    public int ImageSize { get; init; } = 224;

    public double LearningRate { get; init; } = 1e-3;

    public string? WeightsPath { get; init; }

    /// <summary>Download torchvision's weights into the torch.hub cache when they are missing (--allow-download).</summary>
    public bool AllowDownload { get; init; }

    public int Seed { get; init; } = 1;

    public double ValidationFraction { get; init; } = 0.2;

    public int? EarlyStoppingPatience { get; init; }

    public string? CheckpointDirectory { get; init; }

    public bool Resume { get; init; }

    /// <summary>A binary task's positive class (the finding); null: the second class in ordinal order.</summary>
    public string? PositiveClass { get; init; }

    public string ModelPath { get; init; } = "model.zip";

    public string? MetricsJsonPath { get; init; }

    /// <summary>Where to write the validation images' paths, one per line; null: nowhere.</summary>
    public string? ValidationListPath { get; init; }

    public string? ReportDirectory { get; init; }

    /// <summary>--threshold-method: how the operating threshold is chosen on validation data.</summary>
    public ThresholdMethod ThresholdMethod { get; init; } = ThresholdMethod.Youden;

    /// <summary>The target sensitivity or specificity, or the fixed threshold, of --threshold-method.</summary>
    public double? ThresholdValue { get; init; }

    /// <summary>False with --no-calibration: no temperature scaling.</summary>
    public bool Calibrate { get; init; } = true;

    /// <summary>--tta: average each image with its horizontal mirror, in validation and in the saved model.</summary>
    public bool TestTimeFlip { get; init; }

    /// <summary>--cache-views K: augmented views of each image whose frozen features feature extraction caches.</summary>
    public int CacheViews { get; init; } = 4;

    /// <summary>--max-image-pixels: the image gate's pixel budget.</summary>
    public long MaxImagePixels { get; init; } = 8192L * 8192;

    /// <summary>--allow-upscaling: accept images smaller than the crop.</summary>
    public bool AllowUpscaling { get; init; }

    /// <summary>--bad-images: Fail stops at the first split with an image the gate refuses; Skip leaves such images out and lists them.</summary>
    public BadImagePolicy BadImages { get; init; } = BadImagePolicy.Fail;

    /// <summary><c>--pixels</c>, <c>--window</c>: 8-bit ML.NET images or a full-precision reader.</summary>
    public PixelSettings Pixels { get; init; } = new();

    /// <summary>The engine's knobs: --batchnorm, --head-only-epochs, --gradual-unfreezing, --class-weighting, --class-weights, --positive-weights, --uncertainty, --augmentation (and its custom flags), --warmup-epochs, --device.</summary>
    public EngineSettings Engine { get; init; } = new();

    /// <summary>--bootstrap N: seeded bootstrap resamples for the evaluation's summary intervals; 0 for none.</summary>
    public int BootstrapSamples { get; init; }

    /// <summary>
    /// The shorter side before cropping: 8/7 of the input size, torchvision's 256 → 224 ratio (the ImageNet recipe the
    /// pretrained weights were trained with: torchvision's references/classification/presets.py), rounded to an even number.
    /// </summary>
    public int ResizeTo => (int)Math.Round(ImageSize * 8.0 / 7.0 / 2.0, MidpointRounding.AwayFromZero) * 2;

    /// <summary>The architecture as the command line spells it ("resnet18").</summary>
    public string ArchitectureName => Architecture.ToString().ToLowerInvariant();
}
