using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MLNetTransfer.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Onnx;
using MLNetTransfer.Torch;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Metrics;
using MLNetTransfer.Torch.Modules;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MLNetTransfer;

/// <summary>
/// Fine-tunes an ImageNet-pretrained ResNet on the images and labels of an IDataView and returns a transformer that
/// scores with ONNX Runtime through ML.NET's own <c>ApplyOnnxModel</c>. Create it with
/// <see cref="TransferLearningCatalog.FineTuneResNet(TransformsCatalog, Options)"/>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes |
/// | Input column data type | Image (LoadImages) or String (file path); label: Key, Boolean or known-size Vector of Single |
/// | Output column data type | Score: Vector of Single; PredictedLabel: Key (single-label); Probability and Logit: Single (binary) |
/// | Required NuGet in addition to Microsoft.ML | MLNetTransfer (training); Microsoft.ML.ImageAnalytics and Microsoft.ML.OnnxTransformer (scoring) |
/// | Exportable to ONNX | Yes: the fitted model is an ONNX graph (<see cref="ResNetFineTuneTransformer.SaveOnnx(string)"/>) |
///
/// Training runs on TorchSharp (libtorch): the strategy's freezing, AdamW, warmup and cosine, validation ROC AUC per
/// epoch and the best epoch's weights. The fitted transformer is a chain of ML.NET transformers ending in
/// <c>OnnxTransformer</c>: <c>mlContext.Model.Save</c> writes it, and <c>Model.Load</c> returns it as a
/// <c>TransformerChain</c> in any app with ML.NET and OnnxTransformer, without TorchSharp.
/// ]]></format>
/// </remarks>
public sealed class ResNetFineTuneTrainer : IEstimator<ResNetFineTuneTransformer>
{
    private readonly Options _options;

    internal ResNetFineTuneTrainer(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _options = options;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var image = CheckColumn(inputSchema, _options.ImageColumnName);
        if (image.Kind != SchemaShape.Column.VectorKind.Scalar || !SchemaChecks.IsImageType(image.ItemType))
        {
            bool byteVector = image.Kind != SchemaShape.Column.VectorKind.Scalar && image.ItemType is NumberDataViewType n && n.RawType == typeof(byte);
            throw SchemaChecks.ImageMismatch(_options.ImageColumnName, SchemaChecks.TypeString(image), byteVector);
        }

        var label = CheckColumn(inputSchema, _options.LabelColumnName);
        if (_options.GroupColumnName is { } group)
        {
            var column = CheckColumn(inputSchema, group);
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !SchemaChecks.IsGroupRawType(column.ItemType.RawType))
            {
                throw SchemaChecks.Mismatch(group, SchemaChecks.GroupExpected, SchemaChecks.TypeString(column));
            }
        }

