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
/// <item>when <see cref="TestTimeFlip"/> is set, the batch and its horizontal mirror, stacked into one batch of 2N;</item>
/// <item>the network, with every BatchNorm folded into the convolution before it, and the head;</item>
/// <item>the division of the logits by <see cref="Temperatures"/> (when any differs from 1), then
/// <see cref="Activation"/>, and with <see cref="TestTimeFlip"/> the mean of each image's two probability rows.</item>
/// </list>
/// <para>The batch axis is dynamic (<c>dim_param "N"</c>); channels, height and width are fixed.</para>
/// </remarks>
internal sealed partial class ResNetOnnxSpec
{
    private readonly int[] _blocksPerStage;
    private float[] _mean = Defaults.ImageNetMean.ToArray();
    private float[] _std = Defaults.ImageNetStd.ToArray();
    private float[] _temperatures = Defaults.Temperatures.ToArray();
    private float[] _thresholds = Defaults.Thresholds.ToArray();

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

        /// <summary>No calibration: one temperature of 1, which adds no node to the graph.</summary>
        public static IReadOnlyList<float> Temperatures { get; } = new[] { 1f };

        /// <summary>One threshold of 0.5 on the scores (for multiclass graphs the only one allowed: they predict the argmax).</summary>
        public static IReadOnlyList<float> Thresholds { get; } = new[] { 0.5f };
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

    /// <summary>
    /// Whether the head's logits are a second graph output, <c>[N, K]</c>, named <see cref="LogitsName"/>: the raw logits,
    /// before <see cref="Temperatures"/>; with <see cref="TestTimeFlip"/> those of the unmirrored images. Default false.
    /// </summary>
    public bool IncludeLogits { get; init; }

    /// <summary>Name of the logits output when <see cref="IncludeLogits"/> is set. Default <see cref="Defaults.LogitsName"/>.</summary>
    public string LogitsName { get; init; } = Defaults.LogitsName;

    /// <summary>
    /// Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017): the head's logits are
    /// divided by these before <see cref="Activation"/>, so <see cref="OutputName"/>, <see cref="ProbabilityName"/>,
    /// <see cref="LogitName"/> and every decision are calibrated. One value (every logit divided by it; the only form
    /// for a softmax) or, for a sigmoid, one per output (per label). Each positive and finite. The raw logits output
    /// (<see cref="IncludeLogits"/>) stays uncalibrated. Default [1]: when every value is 1 no node is added.
    /// </summary>
    public IReadOnlyList<float> Temperatures
    {
        get => _temperatures;
        init => _temperatures = (value ?? throw new ArgumentNullException(nameof(Temperatures))).ToArray();
    }

    /// <summary>
    /// Operating thresholds on the calibrated (and, with <see cref="TestTimeFlip"/>, averaged) probabilities; a class or
    /// label is predicted positive when its probability <c>p &gt;= t</c>. Binary (softmax over two classes): one value
    /// on the probability of class 1. Sigmoid (multi-label): one value for every label or one per label, used by
    /// <see cref="PredictedLabelsName"/>. Multiclass: must stay the default, as the prediction is the argmax. Each lies
    /// strictly between 0 and 1. Written to the metadata whether or not an output uses them. Default [0.5].
    /// </summary>
    public IReadOnlyList<float> Thresholds
    {
        get => _thresholds;
        init => _thresholds = (value ?? throw new ArgumentNullException(nameof(Thresholds))).ToArray();
    }

    /// <summary>
    /// Test-time augmentation with a horizontal flip: after preprocessing, the batch and its mirror along the width axis
    /// go through the network as one batch of 2N, and each image's two probability rows (after
    /// <see cref="Temperatures"/> and <see cref="Activation"/>) are averaged into <see cref="OutputName"/>; every
    /// prediction output derives from the averaged probabilities. The flip follows the centre crop, so it mirrors the
    /// crop (which, for an odd <c>InputSize - CropSize</c>, is not the crop of the mirrored input). The raw logits output
    /// (<see cref="IncludeLogits"/>) holds the unmirrored images' logits. Needs a head. Default false: no node is added.
    /// </summary>
    public bool TestTimeFlip { get; init; }

    /// <summary>
    /// Adds the outputs ML.NET's scoring chain needs for single-label tasks (softmax): <see cref="PredictedIndexName"/>
    /// <c>[N]</c>, the predicted class as a float (the argmax of the calibrated logits, or with
    /// <see cref="TestTimeFlip"/> of the averaged probabilities); for two classes also <see cref="ProbabilityName"/>
    /// <c>[N]</c> (the positive class's probability <c>p</c>), <see cref="LogitName"/> <c>[N]</c>, the calibrated
    /// log-odds <c>ln(p / (1 - p))</c> shifted by the threshold <c>t</c> (<c>- ln(t / (1 - t))</c>), which is how ML.NET's
    /// binary evaluator thresholds its score at 0, and a predicted index of 1 exactly when <c>p &gt;= t</c> (compared on
    /// the probability itself, so that it agrees with <see cref="ProbabilityName"/> bit for bit; the logit's sign agrees
    /// with it except within float rounding of <c>p == t</c>). Default false.
    /// </summary>
    public bool IncludePredictionOutputs { get; init; }

