using System;
using Onnx;

namespace MLNetTransfer.Onnx;

/// <summary>
/// Appends the ResNet itself (stem, four stages, pooling, head) to a graph, reading each tensor from the snapshot by
/// its torchvision state_dict name and folding each BatchNorm into its convolution. Port of
/// <c>torchvision/models/resnet.py</c> (v0.14) as a graph: the same strides, paddings and projection shortcuts.
/// </summary>
internal sealed class NetworkBuilder
{
    private const long StemWidth = 64;
    private readonly GraphBuilder _g;
    private readonly SnapshotReader _weights;
    private readonly ResNetOnnxSpec _spec;

    public NetworkBuilder(GraphBuilder graph, SnapshotReader weights, ResNetOnnxSpec spec)
    {
        _g = graph;
        _weights = weights;
        _spec = spec;
    }

    /// <summary>
    /// Appends the network after the normalised input <paramref name="x"/>; returns the logits value (named
    /// <paramref name="logitsName"/> when given) and the head's output count (0 when the head's weights are unusable).
    /// </summary>
    public (string Logits, long Outputs) Add(string x, string? logitsName)
    {
        x = ConvBn(x, "conv1", "bn1", _spec.NetworkChannels, StemWidth, kernel: 7, stride: 2);
        x = Node("Relu", "relu", new[] { x });
        x = Node("MaxPool", "maxpool", new[] { x }, null,
            GraphBuilder.Ints("kernel_shape", 3, 3), GraphBuilder.Ints("strides", 2, 2), GraphBuilder.Ints("pads", 1, 1, 1, 1));

        long inPlanes = StemWidth;
        for (int s = 0; s < 4; s++)
        {
            long planes = StemWidth << s;
            for (int b = 0; b < _spec.BlocksPerStage[s]; b++)
            {
                long stride = b == 0 && s > 0 ? 2 : 1;
                string prefix = $"layer{s + 1}.{b}";
                x = _spec.Block == ResidualBlockKind.Basic
                    ? BasicBlock(x, prefix, inPlanes, planes, stride)
                    : Bottleneck(x, prefix, inPlanes, planes, stride);
                inPlanes = planes * (_spec.Block == ResidualBlockKind.Basic ? 1 : 4);
            }
        }

        x = Node("GlobalAveragePool", "avgpool", new[] { x });
        x = Node("Flatten", "flatten", new[] { x }, null, GraphBuilder.Int("axis", 1));
        return _spec.Head switch
        {
            ClassifierHeadKind.Linear => LinearHead(x, logitsName),
            ClassifierHeadKind.Mlp => MlpHead(x, logitsName),
            _ => (x, _spec.FeatureCount),
        };
    }

    // torchvision BasicBlock: conv3x3(stride) → bn → relu → conv3x3 → bn, + identity or downsample, relu.
    private string BasicBlock(string x, string prefix, long inPlanes, long planes, long stride)
    {
        string y = ConvBn(x, $"{prefix}.conv1", $"{prefix}.bn1", inPlanes, planes, kernel: 3, stride);
        y = Node("Relu", $"{prefix}.relu1", new[] { y });
        y = ConvBn(y, $"{prefix}.conv2", $"{prefix}.bn2", planes, planes, kernel: 3, stride: 1);
        return Residual(x, y, prefix, inPlanes, planes, stride);
    }

    // torchvision Bottleneck (v1.5): conv1x1 → bn → relu → conv3x3(stride) → bn → relu → conv1x1 (x4) → bn, + shortcut, relu.
    private string Bottleneck(string x, string prefix, long inPlanes, long planes, long stride)
    {
        string y = ConvBn(x, $"{prefix}.conv1", $"{prefix}.bn1", inPlanes, planes, kernel: 1, stride: 1);
        y = Node("Relu", $"{prefix}.relu1", new[] { y });
        y = ConvBn(y, $"{prefix}.conv2", $"{prefix}.bn2", planes, planes, kernel: 3, stride);
        y = Node("Relu", $"{prefix}.relu2", new[] { y });
        y = ConvBn(y, $"{prefix}.conv3", $"{prefix}.bn3", planes, planes * 4, kernel: 1, stride: 1);
        return Residual(x, y, prefix, inPlanes, planes * 4, stride);
    }

    // The shortcut (a 1x1 strided projection where the shape changes, as torchvision decides it) + Add + ReLU.
    private string Residual(string x, string y, string prefix, long inPlanes, long outPlanes, long stride)
    {
        string identity = stride != 1 || inPlanes != outPlanes
            ? ConvBn(x, $"{prefix}.downsample.0", $"{prefix}.downsample.1", inPlanes, outPlanes, kernel: 1, stride)
            : x;
        string sum = Node("Add", $"{prefix}.add", new[] { y, identity });
        return Node("Relu", $"{prefix}.relu", new[] { sum }, prefix);
    }

