using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Onnx;

namespace MLNetTransfer.Torch.Weights;

/// <summary>One per-pixel step of a graph's preprocessing, in graph order.</summary>
internal abstract record OnnxPreprocessStep(string Node);

/// <summary>A Slice on the height and width axes: the centre crop (Onnx/Preprocessing.cs writes it).</summary>
internal sealed record OnnxCropStep(string Node, long Top, long Left, long Height, long Width) : OnnxPreprocessStep(Node);

/// <summary>A 1x1 Conv without bias from 3 channels to 1: RGB to gray with the weights it holds.</summary>
internal sealed record OnnxGrayStep(string Node, float[] Weights) : OnnxPreprocessStep(Node);

/// <summary>A Concat of one value with itself along the channel axis: gray to RGB.</summary>
internal sealed record OnnxReplicateStep(string Node, int Copies) : OnnxPreprocessStep(Node);

/// <summary>
/// <c>x op constant</c> for Div, Sub, Mul or Add, the constant broadcast over <c>[N, C, H, W]</c> by ONNX's
/// (numpy's) rules: a scalar, per channel <c>[1, C, 1, 1]</c> or a mean image <c>[1, C, H, W]</c>.
/// </summary>
internal sealed record OnnxArithmeticStep(string Node, string OpType, float[] Values, long[] Shape) : OnnxPreprocessStep(Node);

/// <summary>
/// Reads the nodes between a graph's image input and its network's first convolution as <see cref="OnnxPreprocessStep"/>s,
/// so that the network can be fed exactly what the graph feeds it (the preprocessing this library writes is described
/// on <c>ResNetOnnxSpec</c>: Slice, Conv 1x1 or Concat, Div, Sub, Div). Also recognises test-time flip's Slice (step -1)
/// and Concat along the batch axis, which ends the preprocessing. Any other node is an error that names it.
/// </summary>
internal static class OnnxPreprocessing
{
    /// <summary>The result of walking from the input to the stem: the steps, whether a flip follows, and the stem's input.</summary>
    internal sealed record Chain(IReadOnlyList<OnnxPreprocessStep> Steps, bool TestTimeFlip, string StemInput);

    /// <summary>
    /// Walks from <paramref name="input"/> to the stem Conv (a Conv whose weight is 7x7, as torchvision's conv1).
    /// </summary>
    /// <param name="input">The graph's image input.</param>
    /// <param name="consumers">The nodes reading each value.</param>
    /// <param name="constants">Initializers and Constant nodes by name.</param>
    /// <param name="error">Makes the importer's error for a message.</param>
    public static Chain Walk(string input, Func<string, List<NodeProto>> consumers, IReadOnlyDictionary<string, TensorProto> constants, Func<string, InvalidDataException> error)
    {
        var steps = new List<OnnxPreprocessStep>();
        string x = input;
        bool flip = false;
        for (int guard = 0; guard < 64; guard++)
        {
            var next = consumers(x).Distinct().ToList();
            if (next.Count == 1 && next[0].OpType == "Conv" && IsStem(next[0], constants))
            {
                return new Chain(steps, flip, x);
            }

            // Test-time flip (Onnx/TestTimeFlip.cs): x feeds a Slice with step -1 and a Concat(x, mirror) on axis 0.
            if (!flip && next.Count == 2 && next.SingleOrDefault(n => n.OpType == "Concat") is { } stack
                && next.SingleOrDefault(n => n.OpType == "Slice") is { } mirror
                && Int(stack, "axis") == 0 && stack.Input.Count == 2 && stack.Input[0] == x && stack.Input[1] == mirror.Output[0])
            {
                flip = true;
                x = stack.Output[0];
                continue;
            }

            if (next.Count != 1)
            {
                throw error($"expected one preprocessing node or the stem convolution to consume '{x}', found [{string.Join(", ", next.Select(n => $"{n.OpType} '{n.Name}'"))}]");
            }

            var node = next[0];
            if (flip)
            {
                throw error($"node {node.OpType} '{node.Name}' follows the test-time flip; the stem convolution was expected");
            }

            steps.Add(node.OpType switch
            {
                "Slice" => Crop(node, x, constants, error),
                "Conv" => Gray(node, constants, error),
                "Concat" when Int(node, "axis") == 1 && node.Input.All(i => i == x) => new OnnxReplicateStep(node.Name, node.Input.Count),
                "Div" or "Sub" or "Mul" or "Add" when node.Input.Count == 2 && node.Input[0] == x => Arithmetic(node, constants, error),
                _ => throw error($"unsupported preprocessing node {node.OpType} '{node.Name}' before the stem convolution"),
            });
            x = node.Output[0];
        }

        throw error("no stem convolution within 64 nodes of the input");
    }

