using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>
/// What <see cref="ResNetOnnxWriter"/> builds around the weights: the ResNet's shape, the preprocessing baked into the
/// graph, the output activation and the graph's input and output names.
/// </summary>
/// <remarks>
/// <para>
/// The graph's input is what ML.NET's <c>ExtractPixels</c> gives with its defaults: raw pixel values 0–255 as float32,
/// planar <c>[N, <see cref="InputChannels"/>, <see cref="InputSize"/>, <see cref="InputSize"/>]</c>, channels R, G, B
/// (or one gray channel). The graph then does, in this order:
/// </para>
/// <list type="number">
/// <item>a centre crop to <see cref="CropSize"/> (a Slice) at torchvision's offset
/// <c>int(round((InputSize - CropSize) / 2.0))</c> (<c>torchvision.transforms.functional.center_crop</c>, v0.14;
/// Python rounds halves to even), when <see cref="CropSize"/> is smaller than <see cref="InputSize"/>;</item>
/// <item>channel conversion when <see cref="InputChannels"/> differs from <see cref="NetworkChannels"/>: RGB to gray
/// with ITU-R 601 luma <c>0.299 R + 0.587 G + 0.114 B</c> (a 1x1 Conv), gray to RGB by replicating the channel;</item>
/// <item>division by 255, then per channel <c>(x - Mean[c]) / Std[c]</c>, as explicit Sub and Div nodes (folding the
/// normalisation into conv1 would not be exact at conv1's zero-padded border);</item>
/// <item>the network, with every BatchNorm folded into the convolution before it, the head, and
/// <see cref="Activation"/>.</item>
/// </list>
/// <para>The batch axis is dynamic (<c>dim_param "N"</c>); channels, height and width are fixed.</para>
/// </remarks>
internal sealed partial class ResNetOnnxSpec
{
    private readonly int[] _blocksPerStage;
    private float[] _mean = Defaults.ImageNetMean.ToArray();
    private float[] _std = Defaults.ImageNetStd.ToArray();

    /// <summary>Describes a ResNet with <paramref name="block"/> blocks, <paramref name="blocksPerStage"/> of them in
    /// <c>layer1</c>..<c>layer4</c> (torchvision's <c>ResNet(block, layers)</c>): e.g. Basic [2, 2, 2, 2] for resnet18,
    /// Bottleneck [3, 4, 6, 3] for resnet50, Basic [2, 2, 2, 3] for ML.NET's ImageNet ResNet18.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not four stages of at least one block each, or an unknown block kind.</exception>
    public ResNetOnnxSpec(ResidualBlockKind block, params int[] blocksPerStage)
    {
        ArgumentNullException.ThrowIfNull(blocksPerStage);
        if (!Enum.IsDefined(block))
        {
            throw new ArgumentOutOfRangeException(nameof(block), block, "Unsupported ResidualBlockKind.");
        }

        if (blocksPerStage.Length != 4 || blocksPerStage.Any(b => b < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(blocksPerStage),
                $"A ResNet has four stages of at least one block each; got [{string.Join(", ", blocksPerStage)}].");
        }

        Block = block;
        _blocksPerStage = (int[])blocksPerStage.Clone();
    }

    /// <summary>Default values of the settings.</summary>
    public static class Defaults
    {
        /// <summary>Name of the graph's input (and of the ML.NET column it is fed from).</summary>
        public const string InputName = "Pixels";

        /// <summary>Name of the graph's score output.</summary>
        public const string OutputName = "Score";

        /// <summary>Name of the optional logits output.</summary>
        public const string LogitsName = "Logits";

        /// <summary>Side of the square input image.</summary>
        public const int InputSize = 224;

        /// <summary>Side of the centre crop the network sees.</summary>
        public const int CropSize = 224;

        /// <summary>PyTorch's BatchNorm2d epsilon.</summary>
        public const float BatchNormEpsilon = 1e-5f;

        /// <summary>torchvision's ImageNet channel means (RGB, on the [0, 1] scale).</summary>
        public static IReadOnlyList<float> ImageNetMean { get; } = new[] { 0.485f, 0.456f, 0.406f };

        /// <summary>torchvision's ImageNet channel standard deviations (RGB, on the [0, 1] scale).</summary>
        public static IReadOnlyList<float> ImageNetStd { get; } = new[] { 0.229f, 0.224f, 0.225f };
    }

    /// <summary>The residual block kind.</summary>
    public ResidualBlockKind Block { get; }

