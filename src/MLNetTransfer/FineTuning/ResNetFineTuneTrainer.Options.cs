using System;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetTransfer.Data;
using MLNetTransfer.Torch.FineTuning;

namespace MLNetTransfer;

public sealed partial class ResNetFineTuneTrainer
{
    /// <summary>
    /// Every setting of a fine-tune, each with its documented default: the one options type of MLNetTransfer's
    /// fine-tuning (the simple <c>FineTuneResNet</c> overload and the command line fill it in too). Members group into
    /// columns, the network (<see cref="Architecture"/>, <see cref="Strategy"/>, <see cref="Grayscale"/>), the
    /// optimisation, validation and the best epoch, checkpoints, the machine, and progress.
    /// </summary>
    /// <remarks>
    /// Deliberately not here: the optimiser (always AdamW with parameter groups, no weight decay on BatchNorm and
    /// biases) and the schedule (always linear warmup then cosine), which the fine-tuning recipes we follow (fastai,
    /// timm) fix as well; the head's shape (a linear layer, or 256-ReLU-Dropout(0.5)-linear for feature extraction).
    /// docs/design.md, "Training loop", says why.
    /// </remarks>
    public sealed class Options
    {
        // Columns.

        /// <summary>The label: a String or another scalar value (mapped to a key by value inside Fit, so the fitted model needs no label column), a key (MapValueToKey), a Boolean, or a known-size Single vector (multi-label: 1, 0, -1 uncertain, NaN missing). Default "Label".</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>The images: an Image column (LoadImages) or a String column of file paths. (Encoded bytes are refused: ML.NET's LoadImages cannot decode them at scoring time.) Default "Image".</summary>
        public string ImageColumnName { get; set; } = "Image";

        /// <summary>Folder that relative paths of a String image column are relative to. Default null (as given).</summary>
        public string? ImageFolder { get; set; }

        /// <summary>
        /// Reads the image files at full precision instead of ML.NET's 8-bit <c>LoadImages</c>: <see cref="ImageFileReader"/>
        /// for 16-bit PNGs, the MLNetTransfer.Dicom package's reader for DICOM. Needs a String path column. The fitted
        /// model then takes a float vector column <see cref="ResNetFineTuneTransformer.PixelsColumnName"/> (3 ×
        /// ResizeTo² values from <see cref="ImagePixelInput.LoadModelInput"/>) and its saved chain starts there; the
        /// fitted transformer itself still accepts the path column, reading it with this reader. Default null (8-bit
        /// ML.NET images).
        /// </summary>
        public IImagePixelReader? PixelReader { get; set; }

        /// <summary>
        /// A patient or study id: rows that share it stay on the same side of the validation split, since images of one
        /// patient on both sides inflate validation metrics (docs/pitfalls.md). Default null (rows split independently).
        /// </summary>
        public string? GroupColumnName { get; set; }

        /// <summary>Output: class (or label) probabilities. Default "Score".</summary>
        public string ScoreColumnName { get; set; } = "Score";

        /// <summary>Output: the predicted class as a key of the label's values. Default "PredictedLabel".</summary>
        public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

        /// <summary>Output for binary tasks: the positive class's probability. Default "Probability".</summary>
        public string ProbabilityColumnName { get; set; } = "Probability";

        /// <summary>
        /// Output for binary tasks: the calibrated log-odds shifted by the operating threshold, positive (up to float rounding at the threshold itself) when the
        /// positive class is predicted; pass it as the score column of <c>BinaryClassification.Evaluate</c>, which
        /// thresholds scores at 0. Default "Logit".
        /// </summary>
        public string LogitColumnName { get; set; } = "Logit";

        // The network.

        /// <summary>The depth. Default <see cref="ResNetArchitecture.ResNet18"/>.</summary>
        public ResNetArchitecture Architecture { get; set; } = ResNetArchitecture.ResNet18;

        /// <summary>
        /// A weights file (torchvision <c>.pth</c>, <c>.safetensors</c> or a ResNet ONNX graph); its block layout wins.
        /// Default null: ResNet18 uses ML.NET's ImageNet network (package Microsoft.ML.DnnImageFeaturizer.ResNet18, layer4
        /// with three blocks), the others torchvision's file from the torch.hub cache.
        /// </summary>
        public string? WeightsPath { get; set; }

        /// <summary>Download torchvision's weights into the torch.hub cache when they are missing. Default false.</summary>
        public bool AllowWeightsDownload { get; set; }

