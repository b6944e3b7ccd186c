using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Output;
using MLNetTransfer.Cli.Training;

namespace MLNetTransfer.Cli.Commands;

/// <summary><c>mlnet-transfer train</c>: its options, their checks, and the run.</summary>
internal static class TrainCommand
{
    /// <summary>The switch that lets train download torchvision's weights.</summary>
    public const string AllowDownloadOption = "--allow-download";

    public static Command Create()
    {
        var data = new DataArguments();
        var arch = new Option<string>("--arch")
        {
            Description = "The network. resnet18 without --weights is ML.NET's ImageNet ResNet18 (resnet18-mlnet, three blocks in layer4), also for --strategy scratch; the others read torchvision's weights from the torch.hub cache. With --weights the block layout follows the file.",
            DefaultValueFactory = _ => "resnet18",
        };
        // Not AcceptOnlyFromAmong: its message names the value but not the option.
        arch.Validators.Add(result =>
        {
            string value = result.GetValueOrDefault<string>();
            if (!Enum.TryParse<ResNetArchitecture>(value, ignoreCase: true, out _) || int.TryParse(value, out _))
            {
                result.AddError($"--arch: '{value}' is not one of resnet18, resnet34, resnet50, resnet101, resnet152.");
            }
        });
        var strategy = new Option<string>("--strategy")
        {
            Description = "auto (by data set size; auto:similar for natural-image-like data), feature-extraction, last-stages:N (N = 1..4), full or scratch; or compare: train scratch, feature-extraction, auto and full and recommend the cheapest whose AUC is not significantly below the best.",
            DefaultValueFactory = _ => "auto",
        };
        var grayscale = new Option<bool>("--grayscale") { Description = "1-channel input: conv1 summed from the RGB weights (X-rays, CT, MRI)." };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 32 };
        var imageSize = new Option<int>("--image-size") { Description = "The network's input size in pixels (the crop); images are resized to 8/7 of it first.", DefaultValueFactory = _ => 224 };
        var lr = new Option<double>("--lr") { Description = "The head's peak learning rate; the backbone's stages get their strategy's fraction of it.", DefaultValueFactory = _ => 1e-3 };
        var weights = new Option<string?>("--weights") { Description = "Pretrained weights: a torchvision .pth, a .safetensors or a ResNet .onnx file." };
        var allowDownload = new Option<bool>(AllowDownloadOption) { Description = "resnet34-152 without --weights: download torchvision's ImageNet weights into the torch.hub cache when they are not there (SHA-256 checked). --strategy scratch needs no weights." };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the initialisation, the shuffling and the augmentation.", DefaultValueFactory = _ => 1 };
        var validationFraction = new Option<double>("--validation-fraction") { Description = "Held out for validation when the data has no val/ and no --validation.", DefaultValueFactory = _ => 0.2 };
        var earlyStopping = new Option<int?>("--early-stopping") { Description = "Stop after this many epochs without a better validation loss." };
        var checkpoints = new Option<string?>("--checkpoint-dir") { Description = "Write a checkpoint each epoch here, so that --resume can continue a stopped run." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --checkpoint-dir (same data and settings)." };
        var positiveClass = new Option<string?>(PositiveClass.Option) { Description = "Two classes: the positive one (the finding), whose AUC, recall and Probability are reported. Default: the second in ordinal order." };
        var output = new Option<string>("--output", "-o") { Description = "Where the ML.NET model goes.", DefaultValueFactory = _ => "model.zip" };
        var metricsJson = new Option<string?>("--metrics-json") { Description = "Write the metrics as JSON here (keys in README.md)." };
        var report = new Option<string?>("--report") { Description = "Write the report (PNG plots and index.html) into this folder." };
        var thresholdMethod = new Option<string>(ThresholdMethodOption)
        {
            Description = "How the operating threshold (binary: on the positive class; multi-label: per label) is chosen on the validation set: youden (max sensitivity + specificity - 1), sensitivity:R (the highest threshold with sensitivity >= R), specificity:R, max-f1, or fixed:T. Stored in the model; PredictedLabel is positive when p >= threshold.",
            DefaultValueFactory = _ => "youden",
        };
        var noCalibration = new Option<bool>("--no-calibration") { Description = "Do not fit temperature scaling on the validation set (it is on by default and leaves the AUC unchanged)." };
        var tta = new Option<bool>("--tta") { Description = "Test-time augmentation: validation and the saved model average each image with its horizontal mirror (twice the scoring cost)." };
        var bootstrap = BootstrapOption();
        var cacheViews = new Option<int>("--cache-views")
        {
            Description = "Feature extraction: the frozen backbone's features are computed once for this many augmented views of each training image, and every epoch draws one (1: one unaugmented view).",
            DefaultValueFactory = _ => 4,
        };
        var maxImagePixels = new Option<long>("--max-image-pixels")
        {
            Description = "The largest width x height of an image file, read from its header before decoding. Larger files are refused, naming them.",
            DefaultValueFactory = _ => 8192L * 8192,
        };
        var allowUpscaling = new Option<bool>("--allow-upscaling") { Description = "Accept images smaller than --image-size (they are enlarged); by default they are refused, naming them." };
        var validationList = new Option<string?>("--validation-list") { Description = "Write the paths of the validation images (held out, or the validation split's) to this file, one per line, before training." };
        var compareClass = new Option<string?>(StrategySweep.ClassOption) { Description = "With --strategy compare: the class (one-vs-rest) or label whose AUC ranks the strategies; needed for more than two classes and for multi-label data. Two classes: default the positive one." };

        var engine = new EngineArguments();
        var pixels = new PixelArguments();

        var command = new Command("train", "Fine-tune a ResNet on a folder or CSV of images; save model.zip, evaluate it, write metrics and a report.");
        data.AddTo(command);
        engine.AddTo(command);
        pixels.AddTo(command);
        foreach (var option in new Option[] { arch, strategy, grayscale, epochs, batchSize, imageSize, lr, weights, allowDownload, seed, validationFraction, earlyStopping, checkpoints, resume, positiveClass, output, metricsJson, report, validationList, thresholdMethod, noCalibration, tta, bootstrap, cacheViews, maxImagePixels, allowUpscaling, compareClass })
        {
            command.Options.Add(option);
        }

        var badImages = BadImagesOption.Create("What to do with images the image gate refuses (missing, unreadable by the model's reader (8-bit: not PNG/JPEG), truncated or corrupt, over --max-image-pixels, smaller than --image-size): " +
            "fail stops, naming them; skip leaves them out of training, validation and test, prints how many, and lists them in --metrics-json (skipped_images) and --report.");
        command.Options.Add(badImages);

        command.SetAction((parse, cancellation) => Cli.Run(() =>
        {
            var settings = new TrainSettings
            {
                Data = data.Read(parse),
                Architecture = Enum.Parse<ResNetArchitecture>(parse.GetValue(arch)!, ignoreCase: true),
                Strategy = StrategySweep.Requested(parse.GetValue(strategy)!) ? FreezeStrategy.Auto() : ParseStrategy(parse.GetValue(strategy)!),
                Grayscale = parse.GetValue(grayscale),
                Epochs = AtLeast(parse.GetValue(epochs), 1, "--epochs"),
                BatchSize = AtLeast(parse.GetValue(batchSize), 2, "--batch-size"),
                ImageSize = Between(parse.GetValue(imageSize), 32, 1024, "--image-size"),
                LearningRate = Positive(parse.GetValue(lr), "--lr"),
                WeightsPath = WeightsFile(parse.GetValue(weights)),
                AllowDownload = parse.GetValue(allowDownload),
                Seed = parse.GetValue(seed),
                ValidationFraction = Fraction(parse.GetValue(validationFraction), "--validation-fraction"),
                EarlyStoppingPatience = parse.GetValue(earlyStopping) is { } patience ? AtLeast(patience, 1, "--early-stopping") : null,
                CheckpointDirectory = parse.GetValue(checkpoints),
                Resume = parse.GetValue(resume),
                PositiveClass = parse.GetValue(positiveClass),
                ModelPath = parse.GetValue(output)!,
                MetricsJsonPath = parse.GetValue(metricsJson),
                ReportDirectory = parse.GetValue(report),
                ValidationListPath = parse.GetValue(validationList),
                ThresholdMethod = ParseThresholdMethod(parse.GetValue(thresholdMethod)!).Method,
                ThresholdValue = ParseThresholdMethod(parse.GetValue(thresholdMethod)!).Value,
                Calibrate = !parse.GetValue(noCalibration),
                TestTimeFlip = parse.GetValue(tta),
                BootstrapSamples = BootstrapSamples(parse.GetValue(bootstrap)),
                CacheViews = Between(parse.GetValue(cacheViews), 1, 64, "--cache-views"),
                MaxImagePixels = parse.GetValue(maxImagePixels) > 0 ? parse.GetValue(maxImagePixels)
                    : throw new CliException(ExitCodes.Usage, $"--max-image-pixels must be positive; got {parse.GetValue(maxImagePixels)}."),
                AllowUpscaling = parse.GetValue(allowUpscaling),
                BadImages = BadImagesOption.Parse(parse.GetValue(badImages)!),
                Engine = engine.Read(parse, parse.GetValue(epochs)),
                Pixels = pixels.Read(parse),
            };
            if (settings.Resume && settings.CheckpointDirectory is null)
            {
                throw new CliException(ExitCodes.Usage, "--resume needs --checkpoint-dir: the folder of the stopped run's checkpoint.");
            }

            if (settings.Resume && (!Directory.Exists(settings.CheckpointDirectory) || Directory.GetFiles(settings.CheckpointDirectory).Length == 0))
            {
                // Once, training started afresh and overwrote the folder: a mistyped folder lost the stopped run's epochs.
                // The library refuses a folder without its checkpoint file too (after the images are read); this is before.
                throw new CliException(ExitCodes.Usage,
                    $"--resume: there is no checkpoint to resume in --checkpoint-dir {Path.GetFullPath(settings.CheckpointDirectory!)} " +
                    $"({(Directory.Exists(settings.CheckpointDirectory) ? "the folder is empty" : "the folder does not exist")}). " +
                    "Give the stopped run's --checkpoint-dir, or drop --resume to start afresh.");
            }

            new OutputPaths()
                .File("--output", settings.ModelPath).File("--metrics-json", settings.MetricsJsonPath).File("--validation-list", settings.ValidationListPath)
                .Report("--report", settings.ReportDirectory).Folder("--checkpoint-dir", settings.CheckpointDirectory)
                .Input(DataSourceOptions.DataOption, settings.Data.DataPath).Input(DataSourceOptions.ValidationOption, settings.Data.ValidationPath)
                .Input(DataSourceOptions.TestOption, settings.Data.TestPath).Input("--weights", settings.WeightsPath)
                .Check();

            if (StrategySweep.Requested(parse.GetValue(strategy)!))
            {
                return StrategySweep.Run(settings, parse.GetValue(compareClass), cancellation);
            }

            return parse.GetValue(compareClass) is null
                ? TrainingRun.Execute(settings, cancellation)
                : throw new CliException(ExitCodes.Usage, $"{StrategySweep.ClassOption} applies to --strategy {StrategySweep.Value} only.");
        }));
        return command;
    }

