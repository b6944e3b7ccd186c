using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Onnx;

namespace MLNetTransfer.Onnx;

/// <summary>
/// Writes a ResNet inference graph in ONNX from a <see cref="WeightSnapshot"/> with torchvision's state_dict names
/// (TorchSharp has no ONNX export, dotnet/TorchSharp#1281; docs/design.md, "Our ONNX writer"). Raw 0–255 pixels in;
/// scores (softmax or sigmoid) out.
/// </summary>
/// <remarks>
/// <para>
/// The graph (opset 17 of the default domain, IR version 8, dynamic batch axis <c>N</c>): preprocessing as described on
/// <see cref="ResNetOnnxSpec"/> (Slice, Conv 1x1 or Concat, Div, Sub, Div); the stem Conv 7x7/2 → Relu → MaxPool 3x3/2;
/// for each block Conv → Relu → … → Conv, plus the identity or a 1x1 strided projection Conv, Add, Relu;
/// GlobalAveragePool → Flatten → Gemm (transB = 1) [→ Relu → Gemm for the MLP head] [→ Div by the temperatures] →
/// Softmax (axis 1) or Sigmoid; with test-time flip a Slice (step -1) and Concat before the stem, and Reshape to
/// <c>[2, N, K]</c> and ReduceMean over the copies after the activation (see <see cref="TestTimeFlip"/>).
/// Every BatchNorm is folded into the Conv before it (<c>W' = W γ/√(σ²+ε)</c>, <c>b' = β − μ γ/√(σ²+ε)</c>), dropout is
/// left out: the graph is for inference only (docs/pitfalls.md, "Export in eval mode and check it numerically").
/// </para>
/// <para>
/// Initializer names are the state_dict names. A folded convolution's weight keeps its conv's name
/// (<c>layer1.0.conv1.weight</c>) although its values are the folded ones, and the folded bias is called
/// <c>&lt;conv&gt;.bias</c> (<c>layer1.0.conv1.bias</c>, <c>layer2.0.downsample.0.bias</c>); the head's tensors are
/// stored as they are (<c>fc.weight</c>, <c>fc.bias</c> or <c>fc.0.*</c>, <c>fc.3.*</c>). Preprocessing constants are
/// called <c>preprocess.*</c>, and those of the temperatures, the flip and the prediction outputs <c>calibrate.*</c>,
/// <c>flip.*</c> and <c>predict.*</c>. Node names follow the modules (<c>layer1.0.conv1</c>, <c>layer1.0.add</c>); a conv's
/// output value is named after the BatchNorm folded into it (<c>layer1.0.bn1</c>).
/// </para>
/// <para>
/// <c>metadata_props</c> carry the keys of <see cref="ModelMetadataKeys"/>, producer name <c>MLNetTransfer</c>.
/// </para>
/// </remarks>
internal static class ResNetOnnxWriter
{
    /// <summary>The ONNX IR version written.</summary>
    internal const long IrVersion = 8;

    /// <summary>The opset of the default domain the graph uses.</summary>
    internal const long OpsetVersion = 17;

    /// <summary>The ONNX producer_name.</summary>
    internal const string ProducerName = "MLNetTransfer";

    /// <summary>The weights of ITU-R 601 luma, for an RGB input fed to a gray network (PIL's "L" conversion).</summary>
    internal static readonly float[] LumaWeights = { 0.299f, 0.587f, 0.114f };

    /// <summary>Builds the model and returns its serialized bytes (what <c>ApplyOnnxModel</c> takes as a stream).</summary>
    /// <param name="weights">The trained weights under torchvision's state_dict names.</param>
    /// <param name="spec">Architecture, preprocessing, activation and names.</param>
    /// <param name="metadata">Labels, task, threshold method and other metadata; defaults when null.</param>
    /// <exception cref="ArgumentException">A spec setting cannot be exported, or a weight is missing, mis-shaped,
    /// non-finite or left over (the message names each such key), or the metadata does not fit the outputs.</exception>
    public static byte[] Write(WeightSnapshot weights, ResNetOnnxSpec spec, ModelMetadata? metadata = null) =>
        Build(weights, spec, metadata).ToByteArray();

