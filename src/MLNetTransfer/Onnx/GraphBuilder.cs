using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace MLNetTransfer.Onnx;

/// <summary>
/// Appends nodes, initializers, inputs and outputs to an ONNX <see cref="GraphProto"/> and keeps the graph in SSA form:
/// every value (input, initializer, node output) has one producer and a unique name, and every node a unique name.
/// </summary>
internal sealed class GraphBuilder
{
    /// <summary>The symbolic batch dimension of inputs and outputs.</summary>
    public const string BatchDim = "N";

    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);

    public GraphBuilder(string name, string? docString = null)
    {
        Graph = new GraphProto { Name = name, DocString = docString ?? string.Empty };
    }

    public GraphProto Graph { get; }

    /// <summary>A float32 graph input <c>[N, dims...]</c> with a symbolic batch axis.</summary>
    public string AddInput(string name, params long[] dims)
    {
        Claim(name);
        Graph.Input.Add(ValueInfo(name, TensorProto.Types.DataType.Float, dims));
        return name;
    }

    /// <summary>Declares the value <paramref name="name"/> (made by a node) a float32 graph output <c>[N, dims...]</c>.</summary>
    public void AddOutput(string name, params long[] dims) => AddOutput(name, TensorProto.Types.DataType.Float, dims);

    /// <summary>Declares the value <paramref name="name"/> (made by a node) a graph output <c>[N, dims...]</c> of <paramref name="elementType"/>.</summary>
    public void AddOutput(string name, TensorProto.Types.DataType elementType, params long[] dims)
    {
        if (!_values.Contains(name))
        {
            throw new InvalidOperationException($"Graph output '{name}' is not produced by any node.");
        }

        Graph.Output.Add(ValueInfo(name, elementType, dims));
    }

    /// <summary>A float32 initializer, stored as little-endian raw data.</summary>
    public string AddInitializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        if (BitConverter.IsLittleEndian)
        {
            tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        }
        else
        {
            tensor.FloatData.AddRange(values.ToArray());
        }

        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A 1-D int64 initializer (Slice's starts, ends and axes).</summary>
    public string AddInt64Initializer(string name, params long[] values)
    {
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A rank-0 int64 initializer (Gather's index, which then drops the gathered axis).</summary>
    public string AddInt64Scalar(string name, long value)
    {
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.Add(value);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A rank-0 float32 initializer.</summary>
    public string AddFloatScalar(string name, float value)
    {
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>
    /// Appends a node of the default domain with one output. The output value is named <paramref name="output"/>, or
    /// like the node when null.
    /// </summary>
    public string AddNode(string opType, string name, IEnumerable<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        output ??= name;
        if (!_nodes.Add(name))
        {
            throw new InvalidOperationException($"Two nodes are named '{name}'.");
        }

        var node = new NodeProto { OpType = opType, Name = name };
        foreach (var input in inputs)
        {
            if (!_values.Contains(input))
            {
                throw new InvalidOperationException($"Node '{name}' reads '{input}', which no input, initializer or earlier node provides.");
            }

            node.Input.Add(input);
        }

        Claim(output);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("ONNX value names must not be empty.", nameof(name));
        }

        if (!_values.Add(name))
        {
            throw new ArgumentException(
                $"The name '{name}' is used twice in the graph (a graph input or output may not take the name of an internal value).", nameof(name));
        }
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType elementType, long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDim });
        foreach (long d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = shape },
            },
        };
    }
}