    /// <summary>The option that chooses the operating threshold.</summary>
    public const string ThresholdMethodOption = "--threshold-method";

    /// <summary>--bootstrap, shared by train and evaluate.</summary>
    internal static Option<int> BootstrapOption() => new("--bootstrap")
    {
        Description = "Seeded bootstrap resamples (e.g. 1000) for 95% intervals of accuracy, AUC, sensitivity, specificity and F1 on the evaluated images; 0 (the default) for none. The AUC's DeLong and the rates' Wilson intervals are always given.",
        DefaultValueFactory = _ => 0,
    };

    internal static int BootstrapSamples(int value) => value == 0 || value >= 100 && value <= 100_000
        ? value
        : throw new CliException(ExitCodes.Usage, $"--bootstrap must be 0 (none) or between 100 and 100000 resamples; got {value}.");

    internal static (ThresholdMethod Method, double? Value) ParseThresholdMethod(string text)
    {
        string[] parts = text.Split(':', 2, StringSplitOptions.TrimEntries);
        string name = parts[0].ToLowerInvariant();
        double? value = null;
        if (parts.Length == 2)
        {
            if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) || !(parsed > 0 && parsed < 1))
            {
                throw new CliException(ExitCodes.Usage, $"{ThresholdMethodOption}: '{text}': the value after ':' must be a number between 0 and 1 (exclusive).");
            }