    private static bool IsStem(NodeProto conv, IReadOnlyDictionary<string, TensorProto> constants) =>
        conv.Input.Count > 1 && constants.TryGetValue(conv.Input[1], out var w) && w.Dims.Count == 4 && w.Dims[2] == 7 && w.Dims[3] == 7;

    private static OnnxCropStep Crop(NodeProto node, string x, IReadOnlyDictionary<string, TensorProto> constants, Func<string, InvalidDataException> error)
    {
        if (node.Input.Count < 4 || node.Input[0] != x)
        {
            throw error($"Slice '{node.Name}' has no axes; a centre crop slices axes 2 and 3");
        }

        long[] starts = Longs(node.Input[1], constants, error), ends = Longs(node.Input[2], constants, error), axes = Longs(node.Input[3], constants, error);
        long[] stepsAttr = node.Input.Count > 4 && node.Input[4].Length > 0 ? Longs(node.Input[4], constants, error) : new long[] { 1, 1 };
        if (!axes.SequenceEqual(new long[] { 2, 3 }) || starts.Length != 2 || ends.Length != 2 || stepsAttr.Any(s => s != 1) || starts.Any(s => s < 0) || ends.Zip(starts).Any(p => p.First <= p.Second))
        {
            throw error($"Slice '{node.Name}' is not a crop of axes 2 and 3 with positive starts and step 1");
        }

        return new OnnxCropStep(node.Name, starts[0], starts[1], ends[0] - starts[0], ends[1] - starts[1]);
    }

    private static OnnxGrayStep Gray(NodeProto node, IReadOnlyDictionary<string, TensorProto> constants, Func<string, InvalidDataException> error)
    {
        var (values, shape) = Floats(node.Input[1], constants, error);
        bool hasBias = node.Input.Count > 2 && node.Input[2].Length > 0;
        if (hasBias || !shape.SequenceEqual(new long[] { 1, 3, 1, 1 }))
        {
            throw error($"Conv '{node.Name}' before the stem is not a bias-free 1x1 conversion from 3 channels to 1");
        }

        return new OnnxGrayStep(node.Name, values);
    }

    private static OnnxArithmeticStep Arithmetic(NodeProto node, IReadOnlyDictionary<string, TensorProto> constants, Func<string, InvalidDataException> error)
    {
        var (values, shape) = Floats(node.Input[1], constants, error);
        return new OnnxArithmeticStep(node.Name, node.OpType, values, shape);
    }

    private static long? Int(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I;

    private static long[] Longs(string name, IReadOnlyDictionary<string, TensorProto> constants, Func<string, InvalidDataException> error)
    {
        if (!constants.TryGetValue(name, out var t) || t.DataType != (int)TensorProto.Types.DataType.Int64)
        {
            throw error($"'{name}' is not an int64 initializer or constant");
        }

        return t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : t.Int64Data.ToArray();
    }

    private static (float[] Values, long[] Shape) Floats(string name, IReadOnlyDictionary<string, TensorProto> constants, Func<string, InvalidDataException> error)
    {
        if (!constants.TryGetValue(name, out var t) || t.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw error($"'{name}' is not a float32 initializer or constant");
        }

        var values = t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
        long[] shape = t.Dims.ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return values.Length == count ? (values, shape) : throw error($"'{name}' holds {values.Length} values for shape [{string.Join(", ", shape)}]");
    }
}