    /// <summary>Blocks in <c>layer1</c>..<c>layer4</c>.</summary>
    public IReadOnlyList<int> BlocksPerStage => _blocksPerStage;

    /// <summary>
    /// The architecture's name for the metadata (e.g. <c>resnet50</c>); when null, a description such as
    /// <c>resnet-bottleneck-3-4-6-3</c> is written.
    /// </summary>
    public string? ArchitectureName { get; init; }

    /// <summary>Input channels of the network's <c>conv1</c>: 1 (grayscale stem) or 3 (RGB). Default 3.</summary>
    public int NetworkChannels { get; init; } = 3;

    /// <summary>Channels of the graph's raw input: 1 (gray) or 3 (planar R, G, B). Default 3.</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>Height and width of the graph's input. Default <see cref="Defaults.InputSize"/>.</summary>
    public int InputSize { get; init; } = Defaults.InputSize;

    /// <summary>Height and width of the centre crop fed to the network; at most <see cref="InputSize"/>. Default <see cref="Defaults.CropSize"/>.</summary>
    public int CropSize { get; init; } = Defaults.CropSize;

    /// <summary>
    /// Per network channel mean on the [0, 1] scale, one value per <see cref="NetworkChannels"/>.
    /// Default: ImageNet's (three values, so a 1-channel network must set its own).
    /// </summary>
    public IReadOnlyList<float> Mean
    {
        get => _mean;
        init => _mean = (value ?? throw new ArgumentNullException(nameof(Mean))).ToArray();
    }

    /// <summary>Per network channel standard deviation on the [0, 1] scale, positive. Default: ImageNet's.</summary>
    public IReadOnlyList<float> Std
    {
        get => _std;
        init => _std = (value ?? throw new ArgumentNullException(nameof(Std))).ToArray();
    }

    /// <summary>The BatchNorm layers' epsilon. Default <see cref="Defaults.BatchNormEpsilon"/> (PyTorch's).</summary>
    public float BatchNormEpsilon { get; init; } = Defaults.BatchNormEpsilon;

    /// <summary>The head: one Linear layer (<c>fc.*</c>, default) or the MLP (<c>fc.0.*</c>, <c>fc.3.*</c>).</summary>
    public ClassifierHeadKind Head { get; init; } = ClassifierHeadKind.Linear;

    /// <summary>Softmax (single-label, default) or sigmoid (multi-label) after the head.</summary>
    public OutputActivation Activation { get; init; } = OutputActivation.Softmax;

    /// <summary>Name of the graph's input. Default <see cref="Defaults.InputName"/>.</summary>
    public string InputName { get; init; } = Defaults.InputName;

    /// <summary>Name of the graph's score output, <c>[N, K]</c>. Default <see cref="Defaults.OutputName"/>.</summary>
    public string OutputName { get; init; } = Defaults.OutputName;

    /// <summary>Whether the head's logits are a second graph output, named <see cref="LogitsName"/>. Default false.</summary>
    public bool IncludeLogits { get; init; }

    /// <summary>Name of the logits output when <see cref="IncludeLogits"/> is set. Default <see cref="Defaults.LogitsName"/>.</summary>
    public string LogitsName { get; init; } = Defaults.LogitsName;

    /// <summary>
    /// Adds the outputs ML.NET's scoring chain needs for single-label tasks (softmax): <see cref="PredictedIndexName"/>
    /// <c>[N]</c>, the predicted class as a float; for two classes also <see cref="ProbabilityName"/> <c>[N]</c> (the
    /// positive class's probability) and <see cref="LogitName"/> <c>[N]</c>, the log-odds shifted by the decision
    /// threshold (<c>l1 - l0 - ln(t / (1 - t))</c>), so that a class is predicted positive exactly when that logit is
    /// above 0, which is how ML.NET's binary evaluator thresholds its score. Default false.
    /// </summary>
    public bool IncludePredictionOutputs { get; init; }

    /// <summary>Binary decision threshold on the positive probability, used by <see cref="IncludePredictionOutputs"/>. Default 0.5.</summary>
    public float DecisionThreshold { get; init; } = 0.5f;

    /// <summary>Name of the predicted-class output. Default "PredictedIndex".</summary>
    public string PredictedIndexName { get; init; } = "PredictedIndex";

    /// <summary>Name of the positive-probability output (binary). Default "Probability".</summary>
    public string ProbabilityName { get; init; } = "Probability";

    /// <summary>Name of the thresholded log-odds output (binary). Default "Logit".</summary>
    public string LogitName { get; init; } = "Logit";

