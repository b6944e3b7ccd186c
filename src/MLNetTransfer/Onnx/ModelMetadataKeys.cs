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

    /// <summary>The decision threshold on the scores.</summary>
    public const string DecisionThreshold = Prefix + "decision_threshold";

    /// <summary>The format version this assembly writes (history in the source, next to the constant).</summary>
    // Bump on any change a reader has to know about (graph inputs/outputs, preprocessing, keys, value formats):
    // CurrentFormatVersion = 1: initial. Raw 0-255 planar float input [N, C, S, S]; centre crop, channel conversion,
    //                           /255 and per-channel Sub/Div in the graph; BatchNorm folded into conv biases; softmax or
    //                           sigmoid scores, optional logits, optional per-row prediction outputs [N] (predicted
    //                           index; binary: probability and threshold-shifted log-odds); or, head-less, the pooled
    //                           features with activation "none" and task "features"; the keys of this class.
    public const int CurrentFormatVersion = 1;

    internal static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        FormatVersion, ProducerVersion, Architecture, ClassLabels, NumOutputs, InputSize, CropSize, Mean, Std,
        InputChannels, NetworkChannels, Task, OutputActivation, DecisionThreshold,
    };

    internal static bool IsValidExtraKey(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');
}
