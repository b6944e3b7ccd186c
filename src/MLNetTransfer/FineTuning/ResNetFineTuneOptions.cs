using System;
using System.Threading;
using Microsoft.ML;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Losses;

namespace MLNetTransfer;

/// <summary>Options of <see cref="ResNetFineTuneTrainer"/>. Every member has a documented default.</summary>
public sealed class ResNetFineTuneOptions
{
    /// <summary>The label: a key (MapValueToKey), a Boolean, or a known-size Single vector (multi-label). Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The images: an Image column (LoadImages) or a String column of file paths. (Encoded bytes are refused: ML.NET's LoadImages cannot decode them at scoring time.) Default "Image".</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>Folder that relative paths of a String image column are relative to. Default null (as given).</summary>
    public string? ImageFolder { get; set; }

    /// <summary>
    /// A patient or study id: rows that share it stay on the same side of the validation split (pitfall P4). Default
    /// null (rows split independently).
    /// </summary>
    public string? GroupColumnName { get; set; }

    /// <summary>Output: class (or label) probabilities. Default "Score".</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output: the predicted class as a key of the label's values. Default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Output for binary tasks: the positive class's probability. Default "Probability".</summary>
    public string ProbabilityColumnName { get; set; } = "Probability";

    /// <summary>
    /// Output for binary tasks: the log-odds shifted by <see cref="DecisionThreshold"/>, positive exactly when the
    /// positive class is predicted; pass it as the score column of <c>BinaryClassification.Evaluate</c>, which thresholds
    /// scores at 0. Default "Logit".
    /// </summary>
    public string LogitColumnName { get; set; } = "Logit";

    /// <summary>The depth. Default ResNet18.</summary>
    public ResNetArchitecture Architecture { get; set; } = ResNetArchitecture.ResNet18;

    /// <summary>
    /// A weights file (torchvision <c>.pth</c>, <c>.safetensors</c> or a ResNet ONNX graph); its block layout wins. Default
    /// null: ResNet18 uses ML.NET's ImageNet network (package Microsoft.ML.DnnImageFeaturizer.ResNet18, layer4 with
    /// three blocks), the others torchvision's file from the torch.hub cache.
    /// </summary>
    public string? WeightsPath { get; set; }

    /// <summary>Download torchvision's weights into the torch.hub cache when they are missing. Default false.</summary>
    public bool AllowWeightsDownload { get; set; }

    /// <summary>Which parts train. Default <see cref="FreezeStrategy.Auto"/> (domain different from ImageNet).</summary>
    public FreezeStrategy Strategy { get; set; } = FreezeStrategy.Auto();

    /// <summary>BatchNorm of the frozen part. Default <see cref="BatchNormMode.Frozen"/>.</summary>
    public BatchNormMode BatchNormMode { get; set; } = BatchNormMode.Frozen;

    /// <summary>One input channel with conv1 adapted by summation (DESIGN.md decision 3), for X-ray, CT and MR. Default false.</summary>
    public bool Grayscale { get; set; }

    /// <summary>How the grayscale conv1 is made. Default <see cref="GrayscaleAdapt.Sum"/>.</summary>
    public GrayscaleAdapt GrayscaleAdaptation { get; set; } = GrayscaleAdapt.Sum;

    /// <summary>Resize, crop and augmentation (DESIGN.md decision 8: resize 256, crop 224, …). Scoring resizes and centre-crops the same.</summary>
    public AugmentationOptions Augmentation { get; set; } = new();

    /// <summary>Epochs. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Warmup epochs. Default 1.</summary>
    public double WarmupEpochs { get; set; } = 1;

    /// <summary>Head-only epochs before unfreezing. Default 0.</summary>
    public int HeadOnlyEpochs { get; set; }

    /// <summary>Unfreeze one stage per epoch after the head-only epochs. Default false.</summary>
    public bool GradualUnfreezing { get; set; }

    /// <summary>Images per step. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Peak learning rate of the head. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Backbone rate / head rate for last-stages fine-tuning. Default 0.1.</summary>
    public double BackboneLearningRateRatio { get; set; } = 0.1;

    /// <summary>AdamW weight decay (not on BatchNorm and biases). Default 1e-4.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Label smoothing. Default 0.</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>Class weights for imbalance. Default none.</summary>
    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.None;

    /// <summary>Multi-label positive weights. Default null.</summary>
    public float[]? PositiveWeights { get; set; }

    /// <summary>Multi-label: meaning of -1 targets. Default ignore.</summary>
    public UncertaintyPolicy Uncertainty { get; set; } = UncertaintyPolicy.Ignore;

    /// <summary>
    /// Validation data, shaped like the estimator's own input (after the pipeline steps before it: the label mapped with
    /// the same key mapping, the same image column); when null, <see cref="ValidationFraction"/> of the training data
    /// is held out. Default null.
    /// </summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>Share of the training rows held out (grouped by <see cref="GroupColumnName"/>) when no validation set is given; 0 holds out nothing. Default 0.2.</summary>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>Best-epoch metric. Default validation loss.</summary>
    public BestModelMetric BestModelMetric { get; set; } = BestModelMetric.ValidationLoss;

    /// <summary>Early stopping patience in epochs; null = never. Default null.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Checkpoint folder; null = none. Default null.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Resume from the checkpoint in <see cref="CheckpointDirectory"/>. Default false.</summary>
    public bool Resume { get; set; }

    /// <summary>Binary tasks: the probability from which <c>PredictedLabel</c> is the positive class, stored in the model's metadata. Default 0.5.</summary>
    public float DecisionThreshold { get; set; } = 0.5f;

    /// <summary>Seed of the split, weights, order, augmentation and dropout. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>CUDA device for training and for ONNX Runtime scoring; null = CPU. Default null.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Use the CPU when <see cref="GpuDeviceId"/> is set but no usable GPU is found; false throws. Default false (as ML.NET's ApplyOnnxModel).</summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>Decoding and augmentation threads; 0 = one per processor. Default 0.</summary>
    public int WorkerCount { get; set; }

    /// <summary>
    /// Memory, in bytes, for keeping images read from a path column between epochs, decoded and resized, so each file is
    /// read once; 0 reads every file again each epoch. Images from an MLImage column are held in memory already, at the
    /// training resolution. Default 1 GiB (about 4,000 gray images at 256 x 256). See MLNetTransfer.Torch's
    /// <c>FineTuneOptions.ImageCacheBytes</c>.
    /// </summary>
    public long ImageCacheBytes { get; set; } = 1L << 30;

    /// <summary>
    /// On the CPU under Linux with glibc, keep libtorch's freed buffers for the next step instead of mapping them afresh
    /// (malloc's thresholds are raised process-wide while training runs, and lowered again after). Default true. See
    /// MLNetTransfer.Torch's <c>FineTuneOptions.ReuseNativeMemory</c>.
    /// </summary>
    public bool ReuseNativeMemory { get; set; } = true;

    /// <summary>Per-epoch metrics, as they come. Default null.</summary>
    public Action<EpochMetrics>? MetricsCallback { get; set; }

    /// <summary>Per-step progress. Default null.</summary>
    public Action<StepProgress>? StepCallback { get; set; }

    /// <summary>Messages worth a log line (Auto's choice, resuming, early stopping). Default null.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Cancels training between steps. Default none.</summary>
    public CancellationToken CancellationToken { get; set; }
}
