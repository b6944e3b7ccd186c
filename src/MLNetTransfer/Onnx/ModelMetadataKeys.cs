using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>The <c>metadata_props</c> keys <see cref="ResNetOnnxWriter"/> writes.</summary>
internal static class ModelMetadataKeys
{
    /// <summary>Prefix of every key.</summary>
    public const string Prefix = "mlnettransfer.";

    /// <summary>Version of this layout of graph and metadata (an integer); see <see cref="CurrentFormatVersion"/>.</summary>
    public const string FormatVersion = Prefix + "format_version";

    /// <summary>Version of the MLNetTransfer assembly that wrote the model.</summary>
    public const string ProducerVersion = Prefix + "producer_version";

    /// <summary>The architecture's name, e.g. <c>resnet50</c>.</summary>
    public const string Architecture = Prefix + "architecture";

    /// <summary>Class labels in output order, a JSON array of strings (absent when none were given).</summary>
    public const string ClassLabels = Prefix + "class_labels";

    /// <summary>Number of outputs of the head.</summary>
    public const string NumOutputs = Prefix + "num_outputs";

    /// <summary>Side of the square raw input.</summary>
    public const string InputSize = Prefix + "input_size";

    /// <summary>Side of the centre crop the network sees.</summary>
    public const string CropSize = Prefix + "crop_size";

    /// <summary>Per network channel mean on the [0, 1] scale, a JSON array of numbers.</summary>
    public const string Mean = Prefix + "mean";

    /// <summary>Per network channel standard deviation on the [0, 1] scale, a JSON array of numbers.</summary>
    public const string Std = Prefix + "std";

    /// <summary>Channels of the raw input (1 or 3).</summary>
    public const string InputChannels = Prefix + "input_channels";

    /// <summary>Channels of the network's conv1 (1 or 3).</summary>
    public const string NetworkChannels = Prefix + "network_channels";

    /// <summary><c>binary</c>, <c>multiclass</c> or <c>multilabel</c>.</summary>
    public const string Task = Prefix + "task";

    /// <summary><c>softmax</c> or <c>sigmoid</c>.</summary>
    public const string OutputActivation = Prefix + "output_activation";

    /// <summary>
    /// The temperatures the logits are divided by before the activation, a JSON array of numbers: one for every logit,
    /// or one per label (<see cref="ResNetOnnxSpec.Temperatures"/>); <c>[1]</c> when uncalibrated.
    /// </summary>
    public const string Temperatures = Prefix + "temperatures";

    /// <summary>
    /// The operating thresholds on the scores, a JSON array of numbers: a class or label is positive when its score
    /// <c>p &gt;= t</c>. Binary: one, on the positive class's score; multi-label: one for every label or one per label;
    /// multiclass: <c>[0.5]</c>, unused (the argmax is predicted). See <see cref="ResNetOnnxSpec.Thresholds"/>.
    /// </summary>
    public const string Thresholds = Prefix + "thresholds";

    /// <summary>How the thresholds were chosen, a free word (e.g. <c>youden</c>; <c>fixed</c> when set by hand).</summary>
    public const string ThresholdMethod = Prefix + "threshold_method";

    /// <summary><c>true</c> when the scores are the mean over each image and its horizontal mirror, else <c>false</c>.</summary>
    public const string TestTimeFlip = Prefix + "test_time_flip";

    /// <summary>The format version this assembly writes (history in the source, next to the constant).</summary>
    // Bump on any change a reader has to know about (graph inputs/outputs, preprocessing, keys, value formats):
    // CurrentFormatVersion = 1: initial. Raw 0-255 planar float input [N, C, S, S]; centre crop, channel conversion,
    //                           /255 and per-channel Sub/Div in the graph; BatchNorm folded into conv biases; softmax or
    //                           sigmoid scores, optional logits, optional per-row prediction outputs [N] (predicted
    //                           index; binary: probability and threshold-shifted log-odds); or, head-less, the pooled
    //                           features with activation "none" and task "features"; the keys of this class.
    // CurrentFormatVersion = 2: temperature scaling (Div before the activation), optional test-time flip (scores are the
    //                           mean over each image and its mirror), binary PredictedIndex is p >= t (was p > t),
    //                           optional multi-label PredictedLabels (bool [N, K], p >= t); keys temperatures,
    //                           thresholds (a JSON array; replaces decision_threshold), threshold_method, test_time_flip.
    public const int CurrentFormatVersion = 2;

    // Format 1's single threshold; stays reserved so that an extra key cannot pass for it.
    private const string RetiredDecisionThreshold = Prefix + "decision_threshold";

    internal static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        FormatVersion, ProducerVersion, Architecture, ClassLabels, NumOutputs, InputSize, CropSize, Mean, Std,
        InputChannels, NetworkChannels, Task, OutputActivation, Temperatures, Thresholds, ThresholdMethod, TestTimeFlip,
        RetiredDecisionThreshold,
    };

    internal static bool IsValidExtraKey(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');
}
