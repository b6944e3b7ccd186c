using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MLNetTransfer.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Onnx;
using MLNetTransfer.Scoring;
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
/// | Input column data type | Image (LoadImages) or String (file path); label: Key, String or another scalar value (mapped to a key by value inside Fit, so the fitted model needs no label), Boolean or known-size Vector of Single |
/// | Output column data type | Score: Vector of Single; PredictedLabel: Key (single-label) or Vector of Boolean (multi-label); Probability and Logit: Single (binary) |
/// | Required NuGet in addition to Microsoft.ML | MLNetTransfer (brings ImageAnalytics, OnnxTransformer, ONNX Runtime's CPU build and ML.NET's ResNet18 weights) and one libtorch package: TorchSharp-cpu, or TorchSharp-cuda-linux for CUDA; scoring a saved model needs only Microsoft.ML.ImageAnalytics, Microsoft.ML.OnnxTransformer and Microsoft.ML.OnnxRuntime |
/// | Exportable to ONNX | Yes: the fitted model is an ONNX graph (<see cref="ResNetFineTuneTransformer.SaveOnnx(string)"/>) |
///
/// Training runs on TorchSharp (libtorch): the strategy's freezing, AdamW, warmup and cosine, validation ROC AUC per
/// epoch and the best epoch's weights. The fitted transformer is a chain of ML.NET transformers ending in
/// <c>OnnxTransformer</c>: <c>mlContext.Model.Save</c> writes it, and <c>Model.Load</c> returns it as a
/// <c>TransformerChain</c> in any app with ML.NET and OnnxTransformer, without TorchSharp.
/// ]]></format>
/// </remarks>
public sealed partial class ResNetFineTuneTrainer : IEstimator<ResNetFineTuneTransformer>
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
    /// <exception cref="ImageFileException">
    /// With <see cref="Options.BadImagePolicy"/> Fail: image files of a path column, or images of an MLImage column, that
    /// the image gate refuses, all named, before training starts.
    /// </exception>
    public ResNetFineTuneTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Every column is checked before any work (the model's weights, the images), as GetOutputSchema checks them.
        SchemaChecks.CheckImage(input.Schema, _options.ImageColumnName);
        if (_options.PixelReader is not null && input.Schema[_options.ImageColumnName].Type is not TextDataViewType)
        {
            throw new ArgumentException(
                $"Options.PixelReader reads image files, so ImageColumnName '{_options.ImageColumnName}' must be a String column of paths, not {input.Schema[_options.ImageColumnName].Type}.",
                nameof(Options.PixelReader));
        }

        RawLabelKeys.Check(input.Schema, _options.LabelColumnName);
        SchemaChecks.CheckGroup(input.Schema, _options.GroupColumnName);
        // The run's seed (the options', else drawn from the MLContext's) and its message channel, first: every later step reads them.
        using var messages = TrainerMessages.Open(_options);
        var o = _options.WithSeed(messages.Seed);

        // A raw label (text, a number) becomes a key here, on the training rows, and stays out of the fitted model.
        var ml = new MLContext(messages.Seed);
        var toKey = RawLabelKeys.Fit(ml, input, _options.LabelColumnName);
        input = toKey?.Transform(input) ?? input;
        // The validation set's raw label gets the training rows' mapping; one the user mapped already is compared as it is.
        var validationInput = _options.ValidationSet is { } v
            ? toKey is not null && v.Schema.GetColumnOrNull(_options.LabelColumnName) is { } vl && RawLabelKeys.IsRaw(vl.Type) ? toKey.Transform(v) : v
            : null;
        var labels = LabelSchema.From(input.Schema, _options.LabelColumnName);
        if (validationInput is not null)
        {
            CheckValidationSchema(validationInput.Schema, labels);
        }

        Validate(_options);
        // libtorch, ONNX Runtime and the weights file, all named at once, before any image is read or epoch run.
        NativeLibraryCheck.Run(o);
        var device = DeviceSelector.Resolve(o.GpuDeviceId, o.FallbackToCpu);
        CheckOnnxRuntimeDevice();
        using var model = PretrainedModelFactory.Create(o);
        int channels = (int)model.InChannels;
        var augmentation = o.Augmentation;
        DecodedImage Reduce(DecodedImage image) => ImageTransforms.Prepare(image, augmentation, channels);

        // Training reads every image through the scoring chain's own resize (ImagePreprocessing), or the full-precision
        // reader's (ImagePixelInput), so the epochs are validated on the pixels the saved model will be scored on.
        using IModelPixelLoader pixels = o.PixelReader is { } reader
            ? new ReaderPixelLoader(reader, augmentation.ResizeTo)
            : new ScoringPixelLoader(ml, augmentation.ResizeTo);
        var gate = new ImageRowReader.ImageGate(o.MaxImagePixels, o.AllowUpscaling ? 0 : augmentation.CropSize, o.BadImagePolicy);
        var skipped = new List<SkippedImage>();
        var rows = ImageRowReader.Read(input, labels, o.ImageColumnName, o.GroupColumnName, o.ImageFolder, pixels, Reduce, "The training data", gate, skipped);
        LabeledImageRows train, validation;
        if (validationInput is { } validationSet)
        {
            train = rows;
            validation = ImageRowReader.Read(validationSet, labels, o.ImageColumnName, o.GroupColumnName, o.ImageFolder, pixels, Reduce, "The validation set", gate, skipped);
        }
        else if (o.ValidationFraction > 0)
        {
            var (trainRows, validationRows) = GroupedSplit.Split(rows, o.ValidationFraction, messages.Seed);
            train = rows.Subset(trainRows);
            validation = rows.Subset(validationRows);
        }
        else
        {
            train = rows;
            validation = null!;
        }

        LogSkipped(messages, skipped);
        var validationData = validation is null ? null : ToData(validation, labels);
        var engine = EngineOptions(o, device);
        engine.Log = messages.Info;
        engine.MetricsCallback = messages.Epoch;
        var result = FineTuneTrainer.Train(model, ToData(train, labels), validationData, engine);

        // Calibration and the operating threshold, on the restored model's validation logits, before the export that stores them.
        var calibration = ValidationCalibrator.Fit(result.ValidationLogits, validationData, o, labels.Task, labels.Outputs);
        LogCalibration(messages, calibration, labels.Task);
        byte[] onnx = Export(model, labels, result, calibration);
        if (o.PixelReader is { } pixelReader)
        {
            var pathsToPixels = PixelColumnMapping.Fit(ml, input, o.ImageColumnName, o.ImageFolder, pixelReader, augmentation.ResizeTo);
            return new ResNetFineTuneTransformer(ScoringChain.Build(ml, pathsToPixels.Transform(input), o, labels, augmentation.ResizeTo, onnx), result, calibration,
                labels.ClassNames, labels.Task, skipped, pathsToPixels, pixelReader);
        }

        return new ResNetFineTuneTransformer(ScoringChain.Build(ml, input, o, labels, augmentation.ResizeTo, onnx), result, calibration, labels.ClassNames, labels.Task, skipped);
    }

    // The engine's options from ours, member for member (OptionsTests checks that every engine setting is reached), with
    // the device resolved. The rows arrive already reduced to the resize resolution; the augmentation crops and jitters
    // from there.
    internal static FineTuneOptions EngineOptions(Options o, TorchSharp.torch.Device? device) => new()
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
        MaxGradientNorm = o.MaxGradientNorm,
        LabelSmoothing = o.LabelSmoothing,
        ClassWeighting = o.ClassWeighting,
        ClassWeights = o.ClassWeights,
        PositiveWeights = o.PositiveWeights,
        Uncertainty = o.Uncertainty,
        CacheFeatures = o.CacheFeatures,
        TestTimeFlip = o.TestTimeFlip,
        FeatureCacheViews = o.FeatureCacheViews,
        BestModelMetric = o.BestModelMetric,
        RestoreBestWeights = o.RestoreBestWeights,
        EarlyStoppingPatience = o.EarlyStoppingPatience,
        EarlyStoppingMinDelta = o.EarlyStoppingMinDelta,
        CheckpointDirectory = o.CheckpointDirectory,
        Resume = o.Resume,
        Augmentation = o.Augmentation,
        WorkerCount = o.WorkerCount,
        ImageCacheBytes = o.ImageCacheBytes,
        ReuseNativeMemory = o.ReuseNativeMemory,
        Seed = o.Seed ?? FineTuneDefaults.Seed,
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

    // BadImagePolicy.Skip never leaves a row out silently: each one, with its reason, before epoch 1.
    private static void LogSkipped(TrainerMessages messages, IReadOnlyList<SkippedImage> skipped)
    {
        if (skipped.Count == 0)
        {
            return;
        }

        messages.Warning($"BadImagePolicy.Skip left out {skipped.Count} image(s) the image gate refused:");
        foreach (var s in skipped)
        {
            messages.Warning($"  {s.Data}, row {s.Row}: '{s.Path}' {s.Reason}");
        }
    }

    private static void LogCalibration(TrainerMessages messages, CalibrationResult c, TaskKind task)
    {
        if (double.IsNaN(c.ValidationLoss))
        {
            messages.Info($"Calibration skipped (no validation data, or {nameof(Options.Calibrate)} is false); the operating threshold is {nameof(Options.DecisionThreshold)}.");
            return;
        }

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        messages.Info(string.Create(inv, $"Calibration on the validation set: temperature {string.Join(", ", c.Temperatures.Select(t => t.ToString("G4", inv)))}; " +
            $"log-loss {c.ValidationLossUncalibrated:F4} -> {c.ValidationLoss:F4} nats, ECE {c.ValidationEceUncalibrated:F4} -> {c.ValidationEce:F4}."));
        if (task != TaskKind.Multiclass)
        {
            messages.Info(string.Create(inv, $"Operating threshold ({CalibrationResult.MethodName(c.ThresholdMethod)}): {string.Join(", ", c.Thresholds.Select(t => t.ToString("G4", inv)))}.{(c.ThresholdNote is { } note ? " " + note : "")}"));
        }
    }

    private byte[] Export(ResNet model, LabelSchema labels, FineTuneResult result, CalibrationResult calibration)
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
            Thresholds = labels.Task == TaskKind.Multiclass ? ResNetOnnxSpec.Defaults.Thresholds : calibration.Thresholds.Select(t => (float)t).ToArray(),
            Temperatures = calibration.Temperatures.Select(t => (float)t).ToArray(),
            TestTimeFlip = calibration.TestTimeFlip,
            PredictedIndexName = ScoringChain.PredictedIndex,
            ProbabilityName = ScoringChain.Probability,
            LogitName = ScoringChain.Logit,
            PredictedLabelsName = labels.Task == TaskKind.MultiLabel ? ScoringChain.PredictedLabels : null,
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
            Description = $"{layout.Name} fine-tuned by MLNetTransfer ({result.Strategy}).",
            Extras = new Dictionary<string, string>
            {
                ["strategy"] = result.Strategy.ToString(),
                ["epochs_trained"] = result.Epochs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["best_epoch"] = result.BestEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["validation_auc"] = (best?.ValidationAuc ?? double.NaN).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["trainable_parameters"] = result.TrainableParameters.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [ModelCalibrationKeys.ThresholdNote] = calibration.ThresholdNote ?? "",
                [ModelCalibrationKeys.ThresholdTarget] = calibration.ThresholdTarget.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                [ModelCalibrationKeys.ValidationLoss] = calibration.ValidationLoss.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                [ModelCalibrationKeys.ValidationLossUncalibrated] = calibration.ValidationLossUncalibrated.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                [ModelCalibrationKeys.ValidationEce] = calibration.ValidationEce.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                [ModelCalibrationKeys.ValidationEceUncalibrated] = calibration.ValidationEceUncalibrated.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                [ModelCalibrationKeys.PixelReader] = _options.PixelReader?.Description ?? "",
            },
            ThresholdMethod = CalibrationResult.MethodName(calibration.ThresholdMethod),
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

        if (o.MaxImagePixels <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(o.MaxImagePixels), o.MaxImagePixels, "MaxImagePixels, the largest width x height accepted, must be positive.");
        }

        if (!Enum.IsDefined(o.BadImagePolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(o.BadImagePolicy), o.BadImagePolicy, "BadImagePolicy is not one of Fail, Skip.");
        }

        if (!(o.ThresholdTarget >= 0 && o.ThresholdTarget <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.ThresholdTarget), o.ThresholdTarget, "ThresholdTarget, a sensitivity or specificity, lies in [0, 1].");
        }

        if (!Enum.IsDefined(o.ThresholdMethod))
        {
            throw new ArgumentOutOfRangeException(nameof(o.ThresholdMethod), o.ThresholdMethod, "ThresholdMethod is not one of Youden, TargetSensitivity, TargetSpecificity, MaxF1, Fixed.");
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
}
