using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Onnx;

namespace MLNetTransfer.Torch.Weights;

/// <summary>A ResNet read out of an ONNX graph: its layout and its weights under torchvision's state_dict names.</summary>
// FoldedBatchNorm: some conv had its BatchNorm folded into it (torch.onnx.export in eval mode); the identity BatchNorm
// put in its place is exact in eval mode only, since its statistics are lost.
internal sealed record OnnxResNet(ResNetLayout Layout, IReadOnlyList<StoredTensor> Tensors, bool HasHead, long InChannels, bool FoldedBatchNorm)
{
    /// <summary>
    /// The per-pixel steps between the graph's input and conv1 (empty for a graph that starts at conv1), e.g. the crop,
    /// channel conversion and normalisation a graph of <c>ResNetOnnxWriter</c> carries.
    /// </summary>
    public IReadOnlyList<OnnxPreprocessStep> Preprocessing { get; init; } = Array.Empty<OnnxPreprocessStep>();

    /// <summary>Whether the preprocessed batch is stacked with its horizontal mirror before conv1 (test-time flip).</summary>
    public bool TestTimeFlip { get; init; }

    /// <summary>
    /// The hidden width of an MLP head (<c>fc.0</c> Gemm, ReLU, <c>fc.3</c> Gemm, as <c>ResNetOnnxWriter</c> writes
    /// <c>Sequential(Linear, ReLU, Dropout, Linear)</c>), or null for a single Linear head or none.
    /// </summary>
    public long? MlpHiddenWidth { get; init; }
}

/// <summary>
/// Reads the weights of a ResNet from an ONNX graph by walking it, not by guessing initializer names: each Conv with the
/// BatchNormalization fed by it, each residual block from the tensor it starts at to its Add and ReLU, stages split
/// where a block has a projection shortcut. Works for ML.NET's DnnImageFeaturizer ResNet18 (CNTK export: shortcut conv
/// before the main path in the graph, asymmetric pads, no fc) and for torchvision exports (Conv with BatchNorm folded
/// into a bias, Flatten + Gemm head). See docs/design.md, "Pretrained weights".
/// </summary>
internal static class OnnxResNetImporter
{
    private const float TorchBatchNormEpsilon = 1e-5f;

    public static OnnxResNet Read(string path)
    {
        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or IOException)
        {
            throw new InvalidDataException($"'{path}' is not a readable ONNX model: {e.Message}", e);
        }