    /// <summary>Builds the model and writes it to <paramref name="stream"/>, which stays open.</summary>
    /// <inheritdoc cref="Write(WeightSnapshot, ResNetOnnxSpec, ModelMetadata?)"/>
    public static void Write(Stream stream, WeightSnapshot weights, ResNetOnnxSpec spec, ModelMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var model = Build(weights, spec, metadata);
        model.WriteTo(stream);
    }

    /// <summary>The model as a protobuf message.</summary>
    internal static ModelProto Build(WeightSnapshot weights, ResNetOnnxSpec spec, ModelMetadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(spec);
        metadata ??= new ModelMetadata();
        spec.Validate();

        var graph = new GraphBuilder("mlnettransfer_resnet",
            $"{spec.Architecture}: raw 0-255 pixels [N, {spec.InputChannels}, {spec.InputSize}, {spec.InputSize}] in, "
            + $"{spec.Activation.ToString().ToLowerInvariant()} scores out.");
        var reader = new SnapshotReader(weights);
        var net = new NetworkBuilder(graph, reader, spec);
        string x = graph.AddInput(spec.InputName, spec.InputChannels, spec.InputSize, spec.InputSize);
        x = Preprocessing.Add(graph, spec, x);
        if (spec.TestTimeFlip)
        {
            x = TestTimeFlip.StackWithMirror(graph, x);
        }

        // With test-time flip the network's logits hold 2N rows; the named logits output is taken from them later.
        var (logits, outputs) = net.Add(x, spec.IncludeLogits && !spec.TestTimeFlip ? spec.LogitsName : null);
        reader.ThrowIfInvalid(spec.Architecture, HeadHint(weights, spec));
        spec.ValidateOutputs(outputs);

        var scores = ScoreHead.Add(graph, spec, logits, outputs);
        graph.AddOutput(scores.Score, outputs);
        if (scores.RawLogits is { } rawLogits)
        {
            graph.AddOutput(rawLogits, outputs);
        }

        if (spec.IncludePredictionOutputs)
        {
            PredictionOutputs.Add(graph, spec, scores, outputs);
        }

        if (spec.PredictedLabelsName is not null)
        {
            PredictionOutputs.AddLabels(graph, spec, scores.Score, outputs);
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersionString,
            ModelVersion = metadata.ModelVersion,
            DocString = metadata.Description ?? string.Empty,
            Graph = graph.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        foreach (var (key, value) in MetadataEntries(spec, metadata, outputs))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    /// <summary>The version of this assembly, as written to producer_version.</summary>
    internal static string ProducerVersionString { get; } =
        typeof(ResNetOnnxWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ResNetOnnxWriter).Assembly.GetName().Version?.ToString()
        ?? "0";

    private static string? HeadHint(WeightSnapshot weights, ResNetOnnxSpec spec) => spec.Head switch
    {
        ClassifierHeadKind.Linear when !weights.Contains("fc.weight") && weights.Contains("fc.0.weight") =>
            "The snapshot has fc.0.weight: set ResNetOnnxSpec.Head = ClassifierHeadKind.Mlp?",
        ClassifierHeadKind.Mlp when !weights.Contains("fc.0.weight") && weights.Contains("fc.weight") =>
            "The snapshot has fc.weight: set ResNetOnnxSpec.Head = ClassifierHeadKind.Linear?",
        _ => null,
    };

    private static IEnumerable<(string Key, string Value)> MetadataEntries(ResNetOnnxSpec spec, ModelMetadata metadata, long outputs)
    {
        var task = ResolveTask(spec.Activation, metadata.Task, outputs);
        if (metadata.ClassLabels is { } labels && labels.Count != outputs)
        {
            throw new ArgumentException(
                $"ModelMetadata.ClassLabels has {labels.Count} labels but the head has {outputs} outputs.", nameof(metadata));
        }

        if (metadata.ClassLabels?.Any(l => l is null) == true)
        {
            throw new ArgumentException("ModelMetadata.ClassLabels must not contain null.", nameof(metadata));
        }

        if (string.IsNullOrWhiteSpace(metadata.ThresholdMethod))
        {
            throw new ArgumentException("ModelMetadata.ThresholdMethod must not be empty (\"fixed\" when the thresholds were set by hand).", nameof(metadata));
        }

        var json = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var inv = CultureInfo.InvariantCulture;
        yield return (ModelMetadataKeys.FormatVersion, ModelMetadataKeys.CurrentFormatVersion.ToString(inv));
        yield return (ModelMetadataKeys.ProducerVersion, ProducerVersionString);
        yield return (ModelMetadataKeys.Architecture, spec.Architecture);
        if (metadata.ClassLabels is { } classLabels)
        {
            yield return (ModelMetadataKeys.ClassLabels, JsonSerializer.Serialize(classLabels, json));
        }

        yield return (ModelMetadataKeys.NumOutputs, outputs.ToString(inv));
        yield return (ModelMetadataKeys.InputSize, spec.InputSize.ToString(inv));
        yield return (ModelMetadataKeys.CropSize, spec.CropSize.ToString(inv));
        yield return (ModelMetadataKeys.Mean, JsonSerializer.Serialize(spec.Mean, json));
        yield return (ModelMetadataKeys.Std, JsonSerializer.Serialize(spec.Std, json));
        yield return (ModelMetadataKeys.InputChannels, spec.InputChannels.ToString(inv));
        yield return (ModelMetadataKeys.NetworkChannels, spec.NetworkChannels.ToString(inv));
        yield return (ModelMetadataKeys.Task, task.ToString().ToLowerInvariant());
        yield return (ModelMetadataKeys.OutputActivation, spec.Activation.ToString().ToLowerInvariant());
        yield return (ModelMetadataKeys.Temperatures, JsonSerializer.Serialize(spec.Temperatures, json));
        yield return (ModelMetadataKeys.Thresholds, JsonSerializer.Serialize(spec.Thresholds, json));
        yield return (ModelMetadataKeys.ThresholdMethod, metadata.ThresholdMethod);
        yield return (ModelMetadataKeys.TestTimeFlip, spec.TestTimeFlip ? "true" : "false");
        foreach (var (key, value) in metadata.Extras ?? new Dictionary<string, string>())
        {
            string full = ModelMetadataKeys.Prefix + key;
            if (!ModelMetadataKeys.IsValidExtraKey(key) || ModelMetadataKeys.Reserved.Contains(full))
            {
                throw new ArgumentException(
                    $"ModelMetadata.Extras key '{key}' is not allowed: use letters, digits, '_' and '.', and none of the keys the writer sets.", nameof(metadata));
            }

            yield return (full, value ?? throw new ArgumentException($"ModelMetadata.Extras['{key}'] is null.", nameof(metadata)));
        }
    }

    private static PredictionTask ResolveTask(OutputActivation activation, PredictionTask? task, long outputs)
    {
        var resolved = task ?? (activation == OutputActivation.None ? PredictionTask.Features
            : activation == OutputActivation.Sigmoid ? PredictionTask.Multilabel
            : outputs == 2 ? PredictionTask.Binary : PredictionTask.Multiclass);
        string? problem = (activation, resolved) switch
        {
            (_, not (PredictionTask.Binary or PredictionTask.Multiclass or PredictionTask.Multilabel or PredictionTask.Features)) => $"unsupported task {resolved}",
            (OutputActivation.None, not PredictionTask.Features) => "a head-less graph outputs features, not predictions",
            (not OutputActivation.None, PredictionTask.Features) => "features come from a head-less graph (activation None)",
            (OutputActivation.Softmax, _) when outputs < 2 => "a softmax over one output is always 1; use a sigmoid or two outputs",
            (OutputActivation.Softmax, PredictionTask.Binary) when outputs != 2 => $"a binary softmax needs 2 outputs, the head has {outputs}",
            (OutputActivation.Softmax, PredictionTask.Multilabel) => "multi-label scores need a sigmoid, not a softmax",
            (OutputActivation.Sigmoid, PredictionTask.Binary) when outputs != 1 => $"a binary sigmoid needs 1 output, the head has {outputs}",
            (OutputActivation.Sigmoid, PredictionTask.Multiclass) => "multiclass scores need a softmax, not a sigmoid",
            _ => null,
        };
        return problem is null ? resolved : throw new ArgumentException($"ModelMetadata.Task / ResNetOnnxSpec.Activation: {problem}.", "metadata");
    }
}