        /// <summary>
        /// Which parts of the network train: <see cref="FreezeStrategy.FeatureExtraction"/>,
        /// <see cref="FreezeStrategy.LastStages"/>, <see cref="FreezeStrategy.Full"/>, <see cref="FreezeStrategy.FromScratch"/>
        /// or <see cref="FreezeStrategy.Auto"/>. Default <see cref="FreezeStrategy.Auto"/> (a domain different from
        /// ImageNet's photographs, as radiographs are).
        /// </summary>
        public FreezeStrategy Strategy { get; set; } = FreezeStrategy.Auto();

        /// <summary>BatchNorm of the frozen part. Default <see cref="BatchNormMode.Frozen"/> (eval mode, statistics kept).</summary>
        public BatchNormMode BatchNormMode { get; set; } = BatchNormMode.Frozen;

        /// <summary>
        /// One input channel, for X-ray, CT and MR: conv1 is adapted from the pretrained RGB weights as
        /// <see cref="GrayscaleAdaptation"/> says. Default false.
        /// </summary>
        public bool Grayscale { get; set; }

        /// <summary>How a grayscale conv1 is made from the RGB weights. Default <see cref="GrayscaleAdapt.Sum"/> (docs/design.md, "Grayscale inputs").</summary>
        public GrayscaleAdapt GrayscaleAdaptation { get; set; } = GrayscaleAdapt.Sum;

        /// <summary>
        /// Resize, crop and augmentation of training images; validation and scoring resize and centre-crop the same. Default
        /// <see cref="AugmentationOptions"/>'s: resize 256, random crop 224, horizontal flip 0.5, rotation ±10°, brightness
        /// and contrast ±0.1.
        /// </summary>
        public AugmentationOptions Augmentation { get; set; } = new();

        // Optimisation.

        /// <summary>Epochs. Default 10.</summary>
        public int Epochs { get; set; } = FineTuneDefaults.Epochs;

        /// <summary>Epochs of linear learning-rate warmup before the cosine decay (fractions allowed). Default 1.</summary>
        public double WarmupEpochs { get; set; } = FineTuneDefaults.WarmupEpochs;

        /// <summary>
        /// Epochs at the start in which only the head trains, before the planned stages unfreeze (fastai's
        /// <c>fine_tune(freeze_epochs=1)</c>). Default 0.
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
        /// unless the strategy sets its own; full fine-tuning uses the strategy's per-stage rates. Default 0.1.
        /// </summary>
        public double BackboneLearningRateRatio { get; set; } = FineTuneDefaults.BackboneLearningRateRatio;

        /// <summary>AdamW's decoupled weight decay, not applied to BatchNorm parameters and biases. Default 1e-4.</summary>
        public double WeightDecay { get; set; } = FineTuneDefaults.WeightDecay;

        /// <summary>Gradients are clipped to this global L2 norm. Default 1.0.</summary>
        public double MaxGradientNorm { get; set; } = FineTuneDefaults.MaxGradientNorm;

        /// <summary>Label smoothing of the cross-entropy (single-label tasks). Default 0.</summary>
        public double LabelSmoothing { get; set; }

        /// <summary>Class weights of the cross-entropy against imbalance. Default <see cref="ClassWeighting.None"/>.</summary>
        public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.None;

        /// <summary>Explicit class weights, one per class in key order; overrides <see cref="ClassWeighting"/>. Default null.</summary>
        public float[]? ClassWeights { get; set; }

        /// <summary>Multi-label: per-label positive weights of the BCE loss (torch's <c>pos_weight</c>). Default null (1).</summary>
        public float[]? PositiveWeights { get; set; }

        /// <summary>Multi-label: what an uncertain target (-1) means. Default <see cref="UncertaintyPolicy.Ignore"/>.</summary>
        public UncertaintyPolicy Uncertainty { get; set; } = UncertaintyPolicy.Ignore;

        /// <summary>
        /// Compute the frozen backbone's features once, for <see cref="FeatureCacheViews"/> augmented views of each
        /// training image, and train the head on them, when they cannot change while training (feature extraction with
        /// frozen BatchNorm, as <see cref="FreezeStrategy.Auto"/> picks for small data sets). Null and true cache then;
        /// false never caches, and runs the backbone on freshly augmented images every epoch. Default null.
        /// </summary>
        public bool? CacheFeatures { get; set; }

        /// <summary>
        /// With the feature cache (<see cref="CacheFeatures"/>): how many randomly augmented views of each training
        /// image it holds, each epoch drawing one of them per image (seeded by <see cref="Seed"/> and the epoch). The
        /// first epoch runs the backbone this many times over the training set; the cache takes views × training images ×
        /// the backbone's features (512 for ResNet18) floats of memory on the device. 1 caches one view without
        /// augmentation (resize and centre crop), as also happens when <see cref="Augmentation"/> has no randomness.
        /// At least 1. Default 4.
        /// </summary>
        public int FeatureCacheViews { get; set; } = FineTuneDefaults.FeatureCacheViews;