            value = parsed;
        }

        return name switch
        {
            "youden" when value is null => (ThresholdMethod.Youden, null),
            "max-f1" when value is null => (ThresholdMethod.MaxF1, null),
            "sensitivity" when value is not null => (ThresholdMethod.TargetSensitivity, value),
            "specificity" when value is not null => (ThresholdMethod.TargetSpecificity, value),
            "fixed" when value is not null => (ThresholdMethod.Fixed, value),
            _ => throw new CliException(ExitCodes.Usage, $"{ThresholdMethodOption}: '{text}' is not one of youden, max-f1, sensitivity:R, specificity:R, fixed:T (R and T between 0 and 1)."),
        };
    }

    internal static FreezeStrategy ParseStrategy(string text)
    {
        try
        {
            return FreezeStrategy.Parse(text);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
        {
            throw new CliException(ExitCodes.Usage, $"--strategy: {(e is ArgumentOutOfRangeException range ? $"'{text}': {range.Message.Split(" (Parameter")[0]}" : e.Message)}");
        }
    }

    internal static int AtLeast(int value, int minimum, string option) => value >= minimum
        ? value
        : throw new CliException(ExitCodes.Usage, $"{option} must be at least {minimum}; got {value}.");

    private static int Between(int value, int minimum, int maximum, string option) => value >= minimum && value <= maximum
        ? value
        : throw new CliException(ExitCodes.Usage, $"{option} must be between {minimum} and {maximum}; got {value}.");

    private static double Positive(double value, string option) => double.IsFinite(value) && value > 0
        ? value
        : throw new CliException(ExitCodes.Usage, $"{option} must be a positive number; got {value.ToString(CultureInfo.InvariantCulture)}.");

    private static double Fraction(double value, string option) => value > 0 && value < 1
        ? value
        : throw new CliException(ExitCodes.Usage, $"{option} must be between 0 and 1 (exclusive); got {value.ToString(CultureInfo.InvariantCulture)}.");

    // The extensions PretrainedResNet.FromFile knows; anything else would fail after the data set is read, in the
    // reader of whichever format its first bytes suggested.
    private static string? WeightsFile(string? path)
    {
        if (ExistingFile(path, "--weights") is not { } file)
        {
            return null;
        }

        string extension = Path.GetExtension(file).ToLowerInvariant();
        return extension is ".pth" or ".pt" or ".bin" or ".ckpt" or ".safetensors" or ".onnx"
            ? file
            : throw new CliException(ExitCodes.Usage, $"--weights: {Path.GetFullPath(file)} is not a PyTorch (.pth, .pt, .bin, .ckpt), .safetensors or ResNet .onnx file.");
    }

    internal static string? ExistingFile(string? path, string option) => path is null || File.Exists(path)
        ? path
        : throw new CliException(ExitCodes.Usage, $"{option}: the file {Path.GetFullPath(path)} does not exist.");
}