    /// <summary>Output channels of the last stage: 512 for basic blocks, 2048 for bottlenecks.</summary>
    public int FeatureCount => Block == ResidualBlockKind.Basic ? 512 : 2048;

    /// <summary>Offset of the centre crop from the top and the left, as torchvision's <c>center_crop</c> computes it.</summary>
    public int CropOffset => (int)Math.Round((InputSize - CropSize) / 2.0, MidpointRounding.ToEven);

    /// <summary>The name written to the metadata.</summary>
    internal string Architecture => ArchitectureName
        ?? $"resnet-{Block.ToString().ToLowerInvariant()}-{string.Join("-", _blocksPerStage)}";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that cannot be exported.</summary>
    internal void Validate()
    {
        const string param = "spec";
        if (NetworkChannels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(param, NetworkChannels, "ResNetOnnxSpec.NetworkChannels must be 1 or 3.");
        }

        if (InputChannels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(param, InputChannels, "ResNetOnnxSpec.InputChannels must be 1 (gray) or 3 (RGB).");
        }

        if (CropSize < 1 || InputSize < CropSize)
        {
            throw new ArgumentOutOfRangeException(param, $"ResNetOnnxSpec.CropSize ({CropSize}) must be positive and at most InputSize ({InputSize}).");
        }

        // conv1 (stride 2), the max pool and three strided stages: below 32 pixels the last stage has nothing to see.
        if (CropSize < 32)
        {
            throw new ArgumentOutOfRangeException(param, CropSize, "ResNetOnnxSpec.CropSize must be at least 32 (the network downsamples 32 times).");
        }

        if (_mean.Length != NetworkChannels || _std.Length != NetworkChannels)
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.Mean and Std need one value per network channel ({NetworkChannels}); got {_mean.Length} and {_std.Length}.", param);
        }

        if (_std.Any(s => !(s > 0) || float.IsInfinity(s)) || _mean.Any(m => !float.IsFinite(m)))
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.Std must be positive and finite and Mean finite; got Mean [{string.Join(", ", _mean)}], Std [{string.Join(", ", _std)}].", param);
        }

        if (!(BatchNormEpsilon >= 0) || float.IsInfinity(BatchNormEpsilon))
        {
            throw new ArgumentOutOfRangeException(param, BatchNormEpsilon, "ResNetOnnxSpec.BatchNormEpsilon must be a finite number >= 0.");
        }

        if (!Enum.IsDefined(Head))
        {
            throw new ArgumentOutOfRangeException(param, Head, "Unsupported ResNetOnnxSpec.Head.");
        }

        if (!Enum.IsDefined(Activation))
        {
            throw new ArgumentOutOfRangeException(param, Activation, "Unsupported ResNetOnnxSpec.Activation.");
        }

        var names = new List<(string Setting, string Value)> { (nameof(InputName), InputName), (nameof(OutputName), OutputName) };
        if (IncludeLogits)
        {
            names.Add((nameof(LogitsName), LogitsName));
        }

        if ((Head == ClassifierHeadKind.None) != (Activation == OutputActivation.None))
        {
            throw new ArgumentException("ResNetOnnxSpec.Head None (a featurizer) goes with Activation None, and only with it.", param);
        }

        if (Head == ClassifierHeadKind.None && IncludeLogits)
        {
            throw new ArgumentException("ResNetOnnxSpec.IncludeLogits needs a head.", param);
        }

        if (IncludePredictionOutputs)
        {
            if (Activation != OutputActivation.Softmax)
            {
                throw new ArgumentException("ResNetOnnxSpec.IncludePredictionOutputs needs a softmax (single-label) head; multi-label models output Score only.", param);
            }

            if (!(DecisionThreshold > 0 && DecisionThreshold < 1))
            {
                throw new ArgumentOutOfRangeException(param, DecisionThreshold, "ResNetOnnxSpec.DecisionThreshold lies strictly between 0 and 1.");
            }

            names.Add((nameof(PredictedIndexName), PredictedIndexName));
            names.Add((nameof(ProbabilityName), ProbabilityName));
            names.Add((nameof(LogitName), LogitName));
        }

        foreach (var (setting, value) in names)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"ResNetOnnxSpec.{setting} must not be empty.", param);
            }
        }

        var duplicate = names.GroupBy(n => n.Value, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.{string.Join(" and ", duplicate.Select(d => d.Setting))} are both '{duplicate.Key}'; graph inputs and outputs need distinct names.", param);
        }
    }
}
