using System;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using MLNetTransfer.Cli.Training;

namespace MLNetTransfer.Cli.Commands;

/// <summary>
/// <c>train</c>'s options for the engine's knobs, each mapped to a member of <see cref="ResNetFineTuneTrainer.Options"/>
/// (README.md, the train option table), and their reading into <see cref="EngineSettings"/>.
/// </summary>
internal sealed class EngineArguments
{
    public const string AugmentationOption = "--augmentation";

    public Option<string> BatchNorm { get; } = new("--batchnorm")
    {
        Description = "BatchNorm of the frozen part of the backbone: frozen (eval mode, pretrained statistics; the default), train-affine (statistics fixed, scale and shift train) or train (statistics from each batch, fastai's train_bn).",
        DefaultValueFactory = _ => "frozen",
    };

    public Option<int> HeadOnlyEpochs { get; } = new("--head-only-epochs")
    {
        Description = "Epochs at the start in which only the head trains, before the strategy's stages unfreeze (fastai's freeze_epochs). Default 0.",
        DefaultValueFactory = _ => 0,
    };

    public Option<bool> GradualUnfreezing { get; } = new("--gradual-unfreezing")
    {
        Description = "After the head-only epochs, unfreeze one more stage per epoch, from layer4 down (ULMFiT's gradual unfreezing).",
    };

    public Option<string> ClassWeighting { get; } = new("--class-weighting")
    {
        Description = "Single-label loss weights against class imbalance: none (the default) or balanced (n / (classes x count), scikit-learn's).",
        DefaultValueFactory = _ => "none",
    };

    public Option<string?> ClassWeights { get; } = new("--class-weights")
    {
        Description = "Explicit single-label class weights, comma-separated, one per class in class order (overrides --class-weighting).",
    };

    public Option<string?> PositiveWeights { get; } = new("--positive-weights")
    {
        Description = "Multi-label: per-label positive weights of the BCE loss (torch's pos_weight), comma-separated, one per label column.",
    };

    public Option<string> Uncertainty { get; } = new("--uncertainty")
    {
        Description = "Multi-label: what an uncertain (-1) target means: ignore (U-Ignore, left out of loss and metrics; the default), ones (U-Ones, positive) or zeros (U-Zeros, negative).",
        DefaultValueFactory = _ => "ignore",
    };

    public Option<string> Augmentation { get; } = new(AugmentationOption)
    {
        Description = "Training augmentation: none (resize and centre crop only), light (random crop, horizontal flip 0.5, rotation ±10°, brightness and contrast ±0.1; the default) or custom (light, changed by --hflip, --vflip, --rotation, --brightness, --contrast, --no-random-crop, within the medical-image guardrails unless --allow-strong-augmentation).",
        DefaultValueFactory = _ => "light",
    };

    public Option<double?> HorizontalFlip { get; } = new("--hflip") { Description = "--augmentation custom: probability of a left-right mirror (0..1)." };

    public Option<double?> VerticalFlip { get; } = new("--vflip") { Description = "--augmentation custom: probability of an upside-down flip (needs --allow-strong-augmentation)." };

    public Option<double?> Rotation { get; } = new("--rotation") { Description = "--augmentation custom: largest rotation in degrees (over 15 needs --allow-strong-augmentation)." };

    public Option<double?> Brightness { get; } = new("--brightness") { Description = "--augmentation custom: additive brightness jitter on the [0, 1] scale (over 0.2 needs --allow-strong-augmentation)." };

    public Option<double?> Contrast { get; } = new("--contrast") { Description = "--augmentation custom: contrast jitter, factor 1 ± this (over 0.2 needs --allow-strong-augmentation)." };

    public Option<bool> NoRandomCrop { get; } = new("--no-random-crop") { Description = "--augmentation custom: centre-crop training images too." };

    public Option<bool> AllowStrong { get; } = new("--allow-strong-augmentation") { Description = "--augmentation custom: accept vertical flips, rotations over 15° and intensity jitter over 0.2, which change what a medical image means." };

    public Option<double?> WarmupEpochs { get; } = new("--warmup-epochs")
    {
        Description = "Epochs of linear learning-rate warmup before the cosine decay (fractions allowed). Default 1, or 0 in runs of two epochs or fewer.",
    };

    public Option<string> Device { get; } = new("--device")
    {
        Description = "Where training and scoring run: cpu (the default), cuda (GPU 0) or cuda:N.",
        DefaultValueFactory = _ => "cpu",
    };