    /// <summary>
    /// Name of the optional multi-label decision output, bool <c>[N, labels]</c>: <c>p_j &gt;= t_j</c> for each label's
    /// probability and threshold (<see cref="Thresholds"/>). Needs a sigmoid head. Default null: no such output.
    /// </summary>
    public string? PredictedLabelsName { get; init; }

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

    /// <summary>Whether <see cref="Temperatures"/> changes anything, i.e. the graph needs the division.</summary>
    internal bool HasTemperature => _temperatures.Any(t => t != 1f);

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

        ValidateCalibration(param);
        if (IncludePredictionOutputs)
        {
            if (Activation != OutputActivation.Softmax)
            {
                throw new ArgumentException("ResNetOnnxSpec.IncludePredictionOutputs needs a softmax (single-label) head; multi-label models decide through PredictedLabelsName.", param);
            }

            names.Add((nameof(PredictedIndexName), PredictedIndexName));
            names.Add((nameof(ProbabilityName), ProbabilityName));
            names.Add((nameof(LogitName), LogitName));
        }

        if (PredictedLabelsName is not null)
        {
            if (Activation != OutputActivation.Sigmoid)
            {
                throw new ArgumentException("ResNetOnnxSpec.PredictedLabelsName needs a sigmoid (multi-label) head; single-label models use IncludePredictionOutputs.", param);
            }

            names.Add((nameof(PredictedLabelsName), PredictedLabelsName));
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

    /// <summary>
    /// The checks of <see cref="Temperatures"/> and <see cref="Thresholds"/> that need the head's output count, known
    /// once the weights are read: per-label lists match the labels, and a multiclass graph keeps the default threshold.
    /// </summary>
    internal void ValidateOutputs(long outputs)
    {
        const string param = "spec";
        if (Activation == OutputActivation.Sigmoid)
        {
            foreach (var (setting, values) in new[] { (nameof(Temperatures), _temperatures), (nameof(Thresholds), _thresholds) })
            {
                if (values.Length != 1 && values.Length != outputs)
                {
                    throw new ArgumentException(
                        $"ResNetOnnxSpec.{setting} has {values.Length} values; a sigmoid head with {outputs} outputs takes one for every label or one per label.", param);
                }
            }
        }
        else if (Activation == OutputActivation.Softmax && outputs > 2 && !_thresholds.SequenceEqual(Defaults.Thresholds))
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.Thresholds is [{string.Join(", ", _thresholds)}], but a multiclass head ({outputs} classes) predicts the argmax; leave the default [0.5].", param);
        }
    }

    private void ValidateCalibration(string param)
    {
        if (_temperatures.Length == 0 || _temperatures.Any(t => !(t > 0) || float.IsInfinity(t)))
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.Temperatures must hold positive, finite values; got [{string.Join(", ", _temperatures)}].", param);
        }

        // t = 0 or 1 would put the binary threshold's log-odds shift ln(t / (1 - t)) at infinity.
        if (_thresholds.Length == 0 || _thresholds.Any(t => !(t > 0 && t < 1)))
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.Thresholds must hold values strictly between 0 and 1; got [{string.Join(", ", _thresholds)}].", param);
        }

        if (Activation == OutputActivation.Softmax && _temperatures.Length != 1)
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.Temperatures has {_temperatures.Length} values; a softmax head takes one temperature for all its logits.", param);
        }

        if (Activation == OutputActivation.Softmax && _thresholds.Length != 1)
        {
            throw new ArgumentException(
                $"ResNetOnnxSpec.Thresholds has {_thresholds.Length} values; a softmax head takes one (on the positive class's probability).", param);
        }

        if (Head == ClassifierHeadKind.None)
        {
            if (!_temperatures.SequenceEqual(Defaults.Temperatures) || !_thresholds.SequenceEqual(Defaults.Thresholds))
            {
                throw new ArgumentException("ResNetOnnxSpec.Temperatures and Thresholds need a head; a head-less graph outputs features.", param);
            }

            if (TestTimeFlip)
            {
                throw new ArgumentException("ResNetOnnxSpec.TestTimeFlip needs a head; it averages probabilities, and a head-less graph outputs features.", param);
            }
        }
    }
}