        // Validation and the best epoch.

        /// <summary>
        /// Validation data, shaped like the estimator's own input (after the pipeline steps before it: the label mapped with
        /// the same key mapping, the same image column); when null, <see cref="ValidationFraction"/> of the training data
        /// is held out. Default null.
        /// </summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>
        /// Share of the training rows held out when no validation set is given, keeping each group of
        /// <see cref="GroupColumnName"/> on one side and each class in proportion: the same rows as
        /// <see cref="ImageDataCatalog.TrainValidationSplit"/> with this fraction, group column, label column and
        /// <see cref="Seed"/>. 0 holds out nothing. Default 0.2.
        /// </summary>
        public double ValidationFraction { get; set; } = FineTuneDefaults.ValidationFraction;

        /// <summary>What decides the best epoch. Default <see cref="BestModelMetric.ValidationLoss"/>.</summary>
        public BestModelMetric BestModelMetric { get; set; } = BestModelMetric.ValidationLoss;

        /// <summary>Keep (and export) the best epoch's weights at the end, not the last epoch's; needs validation data. Default true.</summary>
        public bool RestoreBestWeights { get; set; } = FineTuneDefaults.RestoreBestWeights;

        /// <summary>Stop after this many epochs without improvement of <see cref="BestModelMetric"/>; null never stops early. Default null.</summary>
        public int? EarlyStoppingPatience { get; set; }

        /// <summary>The improvement of <see cref="BestModelMetric"/> that counts, for early stopping and the best epoch. Default 0.</summary>
        public double EarlyStoppingMinDelta { get; set; }

        /// <summary>
        /// The threshold used when <see cref="ThresholdMethod"/> is <see cref="MLNetTransfer.ThresholdMethod.Fixed"/>, when
        /// there is no validation data, or where the method cannot choose (a label without positives): from this
        /// probability <c>PredictedLabel</c> is the positive class. Default 0.5.
        /// </summary>
        public float DecisionThreshold { get; set; } = 0.5f;

        // The image gate (image files from a path column are checked, all of them, before epoch 1).

        /// <summary>
        /// The largest width x height of an image file accepted, read from its header before anything is decoded, so a
        /// small file that claims a huge size (a decompression bomb) is refused without allocating it. Truncated or
        /// corrupt files, and files that are not PNG or JPEG, are refused too. Default 8192 x 8192.
        /// </summary>
        public long MaxImagePixels { get; set; } = ImageFileCheck.DefaultMaxPixels;

        /// <summary>Accept images whose shorter side is below the crop (<see cref="AugmentationOptions.CropSize"/>); they are then enlarged. Default false: refused, naming them.</summary>
        public bool AllowUpscaling { get; set; }

        /// <summary>
        /// What to do with the images the gate refuses, in the training data and in <see cref="ValidationSet"/>:
        /// <see cref="MLNetTransfer.BadImagePolicy.Fail"/> stops before epoch 1 naming them all;
        /// <see cref="MLNetTransfer.BadImagePolicy.Skip"/> leaves their rows out and lists them in
        /// <see cref="ResNetFineTuneTransformer.SkippedImages"/> and the <see cref="Log"/>. A path column's files are
        /// checked in full (header, size, every row decoded); an MLImage column, already decoded by <c>LoadImages</c>, is
        /// checked for its size only (over <see cref="MaxImagePixels"/>, or below the crop without
        /// <see cref="AllowUpscaling"/>): the pixel budget cannot protect it from a decompression bomb, which
        /// <c>LoadImages</c> has decoded already. Default <see cref="MLNetTransfer.BadImagePolicy.Fail"/>.
        /// </summary>
        public BadImagePolicy BadImagePolicy { get; set; } = BadImagePolicy.Fail;

        // Calibration and the operating point, fitted on the validation set after the best epoch is restored.

        /// <summary>
        /// Fit temperature scaling on the validation set and put it in the exported graph, so the probabilities are
        /// calibrated (Guo et al., ICML 2017); the AUC is unchanged. <see cref="ResNetFineTuneTransformer.Calibration"/>
        /// reports the calibration error before and after. Default true.
        /// </summary>
        public bool Calibrate { get; set; } = true;

        /// <summary>
        /// How the operating threshold of a binary model (on the positive class) or of each label of a multi-label model
        /// is chosen on the calibrated validation probabilities: it is stored in the model and decides
        /// <c>PredictedLabel</c> (p ≥ threshold). Multiclass models predict the argmax. Default
        /// <see cref="MLNetTransfer.ThresholdMethod.Youden"/>.
        /// </summary>
        public ThresholdMethod ThresholdMethod { get; set; } = ThresholdMethod.Youden;

