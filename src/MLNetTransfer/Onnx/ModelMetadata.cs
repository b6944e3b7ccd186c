using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>The prediction task, as written to <c>mlnettransfer.task</c>.</summary>
internal enum PredictionTask
{
    /// <summary>Two classes (written <c>binary</c>): softmax over two outputs, or one sigmoid output.</summary>
    Binary,

    /// <summary>One of K &gt; 2 classes (written <c>multiclass</c>): softmax.</summary>
    Multiclass,

    /// <summary>Any subset of K labels (written <c>multilabel</c>): a sigmoid per label.</summary>
    Multilabel,

    /// <summary>No prediction: the graph outputs backbone features.</summary>
    Features,
}

/// <summary>
/// What a scoring app needs to know beyond the graph, written by <see cref="ResNetOnnxWriter"/> to the model's
/// <c>metadata_props</c> under keys prefixed <c>mlnettransfer.</c> (see <see cref="ModelMetadataKeys"/>); the
/// preprocessing entries (input size, crop, mean, std, channels) and those the graph computes with (temperatures,
/// thresholds, test-time flip) come from the <see cref="ResNetOnnxSpec"/>, so that the metadata cannot disagree with
/// the graph.
/// </summary>
internal sealed class ModelMetadata
{
    /// <summary>One label per output, in output order; written as a JSON array. When set, the count must equal the head's outputs.</summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    /// <summary>The task; when null it follows from the activation and the output count (sigmoid: multi-label;
    /// softmax over two: binary; otherwise multiclass).</summary>
    public PredictionTask? Task { get; init; }

    /// <summary>
    /// How <see cref="ResNetOnnxSpec.Thresholds"/> were chosen, a free word the trainer sets (e.g. <c>youden</c>, or
    /// <c>fixed</c> for thresholds set by hand); written to <c>mlnettransfer.threshold_method</c>. Not empty. Default
    /// <c>fixed</c>.
    /// </summary>
    public string ThresholdMethod { get; init; } = "fixed";

    /// <summary>The model's own version (ONNX <c>model_version</c>). Default 1.</summary>
    public long ModelVersion { get; init; } = 1;

    /// <summary>A free text description (ONNX <c>doc_string</c> of the model).</summary>
    public string? Description { get; init; }

    /// <summary>
    /// Further entries, written as <c>mlnettransfer.&lt;key&gt;</c>. Keys are made of letters, digits, '_' and '.', and
    /// must not be one of the keys the writer sets itself.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Extras { get; init; }
}