        return Read(model, path);
    }

    /// <summary>Reads a ResNet from a serialized ONNX model; <paramref name="source"/> names it in messages.</summary>
    public static OnnxResNet Read(byte[] onnx, string source)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{source}' is not a readable ONNX model: {e.Message}", e);
        }

        return Read(model, source);
    }

    private static OnnxResNet Read(ModelProto model, string path)
    {
        try
        {
            return new Walker(model.Graph ?? throw new InvalidDataException($"'{path}' has no graph."), path).Walk();
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not a ResNet graph this importer reads: {e.Message}", e);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // A node without the inputs or outputs its op type has, or a tensor of fewer dimensions than its role:
            // onnx.proto allows both, a ResNet export never writes them. The walker checks the common ones by name.
            throw new InvalidDataException($"'{path}' is not a ResNet graph this importer reads: a node or tensor lacks an input, output or dimension its op type has ({e.Message}).", e);
        }
    }

    private sealed record ConvBn(string Node, StoredTensor[] Weights, string Output, long Stride, long OutChannels);

    private sealed class Walker
    {
        private readonly GraphProto _graph;
        private readonly string _path;
        private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
        private readonly List<StoredTensor> _tensors = new();
        private bool _foldedBatchNorm;

        public Walker(GraphProto graph, string path)
        {
            _graph = graph;
            _path = path;
            foreach (var t in graph.Initializer)
            {
                _constants[t.Name] = t;
            }

            foreach (var node in graph.Node)
            {
                if (node.OpType == "Constant" && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value)
                {
                    _constants[node.Output[0]] = value;
                    continue;
                }

                foreach (var input in node.Input.Where(i => i.Length > 0))
                {
                    if (!_consumers.TryGetValue(input, out var list))
                    {
                        _consumers[input] = list = new List<NodeProto>();
                    }

                    list.Add(node);
                }
            }
        }

        public OnnxResNet Walk()
        {
            var input = _graph.Input.FirstOrDefault(i => !_constants.ContainsKey(i.Name))
                ?? throw Error("the graph has no image input");

            // Preprocessing (our exports: crop, channel conversion, normalisation, test-time flip), then the
            // stem: conv1 (7x7/2) → bn1 → ReLU → MaxPool (3x3/2).
            var preprocessing = OnnxPreprocessing.Walk(input.Name, Consumers, _constants, Error);
            var stemConv = Single(preprocessing.StemInput, "Conv", "the stem convolution");
            var stem = FollowConv(stemConv, "conv1", "bn1", expectedPad: 3);
            long inChannels = stem.Weights[0].Shape[1];
            var x = Single(Single(stem.Output, "Relu", "the stem ReLU").Output[0], "MaxPool", "the stem max pool").Output[0];

            var blocks = new List<(ConvBn[] Main, ConvBn? Shortcut)>();
            string? poolOutput = null;
            while (poolOutput is null)
            {
                var next = Consumers(x);
                var pool = next.FirstOrDefault(n => n.OpType is "GlobalAveragePool" or "AveragePool" or "ReduceMean");
                if (pool is not null)
                {
                    poolOutput = pool.Output[0];
                    break;
                }

                blocks.Add(ReadBlock(x, blocks.Count, out x));
            }

            var layout = InferLayout(blocks);
            int blockIndex = 0;
            for (int s = 0; s < 4; s++)
            {
                for (int b = 0; b < layout.BlocksPerStage[s]; b++, blockIndex++)
                {
                    var (main, shortcut) = blocks[blockIndex];
                    string prefix = $"layer{s + 1}.{b}.";
                    for (int j = 0; j < main.Length; j++)
                    {
                        Name(main[j], prefix + $"conv{j + 1}", prefix + $"bn{j + 1}");
                    }

                    if (shortcut is not null)
                    {
                        Name(shortcut, prefix + "downsample.0", prefix + "downsample.1");
                    }
                }
            }

            bool hasHead = ReadHead(poolOutput, out long? mlpHidden);
            return new OnnxResNet(layout, _tensors, hasHead, inChannels, _foldedBatchNorm)
            {
                Preprocessing = preprocessing.Steps,
                TestTimeFlip = preprocessing.TestTimeFlip,
                MlpHiddenWidth = mlpHidden,
            };
        }

        private (ConvBn[] Main, ConvBn? Shortcut) ReadBlock(string x, int index, out string output)
        {
            var convs = Consumers(x).Where(n => n.OpType == "Conv").ToList();
            ConvBn? shortcut = null;
            ConvBn? first = null;
            foreach (var conv in convs)
            {
                var cb = FollowConv(conv, null, null, expectedPad: null);
                var after = Consumers(cb.Output);
                if (after.Count == 1 && after[0].OpType == "Add")
                {
                    shortcut = cb; // a projection shortcut: its BN feeds the Add directly
                }
                else
                {
                    first = first is null ? cb : throw Error($"block {index} starting at '{x}' has two main-path convolutions");
                }
            }

            if (first is null)
            {
                throw Error($"no residual block starts at '{x}' (consumers: {string.Join(", ", Consumers(x).Select(n => $"{n.OpType} '{n.Name}'"))})");
            }

            var main = new List<ConvBn> { first };
            var current = first;
            NodeProto add;
            while (true)
            {
                var after = Consumers(current.Output);
                if (after.Count == 1 && after[0].OpType == "Add")
                {
                    add = after[0];
                    break;
                }

                var relu = Single(current.Output, "Relu", $"the ReLU after '{current.Node}'");
                current = FollowConv(Single(relu.Output[0], "Conv", $"the convolution after '{relu.Name}'"), null, null, expectedPad: null);
                main.Add(current);
                if (main.Count > 3)
                {
                    throw Error($"block {index} starting at '{x}' has more than three convolutions on its main path");
                }
            }

            string other = add.Input[0] == current.Output ? add.Input[1] : add.Input[0];
            string expectedOther = shortcut?.Output ?? x;
            if (other != expectedOther)
            {
                throw Error($"the Add '{add.Name}' of block {index} adds '{other}', expected the block input or its projection '{expectedOther}'");
            }

            output = Single(add.Output[0], "Relu", $"the ReLU after '{add.Name}'").Output[0];
            return (main.ToArray(), shortcut);
        }

        private static ResNetLayout InferLayout(List<(ConvBn[] Main, ConvBn? Shortcut)> blocks)
        {
            if (blocks.Count == 0)
            {
                throw new InvalidDataException("The graph has no residual blocks.");
            }

            // A stage starts at the first block and at every later block with a projection shortcut
            // (torchvision's _make_layer gives the first block of layer2..4 a downsample, and of layer1 too for bottlenecks).
            var counts = new List<int>();
            for (int i = 0; i < blocks.Count; i++)
            {
                if (i == 0 || blocks[i].Shortcut is not null)
                {
                    counts.Add(0);
                }

                counts[^1]++;
            }

            int convsPerBlock = blocks[0].Main.Length;
            if (counts.Count != 4 || blocks.Any(b => b.Main.Length != convsPerBlock) || convsPerBlock is not (2 or 3))
            {
                throw new InvalidDataException(
                    $"The graph is not a ResNet of four stages of basic or bottleneck blocks: found stages of [{string.Join(", ", counts)}] blocks with [{string.Join(", ", blocks.Select(b => b.Main.Length).Distinct())}] convolutions each.");
            }

            var kind = convsPerBlock == 2 ? ResNetBlockKind.Basic : ResNetBlockKind.Bottleneck;
            return ResNetLayout.Identify(kind, counts.ToArray());
        }

        private bool ReadHead(string poolOutput, out long? mlpHidden)
        {
            mlpHidden = null;
            string x = poolOutput;
            while (true)
            {
                var next = Consumers(x);
                if (next.Count == 0)
                {
                    return false; // a featurizer: the graph ends at the pooled features
                }

                var node = next[0];
                switch (node.OpType)
                {
                    case "Flatten" or "Reshape" or "Squeeze":
                        x = node.Output[0];
                        continue;
                    case "Gemm":
                    {
                        // Our MLP head (Onnx/NetworkBuilder.cs): Gemm fc.0 → Relu → Gemm fc.3; else one Linear, fc.
                        var after = Consumers(node.Output[0]);
                        var second = after.Count == 1 && after[0].OpType == "Relu" && Consumers(after[0].Output[0]) is { Count: 1 } r && r[0].OpType == "Gemm" ? r[0] : null;
                        if (second is null)
                        {
                            AddGemm(node, "fc");
                            return true;
                        }

                        mlpHidden = AddGemm(node, "fc.0");
                        AddGemm(second, "fc.3");
                        return true;
                    }

                    default:
                        throw Error($"unsupported node {node.OpType} '{node.Name}' after the average pool (expected Flatten and Gemm, or the end of the graph)");
                }
            }
        }

        // A Gemm's weight as torch's Linear stores it ([out, in]) and its bias; returns the output width.
        private long AddGemm(NodeProto node, string name)
        {
            var w = Rename(Tensor(node.Input[1], name + ".weight"), name + ".weight");
            bool transB = node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I == 1;
            if (!transB)
            {
                w = Transpose2D(w);
            }

            _tensors.Add(w);
            _tensors.Add(node.Input.Count > 2 ? Rename(Tensor(node.Input[2], name + ".bias"), name + ".bias")
                : new StoredTensor(name + ".bias", StoredDType.Float32, new[] { w.Shape[0] }, new byte[w.Shape[0] * 4]));
            return w.Shape[0];
        }

        // One Conv and the BatchNormalization it feeds. A Conv that feeds no BatchNormalization (BN folded into it, as
        // torch.onnx.export does in eval mode) gets an identity BN: weight 1, bias = conv bias, mean 0,
        // var 1 - eps, so that (y - 0) / sqrt(var + eps) * 1 + b = y + b exactly.
        private ConvBn FollowConv(NodeProto conv, string? convName, string? bnName, long? expectedPad)
        {
            if (conv.Input.Count < 2 || conv.Output.Count < 1)
            {
                throw Error($"Conv '{conv.Name}' has {conv.Input.Count} inputs and {conv.Output.Count} outputs; a convolution has a data input, a weight and an output");
            }

            var weight = Tensor(conv.Input[1], "weight");
            if (weight.Shape.Length != 4)
            {
                throw Error($"the weight of Conv '{conv.Name}' has shape [{string.Join(", ", weight.Shape)}]; a 2-D convolution's weight has 4 dimensions");
            }

            long k = weight.Shape[2];
            long stride = Ints(conv, "strides")?.FirstOrDefault() ?? 1;
            long group = conv.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1;
            var dilations = Ints(conv, "dilations");
            if (group != 1 || (dilations is not null && dilations.Any(d => d != 1)) || weight.Shape[2] != weight.Shape[3])
            {
                throw Error($"Conv '{conv.Name}' is grouped, dilated or not square, which no ResNet layer is");
            }

            // torchvision pads k/2 on every side. CNTK wrote [3, 3, 2, 2] and [1, 1, 0, 0] (begin, end): the same
            // begin and a shorter end, which samples the same pixels for the even sizes it was exported for.
            long pad = k / 2;
            var pads = Ints(conv, "pads") ?? new long[] { 0, 0, 0, 0 };
            if (pads.Length != 4)
            {
                throw Error($"Conv '{conv.Name}' has {pads.Length} pads; a 2-D convolution has 4");
            }

            if ((expectedPad is { } p && p != pad) || pads[0] != pad || pads[1] != pad || pads[2] > pad || pads[3] > pad)
            {
                throw Error($"Conv '{conv.Name}' ({k}x{k}) has pads [{string.Join(", ", pads)}]; a ResNet conv pads {pad} at the start");
            }

            long outChannels = weight.Shape[0];
            var bias = conv.Input.Count > 2 && conv.Input[2].Length > 0 ? Tensor(conv.Input[2], "bias") : null;
            var after = Consumers(conv.Output[0]);
            StoredTensor[] bn;
            string output;
            if (after.Count == 1 && after[0].OpType == "BatchNormalization")
            {
                var bnNode = after[0];
                if (bias is not null)
                {
                    throw Error($"Conv '{conv.Name}' has a bias and feeds BatchNormalization '{bnNode.Name}'; ResNet convs have none");
                }

                float eps = bnNode.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
                var variance = Tensor(bnNode.Input[4], "running_var").ToFloat32();
                // Our BatchNorm2d uses torch's eps; absorbing the difference into the variance keeps
                // sqrt(var + eps) the same.
                for (int i = 0; i < variance.Length; i++)
                {
                    variance[i] += eps - TorchBatchNormEpsilon;
                }

                bn = new[]
                {
                    Tensor(bnNode.Input[1], "weight"),
                    Tensor(bnNode.Input[2], "bias"),
                    Tensor(bnNode.Input[3], "running_mean"),
                    Floats("running_var", variance),
                };
                output = bnNode.Output[0];
            }
            else
            {
                _foldedBatchNorm = true;
                var ones = Enumerable.Repeat(1f, (int)outChannels).ToArray();
                bn = new[]
                {
                    Floats("weight", ones),
                    bias ?? Floats("bias", new float[outChannels]),
                    Floats("running_mean", new float[outChannels]),
                    Floats("running_var", Enumerable.Repeat(1f - TorchBatchNormEpsilon, (int)outChannels).ToArray()),
                };
                output = conv.Output[0];
            }

            var cb = new ConvBn(conv.Name, new[] { weight }.Concat(bn).ToArray(), output, stride, outChannels);
            if (convName is not null && bnName is not null)
            {
                Name(cb, convName, bnName);
            }

            return cb;
        }

        private void Name(ConvBn cb, string convName, string bnName)
        {
            string[] bnKeys = { "weight", "bias", "running_mean", "running_var" };
            _tensors.Add(Rename(cb.Weights[0], convName + ".weight"));
            for (int i = 0; i < 4; i++)
            {
                _tensors.Add(Rename(cb.Weights[i + 1], $"{bnName}.{bnKeys[i]}"));
            }
        }

        private static StoredTensor Rename(StoredTensor t, string name) => new(name, t.DType, t.Shape, t.Data);

        private static StoredTensor Floats(string name, float[] values) =>
            new(name, StoredDType.Float32, new long[] { values.Length }, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

        private static StoredTensor Transpose2D(StoredTensor t)
        {
            long rows = t.Shape[0], cols = t.Shape[1];
            var src = t.ToFloat32();
            var dst = new float[src.Length];
            for (long r = 0; r < rows; r++)
            {
                for (long c = 0; c < cols; c++)
                {
                    dst[c * rows + r] = src[r * cols + c];
                }
            }

            return new StoredTensor(t.Name, StoredDType.Float32, new[] { cols, rows }, MemoryMarshal.AsBytes(dst.AsSpan()).ToArray());
        }

        private StoredTensor Tensor(string name, string role)
        {
            if (!_constants.TryGetValue(name, out var t))
            {
                throw Error($"the {role} '{name}' is not an initializer or constant");
            }

            if (t.DataLocation == TensorProto.Types.DataLocation.External)
            {
                throw Error($"the {role} '{name}' is stored in an external file, which is not read; save the model with its weights inside");
            }

            if (t.DataType != (int)TensorProto.Types.DataType.Float)
            {
                throw Error($"the {role} '{name}' has ONNX data type {t.DataType}; float32 weights are read");
            }

            long[] shape = t.Dims.ToArray();
            byte[] data = t.RawData.Length > 0 ? t.RawData.ToByteArray() : MemoryMarshal.AsBytes(t.FloatData.ToArray().AsSpan()).ToArray();
            try
            {
                return new StoredTensor(name, StoredDType.Float32, shape, data);
            }
            catch (ArgumentException e)
            {
                throw Error($"the {role} '{name}' is truncated: {e.Message}");
            }
        }

        private static long[]? Ints(NodeProto node, string name) =>
            node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();

        private List<NodeProto> Consumers(string tensor) =>
            _consumers.TryGetValue(tensor, out var list) ? list : new List<NodeProto>();

        private NodeProto Single(string tensor, string opType, string what)
        {
            var next = Consumers(tensor);
            if (next.Count != 1 || next[0].OpType != opType)
            {
                throw Error($"expected {what} ({opType}) to consume '{tensor}', found [{string.Join(", ", next.Select(n => $"{n.OpType} '{n.Name}'"))}]");
            }

            return next[0];
        }

        private InvalidDataException Error(string what) =>
            new($"'{_path}' is not a ResNet graph this importer reads: {what}.");
    }
}