        /// <summary>The sensitivity or specificity that <see cref="MLNetTransfer.ThresholdMethod.TargetSensitivity"/> or <see cref="MLNetTransfer.ThresholdMethod.TargetSpecificity"/> must reach. Default 0.9.</summary>
        public double ThresholdTarget { get; set; } = 0.9;

        /// <summary>
        /// Test-time augmentation: the model (and the validation of every epoch) averages the probabilities of each image
        /// and of its horizontal mirror. Twice the scoring cost. Default false.
        /// </summary>
        public bool TestTimeFlip { get; set; }

        // Checkpoints.

        /// <summary>Where a checkpoint is written after each epoch; null writes none. Default null.</summary>
        public string? CheckpointDirectory { get; set; }

        /// <summary>
        /// Continue from the checkpoint in <see cref="CheckpointDirectory"/>; Fit throws a <see cref="System.IO.FileNotFoundException"/>
        /// naming the folder when it holds none, rather than start afresh. Default false.
        /// </summary>
        public bool Resume { get; set; }

        // The machine.

        /// <summary>
        /// Seed of the validation split, the new head's weights, the data order, augmentation and dropout. Default null:
        /// drawn from <see cref="Environment"/>'s random source (the <c>MLContext</c>'s seed, as ML.NET's own trainers
        /// draw theirs), or 1 without an environment.
        /// </summary>
        public int? Seed { get; set; }

        /// <summary>CUDA device for training and for ONNX Runtime scoring; null = CPU. Default null.</summary>
        public int? GpuDeviceId { get; set; }

        /// <summary>Use the CPU when <see cref="GpuDeviceId"/> is set but no usable GPU is found; false throws. Default false (as ML.NET's ApplyOnnxModel).</summary>
        public bool FallbackToCpu { get; set; }

        /// <summary>Decoding and augmentation threads; 0 = one per processor. Default 0.</summary>
        public int WorkerCount { get; set; }

        /// <summary>
        /// Memory, in bytes, for keeping the training and validation images between epochs once decoded and resized
        /// (float32), so that each file is read and decoded once; images beyond the budget are read again every epoch.
        /// Shared between the two sets by their image counts; 0 turns the cache off. Images from an MLImage column are
        /// held in memory already, at the training resolution. Default 1 GiB: about 4,000 gray or 1,300 RGB images at
        /// 256 x 256.
        /// </summary>
        public long ImageCacheBytes { get; set; } = FineTuneDefaults.ImageCacheBytes;

        /// <summary>
        /// On the CPU under Linux with glibc, keep libtorch's freed buffers in the C heap while training, instead of
        /// returning them to the kernel and mapping them afresh at every step (12–21% of a training step on the benchmark
        /// machine, BENCHMARKS.md). malloc's thresholds are raised process-wide while any training runs and lowered when
        /// the last one ends. No effect elsewhere, on a GPU, or when the process sets malloc's variables itself. Default true.
        /// </summary>
        public bool ReuseNativeMemory { get; set; } = FineTuneDefaults.ReuseNativeMemory;

        // Progress.

        /// <summary>Called after every epoch with its metrics. Default null.</summary>
        public Action<EpochMetrics>? MetricsCallback { get; set; }

        /// <summary>Called after every optimizer step. Default null.</summary>
        public Action<StepProgress>? StepCallback { get; set; }

        /// <summary>Receives messages worth a log line (Auto's choice, resuming, early stopping). Default null.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Stops training between steps; the last checkpoint stays. Default none.</summary>
        public CancellationToken CancellationToken { get; set; }

        // ML.NET's environment.

        /// <summary>
        /// The <c>MLContext</c> (or any ML.NET environment) the estimator works in. ML.NET keeps a catalog's environment
        /// internal, so <c>mlContext.Transforms.FineTuneResNet</c> cannot find it itself: set it here, and the trainer's
        /// messages (the epoch lines, the best epoch, early stopping, calibration, warnings) go through its channel to
        /// <c>MLContext.Log</c>, and its seed seeds the run when <see cref="Seed"/> is null. Default null (messages go only
        /// to <see cref="Log"/>).
        /// </summary>
        public IHostEnvironment? Environment { get; set; }

        /// <summary>Receives every epoch's metrics, as <see cref="MetricsCallback"/> does (.NET's progress convention). Default null.</summary>
        public IProgress<EpochMetrics>? Progress { get; set; }

        // A copy with the run's seed resolved, so every consumer of Seed in the fit reads the same number.
        internal Options WithSeed(int seed)
        {
            var copy = (Options)MemberwiseClone();
            copy.Seed = seed;
            return copy;
        }
    }
}