    /// <summary>A Conv with its BatchNorm folded in; the node is named <paramref name="conv"/>, its output <paramref name="bn"/>.</summary>
    private string ConvBn(string x, string conv, string bn, long inChannels, long outChannels, long kernel, long stride)
    {
        var w = _weights.Take($"{conv}.weight", outChannels, inChannels, kernel, kernel);
        // torchvision's convs have no bias; take one if the snapshot has it (a conv trained with bias=True).
        var convBias = _weights.Contains($"{conv}.bias") ? _weights.Take($"{conv}.bias", outChannels) : null;
        var gamma = _weights.Take($"{bn}.weight", outChannels);
        var beta = _weights.Take($"{bn}.bias", outChannels);
        var mean = _weights.Take($"{bn}.running_mean", outChannels);
        var variance = _weights.Take($"{bn}.running_var", outChannels);
        if (_weights.HasProblems)
        {
            return bn; // the graph will be thrown away; go on only to collect every problem
        }

        var v = variance!.Values.Span;
        for (int i = 0; i < v.Length; i++)
        {
            if (!(v[i] + _spec.BatchNormEpsilon > 0))
            {
                _weights.Report($"{bn}.running_var has {v[i]} at index {i}; a variance plus epsilon must be positive");
                return bn;
            }
        }

        var (folded, foldedBias) = BatchNormFolding.Fold(
            w!.Values.Span, convBias is null ? ReadOnlySpan<float>.Empty : convBias.Values.Span,
            gamma!.Values.Span, beta!.Values.Span, mean!.Values.Span, v, _spec.BatchNormEpsilon);
        string weightName = _g.AddInitializer($"{conv}.weight", new[] { outChannels, inChannels, kernel, kernel }, folded);
        string biasName = _g.AddInitializer($"{conv}.bias", new[] { outChannels }, foldedBias);
        long pad = kernel / 2;
        return Node("Conv", conv, new[] { x, weightName, biasName }, bn,
            GraphBuilder.Ints("kernel_shape", kernel, kernel),
            GraphBuilder.Ints("strides", stride, stride),
            GraphBuilder.Ints("pads", pad, pad, pad, pad),
            GraphBuilder.Ints("dilations", 1, 1),
            GraphBuilder.Int("group", 1));
    }

    private (string, long) LinearHead(string x, string? logitsName)
    {
        var w = _weights.Take("fc.weight", SnapshotReader.Any, _spec.FeatureCount);
        if (w is null)
        {
            _weights.MarkUsed("fc.bias");
            return ("fc", 0);
        }

        long outputs = w.Shape[0];
        var b = _weights.Take("fc.bias", outputs);
        return (Gemm(x, "fc", w, b, logitsName), outputs);
    }

    // Sequential(Linear(F, H), ReLU, Dropout, Linear(H, K)): fc.0 and fc.3; the dropout (fc.2) is the identity here.
    private (string, long) MlpHead(string x, string? logitsName)
    {
        var w0 = _weights.Take("fc.0.weight", SnapshotReader.Any, _spec.FeatureCount);
        if (w0 is null)
        {
            _weights.MarkUsed("fc.0.bias", "fc.3.weight", "fc.3.bias");
            return ("fc.3", 0);
        }

        long hidden = w0.Shape[0];
        var b0 = _weights.Take("fc.0.bias", hidden);
        var w3 = _weights.Take("fc.3.weight", SnapshotReader.Any, hidden);
        if (w3 is null)
        {
            _weights.MarkUsed("fc.3.bias");
            return ("fc.3", 0);
        }

        long outputs = w3.Shape[0];
        var b3 = _weights.Take("fc.3.bias", outputs);
        x = Gemm(x, "fc.0", w0, b0, null);
        x = Node("Relu", "fc.1", new[] { x });
        return (Gemm(x, "fc.3", w3, b3, logitsName), outputs);
    }

    private string Gemm(string x, string name, WeightTensor w, WeightTensor? b, string? output)
    {
        if (b is null || _weights.HasProblems)
        {
            return output ?? name;
        }

        string weight = _g.AddInitializer($"{name}.weight", new[] { w.Shape[0], w.Shape[1] }, w.Values.Span);
        string bias = _g.AddInitializer($"{name}.bias", new[] { b.Shape[0] }, b.Values.Span);
        return Node("Gemm", name, new[] { x, weight, bias }, output, GraphBuilder.Int("transB", 1));
    }

    // Nodes are added only while the weights are fine: after a problem the graph is discarded, and the walk goes on
    // only to report every problem at once.
    private string Node(string opType, string name, string[] inputs, string? output = null, params AttributeProto[] attributes) =>
        _weights.HasProblems ? output ?? name : _g.AddNode(opType, name, inputs, output, attributes);
}