        return OutputSchema.Get(inputSchema, _options, label);
    }

    /// <summary>Reads the data, trains, exports ONNX and returns the scoring transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type (ML.NET's wording).</exception>
    public ResNetFineTuneTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Every column is checked before any work (the model's weights, the images), as GetOutputSchema checks them.
        SchemaChecks.CheckImage(input.Schema, _options.ImageColumnName);
        SchemaChecks.Find(input.Schema, _options.LabelColumnName);
        SchemaChecks.CheckGroup(input.Schema, _options.GroupColumnName);
        var labels = LabelSchema.From(input.Schema, _options.LabelColumnName);
        if (_options.ValidationSet is { } validationInput)
        {
            CheckValidationSchema(validationInput.Schema, labels);
        }

        Validate(_options);
        var device = DeviceSelector.Resolve(_options.GpuDeviceId, _options.FallbackToCpu);
        CheckOnnxRuntimeDevice();
        using var model = PretrainedModelFactory.Create(_options);
        int channels = (int)model.InChannels;
        var augmentation = _options.Augmentation;
        DecodedImage Reduce(DecodedImage image) => ImageTransforms.Prepare(image, augmentation, channels);

        var rows = ImageRowReader.Read(input, labels, _options.ImageColumnName, _options.GroupColumnName, _options.ImageFolder, Reduce, "The training data");
        LabeledImageRows train, validation;
        if (_options.ValidationSet is { } validationSet)
        {
            train = rows;
            validation = ImageRowReader.Read(validationSet, labels, _options.ImageColumnName, _options.GroupColumnName, _options.ImageFolder, Reduce, "The validation set");
        }
        else if (_options.ValidationFraction > 0)
        {
            var (trainRows, validationRows) = GroupedSplit.Split(rows, _options.ValidationFraction, _options.Seed);
            train = rows.Subset(trainRows);
            validation = rows.Subset(validationRows);
        }
        else
        {
            train = rows;
            validation = null!;
        }

        var result = FineTuneTrainer.Train(model, ToData(train, labels), validation is null ? null : ToData(validation, labels), EngineOptions(_options, device));

        byte[] onnx = Export(model, labels, result);
        var ml = new MLContext(_options.Seed);
        return new ResNetFineTuneTransformer(ScoringChain.Build(ml, input, _options, labels, augmentation.ResizeTo, onnx), result, labels.ClassNames, labels.Task);
    }

    // The engine's options from ours (the rows arrive already reduced to the resize resolution; the augmentation
    // crops and jitters from there).
    private static FineTuneOptions EngineOptions(Options o, TorchSharp.torch.Device? device) => new()
    {
        Strategy = o.Strategy,
        BatchNormMode = o.BatchNormMode,
        Epochs = o.Epochs,
        WarmupEpochs = o.WarmupEpochs,
        HeadOnlyEpochs = o.HeadOnlyEpochs,
        GradualUnfreezing = o.GradualUnfreezing,
        BatchSize = o.BatchSize,
        LearningRate = o.LearningRate,
        BackboneLearningRateRatio = o.BackboneLearningRateRatio,
        WeightDecay = o.WeightDecay,
        LabelSmoothing = o.LabelSmoothing,
        ClassWeighting = o.ClassWeighting,
        PositiveWeights = o.PositiveWeights,
        Uncertainty = o.Uncertainty,
        BestModelMetric = o.BestModelMetric,
        EarlyStoppingPatience = o.EarlyStoppingPatience,
        CheckpointDirectory = o.CheckpointDirectory,
        Resume = o.Resume,
        Augmentation = o.Augmentation,
        WorkerCount = o.WorkerCount,
        ImageCacheBytes = o.ImageCacheBytes,
        ReuseNativeMemory = o.ReuseNativeMemory,
        Seed = o.Seed,
        Device = device,
        CancellationToken = o.CancellationToken,
        MetricsCallback = o.MetricsCallback,
        StepCallback = o.StepCallback,
        Log = o.Log,
    };

    // The validation set is checked with the training data, before any work: its columns, and the same classes in the
    // same key order (a key mapping fitted separately on the validation rows may order them differently, and class i
    // would then silently mean another class in validation).
    private void CheckValidationSchema(DataViewSchema schema, LabelSchema labels)
    {
        try
        {
            SchemaChecks.CheckImage(schema, _options.ImageColumnName);
            SchemaChecks.CheckGroup(schema, _options.GroupColumnName);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentOutOfRangeException(nameof(Options.ValidationSet), $"ValidationSet: {e.Message}");
        }

        var validationLabels = LabelSchema.From(schema, _options.LabelColumnName);
        if (validationLabels.Task != labels.Task || !validationLabels.ClassNames.SequenceEqual(labels.ClassNames))
        {
            throw new ArgumentException(
                $"The validation set's label column '{_options.LabelColumnName}' has the {validationLabels.Task} classes [{string.Join(", ", validationLabels.ClassNames)}], " +
                $"the training data's [{string.Join(", ", labels.ClassNames)}]. Map both with the same fitted MapValueToKey (or keyOrdinality ByValue).",
                nameof(Options.ValidationSet));
        }
    }

    // ONNX Runtime's CUDA provider is needed only for scoring, after training; check for it now, so that a CPU-only
    // onnxruntime package fails in seconds, not after hours of training (when fallback is not allowed).
    private void CheckOnnxRuntimeDevice()
    {
        if (_options.GpuDeviceId is null || _options.FallbackToCpu)
        {
            return;
        }

        var providers = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders();
        if (!providers.Contains("CUDAExecutionProvider"))
        {
            throw new InvalidOperationException(
                $"GPU {_options.GpuDeviceId} was requested but ONNX Runtime has no CUDA provider (available: {string.Join(", ", providers)}). " +
                "Reference Microsoft.ML.OnnxRuntime.Gpu for scoring on the GPU, or set FallbackToCpu.");
        }
    }

    private byte[] Export(ResNet model, LabelSchema labels, FineTuneResult result)
    {
        var layout = model.Layout;
        var spec = new ResNetOnnxSpec(OnnxExport.BlockKind(layout), layout.BlocksPerStage)
        {
            ArchitectureName = layout.Name,
            NetworkChannels = (int)model.InChannels,
            InputChannels = 3, // ExtractPixels gives R, G, B planes; a gray network takes their luma in the graph
            InputSize = _options.Augmentation.ResizeTo,
            CropSize = _options.Augmentation.CropSize,
            Mean = model.Normalization.Mean,
            Std = model.Normalization.Std,
            Head = result.Strategy.Kind == FreezeStrategyKind.FeatureExtraction ? ClassifierHeadKind.Mlp : ClassifierHeadKind.Linear,
            Activation = labels.Task == TaskKind.MultiLabel ? OutputActivation.Sigmoid : OutputActivation.Softmax,
            InputName = ScoringChain.Pixels,
            OutputName = ScoringChain.Score,
            IncludePredictionOutputs = labels.Task != TaskKind.MultiLabel,
            DecisionThreshold = _options.DecisionThreshold,
            PredictedIndexName = ScoringChain.PredictedIndex,
            ProbabilityName = ScoringChain.Probability,
            LogitName = ScoringChain.Logit,
        };
        var best = result.Epochs.FirstOrDefault(e => e.Epoch == result.BestEpoch);
        var metadata = new ModelMetadata
        {
            ClassLabels = labels.ClassNames,
            Task = labels.Task switch
            {
                TaskKind.Binary => PredictionTask.Binary,
                TaskKind.Multiclass => PredictionTask.Multiclass,
                _ => PredictionTask.Multilabel,
            },
            DecisionThreshold = _options.DecisionThreshold,
            Description = $"{layout.Name} fine-tuned by MLNetTransfer ({result.Strategy}).",
            Extras = new Dictionary<string, string>
            {
                ["strategy"] = result.Strategy.ToString(),
                ["epochs_trained"] = result.Epochs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["best_epoch"] = result.BestEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["validation_auc"] = (best?.ValidationAuc ?? double.NaN).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["trainable_parameters"] = result.TrainableParameters.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        return ResNetOnnxWriter.Write(OnnxExport.Snapshot(model), spec, metadata);
    }

    private static FineTuneData ToData(LabeledImageRows rows, LabelSchema labels) => labels.Task == TaskKind.MultiLabel
        ? FineTuneData.MultiLabel(rows.Images, rows.Targets!)
        : FineTuneData.SingleLabel(rows.Images, rows.Classes!, labels.Outputs);

    private static SchemaShape.Column CheckColumn(SchemaShape schema, string name) =>
        OutputSchema.FindColumn(schema, name) ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{name}'");

    private static void Validate(Options o)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(o.LabelColumnName, nameof(o.LabelColumnName));
        ArgumentException.ThrowIfNullOrWhiteSpace(o.ImageColumnName, nameof(o.ImageColumnName));
        ArgumentNullException.ThrowIfNull(o.Strategy, nameof(o.Strategy));
        ArgumentNullException.ThrowIfNull(o.Augmentation, nameof(o.Augmentation));
        o.Augmentation.Validate();
        // The engine's own checks (epochs, batch size, rates, …), before any data is read.
        EngineOptions(o, device: null).Validate();
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.ValidationFraction), o.ValidationFraction, "ValidationFraction lies in [0, 1).");
        }

        if (!(o.DecisionThreshold > 0 && o.DecisionThreshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.DecisionThreshold), o.DecisionThreshold, "DecisionThreshold lies strictly between 0 and 1.");
        }

        var outputs = new[] { o.ScoreColumnName, o.PredictedLabelColumnName, o.ProbabilityColumnName, o.LogitColumnName };
        if (outputs.Any(string.IsNullOrWhiteSpace) || outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Length)
        {
            throw new ArgumentException($"The output column names must be set and distinct: [{string.Join(", ", outputs)}].", nameof(Options));
        }

        if (outputs.Any(c => c.StartsWith(ScoringChain.Prefix, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"Output column names may not start with '{ScoringChain.Prefix}', which the scoring chain uses for its working columns.", nameof(Options));
        }
    }

    /// <summary>Options of <see cref="ResNetFineTuneTrainer"/>: every setting of a fine-tune, each with its documented default.</summary>
    public sealed class Options
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
}