    private Option[] All => new Option[]
    {
        BatchNorm, HeadOnlyEpochs, GradualUnfreezing, ClassWeighting, ClassWeights, PositiveWeights, Uncertainty,
        Augmentation, HorizontalFlip, VerticalFlip, Rotation, Brightness, Contrast, NoRandomCrop, AllowStrong, WarmupEpochs, Device,
    };

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Reads and checks the options; <paramref name="epochs"/> bounds the head-only and warmup epochs.</summary>
    public EngineSettings Read(ParseResult parse, int epochs)
    {
        int headOnly = parse.GetValue(HeadOnlyEpochs);
        if (headOnly < 0 || headOnly > epochs)
        {
            throw Usage($"--head-only-epochs must be between 0 and --epochs ({epochs}); got {headOnly}.");
        }

        double? warmup = parse.GetValue(WarmupEpochs);
        if (warmup is { } w && !(w >= 0 && w <= epochs))
        {
            throw Usage($"--warmup-epochs must be between 0 and --epochs ({epochs}); got {w.ToString(CultureInfo.InvariantCulture)}.");
        }

        string preset = parse.GetValue(Augmentation)!.Trim().ToLowerInvariant();
        if (preset is not ("none" or "light" or "custom"))
        {
            throw Usage($"{AugmentationOption}: '{parse.GetValue(Augmentation)}' is not one of none, light, custom.");
        }

        return new EngineSettings
        {
            BatchNormMode = OneOf(parse.GetValue(BatchNorm)!, "--batchnorm", ("frozen", BatchNormMode.Frozen), ("train-affine", BatchNormMode.TrainAffineOnly), ("train", BatchNormMode.Train)),
            HeadOnlyEpochs = headOnly,
            GradualUnfreezing = parse.GetValue(GradualUnfreezing),
            ClassWeighting = OneOf(parse.GetValue(ClassWeighting)!, "--class-weighting", ("none", MLNetTransfer.ClassWeighting.None), ("balanced", MLNetTransfer.ClassWeighting.Balanced)),
            ClassWeights = Weights(parse.GetValue(ClassWeights), "--class-weights"),
            PositiveWeights = Weights(parse.GetValue(PositiveWeights), "--positive-weights"),
            Uncertainty = OneOf(parse.GetValue(Uncertainty)!, "--uncertainty", ("ignore", UncertaintyPolicy.Ignore), ("ones", UncertaintyPolicy.Ones), ("zeros", UncertaintyPolicy.Zeros)),
            AugmentationPreset = preset,
            CustomAugmentation = ReadCustom(parse, preset),
            WarmupEpochs = warmup,
            GpuDeviceId = ParseDevice(parse.GetValue(Device)!),
        };
    }

    // The custom flags start from the light preset; AugmentationOptions.Validate holds the guardrails, and its refusal
    // is reported under the flag that set the value.
    private AugmentationOptions? ReadCustom(ParseResult parse, string preset)
    {
        var flags = new Option[] { HorizontalFlip, VerticalFlip, Rotation, Brightness, Contrast, NoRandomCrop, AllowStrong };
        var given = flags.Where(f => parse.GetResult(f) is { Implicit: false }).Select(f => f.Name).ToList();
        if (preset != "custom")
        {
            return given.Count == 0 ? null : throw Usage($"{string.Join(", ", given)} need {AugmentationOption} custom; got {AugmentationOption} {preset}.");
        }

        var light = new AugmentationOptions();
        var custom = new AugmentationOptions
        {
            RandomCrop = !parse.GetValue(NoRandomCrop),
            HorizontalFlipProbability = parse.GetValue(HorizontalFlip) ?? light.HorizontalFlipProbability,
            VerticalFlipProbability = parse.GetValue(VerticalFlip) ?? light.VerticalFlipProbability,
            MaxRotationDegrees = parse.GetValue(Rotation) ?? light.MaxRotationDegrees,
            Brightness = parse.GetValue(Brightness) ?? light.Brightness,
            Contrast = parse.GetValue(Contrast) ?? light.Contrast,
            AllowStrongAugmentation = parse.GetValue(AllowStrong),
        };
        try
        {
            custom.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string flag = e.ParamName switch
            {
                nameof(AugmentationOptions.HorizontalFlipProbability) => HorizontalFlip.Name,
                nameof(AugmentationOptions.VerticalFlipProbability) => VerticalFlip.Name,
                nameof(AugmentationOptions.MaxRotationDegrees) => Rotation.Name,
                nameof(AugmentationOptions.Brightness) => Brightness.Name,
                nameof(AugmentationOptions.Contrast) => Contrast.Name,
                _ => AugmentationOption,
            };
            string why = e.Message.Split(" (Parameter", 2)[0].Replace($"Set {nameof(AugmentationOptions.AllowStrongAugmentation)} = true", $"Pass {AllowStrong.Name}", StringComparison.Ordinal);
            throw Usage($"{flag}: {why}");
        }

        return custom;
    }

    internal static int? ParseDevice(string text)
    {
        string value = text.Trim().ToLowerInvariant();
        if (value == "cpu")
        {
            return null;
        }

        if (value == "cuda")
        {
            return 0;
        }

        return value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value["cuda:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int id)
            ? id
            : throw Usage($"--device: '{text}' is not one of cpu, cuda, cuda:N (N a GPU number, 0 or more).");
    }

    private static T OneOf<T>(string text, string option, params (string Name, T Value)[] choices)
    {
        string value = text.Trim().ToLowerInvariant();
        foreach (var (name, v) in choices)
        {
            if (name == value)
            {
                return v;
            }
        }

        throw Usage($"{option}: '{text}' is not one of {string.Join(", ", choices.Select(c => c.Name))}.");
    }

    private static float[]? Weights(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var weights = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out weights[i]) || !(weights[i] > 0) || float.IsInfinity(weights[i]))
            {
                throw Usage($"{option}: '{parts[i]}' is not a positive number (the list is comma-separated, e.g. 1,2.5).");
            }
        }

        return weights;
    }

    private static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
