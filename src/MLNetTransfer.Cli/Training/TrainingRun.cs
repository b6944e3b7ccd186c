using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Commands;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Scoring;
using Spectre.Console;

namespace MLNetTransfer.Cli.Training;

/// <summary>
/// <c>train</c>: reads the data set, maps the labels to keys and fits the ML.NET pipeline FineTuneResNet → MapKeyToValue (the one
/// README.md shows), saves model.zip, loads it back as any ML.NET app would, evaluates it on the test split (or, without
/// one, the validation set) and writes the metrics file and the report.
/// </summary>
internal static class TrainingRun
{
    public static int Execute(TrainSettings settings, CancellationToken cancellation)
    {
        var run = Prepare(settings);
        var (ml, dataset, trainRecords, validationRecords) = (run.Ml, run.Dataset, run.Train, run.Validation);
        string modelPath = Path.GetFullPath(settings.ModelPath);
        var training = FitAndSave(run, settings, modelPath, cancellation);

        // The saved file, not the object in memory, is what gets evaluated: what the user will ship.
        using var saved = ModelFile.Load(ml, modelPath);
        var (evaluated, evaluatedOn) = run.Evaluated();
        var metrics = ModelEvaluator.Evaluate(ml, saved, evaluated, evaluatedOn, settings.BootstrapSamples, cancellation);
        var described = Describe(settings, dataset, trainRecords.Count, validationRecords.Count, modelPath);
        Summary.Print(metrics, evaluatedOn);
        var skipped = settings.BadImages == BadImagePolicy.Skip ? run.Skipped : null;
        if (skipped is not null)
        {
            AnsiConsole.WriteLine($"--bad-images skip: {skipped.Count} image(s) left out (train {skipped.Count(s => s.Split == SkippedImageRow.TrainSplit)}, " +
                $"validation {skipped.Count(s => s.Split == SkippedImageRow.ValidationSplit)}, test {skipped.Count(s => s.Split == SkippedImageRow.TestSplit)}).");
        }

        if (settings.MetricsJsonPath is { } json)
        {
            MetricsJson.Write(json, "train", metrics, evaluatedOn, training, described, skipped);
            AnsiConsole.WriteLine($"Wrote {Path.GetFullPath(json)}");
        }

        if (settings.ReportDirectory is { } report)
        {
            string index = ReportWriter.Write(report, $"mlnet-transfer train: {settings.ArchitectureName}, {training.Strategy}", metrics, evaluatedOn, training, described, skipped);
            AnsiConsole.WriteLine($"Wrote the report {index}");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Reads the data set, checks its images, splits off the validation set and builds the views that
    /// <see cref="FitAndSave"/> trains on: everything before the fit, done once however many models are fitted.
    /// </summary>
    internal static PreparedRun Prepare(TrainSettings settings)
    {
        var read = DatasetReader.Read(settings.Data);
        var dataset = read.WithClassOrder(PositiveClass.Order(read, settings.PositiveClass));
        AnsiConsole.WriteLine(dataset.Describe());
        foreach (var warning in dataset.Warnings)
        {
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        }

        // Before training, not after it: the test images, which ML.NET's loader reads at the end. FineTuneResNet checks
        // the training and validation images itself, all of them, before epoch 1 (ImageFileException, exit 2).
        var ml = ProcessTempFolder.NewContext(settings.Seed);
        // DICOM files and 16-bit PNGs are read at full precision (--pixels); the test split is checked by the same reader.
        var allPaths = dataset.Train.Concat(dataset.Validation ?? Array.Empty<ImageRecord>()).Concat(dataset.Test ?? Array.Empty<ImageRecord>()).Select(r => r.Path);
        var (reader, why) = PixelReaders.Choose(ml, settings.Pixels, allPaths);
        AnsiConsole.WriteLine(reader is null ? $"Images are read by ML.NET's 8-bit loader ({why})." : $"Images are read at full precision by {reader.Description} ({why}).");
        var testSkipped = new List<SkippedImageRow>();
        if (dataset.Test is { } testSplit && settings.BadImages == BadImagePolicy.Skip)
        {
            // --bad-images skip: the test split without the images the gate refuses, which are listed.
            var (kept, refused) = ImageCheck.Partition(testSplit, SkippedImageRow.TestSplit, settings.MaxImagePixels, reader);
            testSkipped.AddRange(refused);
            dataset = new LabeledDataset(dataset.Task, dataset.ClassNames, dataset.Train, dataset.Validation, kept, dataset.Warnings) { Counts = dataset.Counts };
            foreach (var skipped in testSkipped)
            {
                AnsiConsole.MarkupLine(Markup.Escape($"--bad-images skip: the test split's '{skipped.Path}' {skipped.Reason}"));
            }
        }
        else if (dataset.Test is { } test)
        {
            ModelEvaluator.CheckImages(test, "The test split", settings.MaxImagePixels, reader);
        }

        bool multiLabel = dataset.Task == TaskKind.MultiLabel;
        var classes = dataset.ClassNames;
        var trainRecords = dataset.Train;
        IReadOnlyList<ImageRecord> validationRecords;
        string validationSource;
        if (dataset.Validation is { } validation)
        {
            validationRecords = validation;
            validationSource = "the validation split";
        }
        else
        {
            (trainRecords, validationRecords) = HoldOut(ml, dataset, settings);
            validationSource = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{settings.ValidationFraction:P0} held out of {DataSourceOptions.DataOption}{(settings.Data.GroupColumn is null ? "" : $" by {settings.Data.GroupColumn}")}");
        }

        AnsiConsole.WriteLine($"Training on {trainRecords.Count} images, validating on {validationRecords.Count} ({validationSource}).");
        if (settings.ValidationListPath is { } list)
        {
            WriteValidationList(list, validationRecords);
        }

        var trainView = ImageRows.Create(ml, trainRecords, classes, multiLabel);
        var validationView = ImageRows.Create(ml, validationRecords, classes, multiLabel);
        var run = new PreparedRun(ml, dataset, trainRecords, validationRecords, trainView, validationView) { PixelReader = reader };
        run.Skipped.AddRange(testSkipped);
        return run;
    }

    /// <summary>
    /// Fits the pipeline of <paramref name="settings"/> (its strategy, epochs, seed ...) on <paramref name="run"/>'s
    /// views and saves it to <paramref name="modelPath"/>; the fitted object is disposed, so what is evaluated afterwards
    /// is the saved file.
    /// </summary>
    internal static FineTuneResult FitAndSave(PreparedRun run, TrainSettings settings, string modelPath, CancellationToken cancellation)
    {
        var (ml, trainView, validationView, classes, multiLabel) = (run.Ml, run.TrainView, run.ValidationView, run.Dataset.ClassNames, run.MultiLabel);
        var options = FineTuneOptions(settings, cancellation);
        options.PixelReader = run.PixelReader;

        FineTuneResult training;
        try
        {
            AnsiConsole.WriteLine($"Fine-tuning {settings.ArchitectureName} ({(settings.WeightsPath is null ? DefaultWeights(settings) : settings.WeightsPath)}), " +
                $"strategy {settings.Strategy}, {(settings.Grayscale ? "1-channel" : "RGB")} input {settings.ImageSize} px, {settings.Epochs} epochs of batch {settings.BatchSize} ...");
            using var model = ConsoleProgress.Run(settings.Epochs, (onStep, onEpoch) =>
            {
                options.StepCallback = onStep;
                options.MetricsCallback = onEpoch;
                return Fit(ml, options, trainView, validationView, classes, multiLabel);
            });
            var fitted = model.OfType<ResNetFineTuneTransformer>().Single();
            training = fitted.TrainingResult;
            // --bad-images skip: this fit's training and validation images left out (the same for every fit of one run).
            run.Skipped.RemoveAll(s => s.Split != SkippedImageRow.TestSplit);
            run.Skipped.AddRange(fitted.SkippedImages.Select(SkippedImageRow.FromLibrary));
            Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
            // A full-precision model's saved chain starts at the Pixels column: its input schema says so, next to the paths.
            var savedSchema = run.PixelReader is { } pixelReader
                ? ml.Transforms.LoadModelPixels(pixelReader, options.Augmentation.ResizeTo, ImageRows.PathColumn).Fit(trainView).GetOutputSchema(trainView.Schema)
                : trainView.Schema;
            AtomicFile.Write(modelPath, stream => ml.Model.Save(model, savedSchema, stream));
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException && settings.WeightsPath is { } weights
            && e.Message.Contains(Path.GetFileName(weights), StringComparison.Ordinal))
        {
            // The weights file's readers name the file; say which option it came from.
            throw new CliException(ExitCodes.Failed, $"--weights: {e.Message}", e);
        }
        catch (FileNotFoundException e) when (settings.WeightsPath is null && e.FileName is { } file && file.EndsWith(".pth", StringComparison.Ordinal))
        {
            // torchvision's file is not in the torch.hub cache: say which options supply it.
            throw new CliException(ExitCodes.Failed, $"--arch {settings.ArchitectureName}: {e.Message} Pass --weights FILE, or {TrainCommand.AllowDownloadOption} " +
                "(--strategy scratch needs no weights).", e);
        }
        catch (System.Net.Http.HttpRequestException e) when (settings.AllowDownload)
        {
            throw new CliException(ExitCodes.Failed, $"{TrainCommand.AllowDownloadOption}: downloading torchvision's {settings.ArchitectureName} weights failed ({e.Message}). Download the file into the torch.hub cache by hand, or pass --weights FILE.", e);
        }
        catch (OperationCanceledException)
        {
            throw new CliException(ExitCodes.Canceled, settings.CheckpointDirectory is null
                ? "Training was stopped. Pass --checkpoint-dir to be able to resume a stopped run."
                : $"Training was stopped; the last checkpoint is in {settings.CheckpointDirectory}. Run the same command with --resume to continue.");
        }

        AnsiConsole.MarkupLine(Markup.Escape($"Strategy {training.Strategy}; " +
            $"{training.TrainableParameters:N0} trainable parameters; best epoch {training.BestEpoch}; {training.TrainSeconds:F0} s, {training.ImagesPerSecond:F1} images/s."));
        AnsiConsole.WriteLine($"Saved {modelPath}");
        return training;
    }

    /// <summary>What the default weights are, in words (README.md, "The ResNet family and pretrained weights").</summary>
    public static string DefaultWeights(TrainSettings settings) =>
        settings.Architecture == ResNetArchitecture.ResNet18 ? "ML.NET's ImageNet ResNet18, resnet18-mlnet: layer4 has three blocks"
        : settings.Strategy.Kind == FreezeStrategyKind.FromScratch ? "none: torchvision's layout, initialised at random (from scratch)"
        : "torchvision's ImageNet weights from the torch.hub cache";

    internal static ResNetFineTuneTrainer.Options FineTuneOptions(TrainSettings settings, CancellationToken cancellation)
    {
        var options = BaseOptions(settings, cancellation);
        // The engine's knobs (--batchnorm … --device), augmentation and warmup among them.
        settings.Engine.Apply(options, settings.Epochs, settings.ResizeTo, settings.ImageSize);
        return options;
    }

    private static ResNetFineTuneTrainer.Options BaseOptions(TrainSettings settings, CancellationToken cancellation) => new()
    {
        ImageColumnName = ImageRows.PathColumn,
        LabelColumnName = ImageRows.LabelColumn,
        GroupColumnName = settings.Data.GroupColumn is null ? null : ImageRows.GroupColumn,
        Architecture = settings.Architecture,
        WeightsPath = settings.WeightsPath,
        AllowWeightsDownload = settings.AllowDownload,
        Strategy = settings.Strategy,
        Grayscale = settings.Grayscale,
        Epochs = settings.Epochs,
        BatchSize = settings.BatchSize,
        LearningRate = settings.LearningRate,
        Seed = settings.Seed,
        EarlyStoppingPatience = settings.EarlyStoppingPatience,
        CheckpointDirectory = settings.CheckpointDirectory,
        Resume = settings.Resume,
        Calibrate = settings.Calibrate,
        ThresholdMethod = settings.ThresholdMethod,
        ThresholdTarget = settings.ThresholdMethod is ThresholdMethod.TargetSensitivity or ThresholdMethod.TargetSpecificity ? settings.ThresholdValue!.Value : 0.9,
        DecisionThreshold = settings.ThresholdMethod == ThresholdMethod.Fixed ? (float)settings.ThresholdValue!.Value : 0.5f,
        TestTimeFlip = settings.TestTimeFlip,
        FeatureCacheViews = settings.CacheViews,
        AllowUpscaling = settings.AllowUpscaling,
        MaxImagePixels = settings.MaxImagePixels,
        BadImagePolicy = settings.BadImages,
        CancellationToken = cancellation,
        Log = message => AnsiConsole.MarkupLine(Markup.Escape(message)),
    };

    // MapValueToKey with the class names as key data fixes the key order (the positive class of a binary task is the
    // second name). It maps the training and validation labels only: the saved model is FineTuneResNet → MapKeyToValue,
    // which scores a view of image paths alone (an app's ModelInput needs no Label), and its PredictedLabel key carries
    // the class names. Models saved before, which start with the MapValueToKey, still load and score (ModelFile).
    private static TransformerChain<ITransformer> Fit(MLContext ml, ResNetFineTuneTrainer.Options options, IDataView train, IDataView validation,
        IReadOnlyList<string> classes, bool multiLabel)
    {
        if (multiLabel)
        {
            options.ValidationSet = validation;
            return new TransformerChain<ITransformer>(ml.Transforms.FineTuneResNet(options).Fit(train));
        }

        var toKey = ml.Transforms.Conversion.MapValueToKey(ImageRows.LabelColumn, keyData: ImageRows.KeyData(ml, classes)).Fit(train);
        options.ValidationSet = toKey.Transform(validation);
        var fitted = ml.Transforms.FineTuneResNet(options)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(toKey.Transform(train));
        return new TransformerChain<ITransformer>(fitted.ToArray());
    }

    // The library's split (ImageDataCatalog.TrainValidationSplit): whole patients on each side, each class in about its
    // proportion, deterministic from the seed. The records are in the order the library loaded them, so the same data,
    // fraction, seed and group column hold out the same images as ml.Data.TrainValidationSplit of
    // ml.Data.LoadImageSplits(...).TrainSet, and as FineTuneResNet's own hold-out.
    internal static (IReadOnlyList<ImageRecord> Train, IReadOnlyList<ImageRecord> Validation) HoldOut(MLContext ml, LabeledDataset dataset, TrainSettings settings)
    {
        var rows = ml.Data.LoadFromEnumerable(dataset.Train.Select((r, i) => new SplitRow { Index = i, Label = r.Label ?? "", Group = r.Group ?? "" }).ToList());
        TrainValidationData split;
        try
        {
            split = ml.Data.TrainValidationSplit(rows, settings.ValidationFraction,
                groupColumnName: settings.Data.GroupColumn is null ? null : nameof(SplitRow.Group),
                labelColumnName: dataset.Task == TaskKind.MultiLabel ? null : nameof(SplitRow.Label),
                seed: settings.Seed);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(ExitCodes.DataError, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{DataSourceOptions.DataOption}: {dataset.Train.Count} images are too few to hold out {settings.ValidationFraction:P0} for validation ({e.Message}); pass {DataSourceOptions.ValidationOption}."), e);
        }

        IReadOnlyList<ImageRecord> Records(IDataView view) => view.GetColumn<int>(nameof(SplitRow.Index)).Select(i => dataset.Train[i]).ToList();
        return (Records(split.TrainSet), Records(split.ValidationSet));
    }

    // Written before training, so that the held-out images can be looked at (or compared with the library's split) at once.
    private static void WriteValidationList(string path, IReadOnlyList<ImageRecord> validation)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.Write(full, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            foreach (var record in validation)
            {
                writer.WriteLine(record.Path);
            }
        });
        AnsiConsole.WriteLine($"Wrote the {validation.Count} validation images' paths to {full}");
    }

    private sealed class SplitRow
    {
        public int Index { get; set; }

        public string Label { get; set; } = "";

        public string Group { get; set; } = "";
    }

    private static IReadOnlyList<KeyValuePair<string, object?>> Describe(TrainSettings s, LabeledDataset dataset, int train, int validation, string modelPath) =>
        DescribeRun(s, dataset, train, validation, modelPath).Concat(s.Engine.Describe(s.ResizeTo, s.ImageSize)).ToList();

    private static KeyValuePair<string, object?>[] DescribeRun(TrainSettings s, LabeledDataset dataset, int train, int validation, string modelPath) => new KeyValuePair<string, object?>[]
    {
        new("architecture", s.ArchitectureName),
        new("weights", s.WeightsPath is null ? DefaultWeights(s) : Path.GetFullPath(s.WeightsPath)),
        new("strategy_requested", s.Strategy.ToString()),
        new("positive_class_requested", s.PositiveClass),
        new("grayscale", s.Grayscale),
        new("image_size", s.ImageSize),
        new("resize_to", s.ResizeTo),
        new("batch_size", s.BatchSize),
        new("learning_rate", s.LearningRate),
        new("threshold_method_requested", s.ThresholdMethod.ToString()),
        new("calibration", s.Calibrate),
        new("seed", s.Seed),
        new("data", Path.GetFullPath(s.Data.DataPath)),
        new("train_images", train),
        new("validation_images", validation),
        new("test_images", dataset.Test?.Count ?? 0),
        new("model", modelPath),
    };
}
