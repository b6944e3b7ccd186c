using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>One float32 tensor of a <see cref="WeightSnapshot"/>: its shape and its elements in row-major order.</summary>
internal sealed class WeightTensor
{
    private readonly long[] _shape;

    /// <summary>Creates a tensor; the shape is copied, the values are kept.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the value count is not the shape's product.</exception>
    public WeightTensor(long[] shape, float[] values)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(values);
        if (shape.Any(d => d < 0))
        {
            throw new ArgumentException($"Dimensions cannot be negative; got {FormatShape(shape)}.", nameof(shape));
        }

        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != values.LongLength)
        {
            throw new ArgumentException($"A tensor of shape {FormatShape(shape)} has {count} values; got {values.LongLength}.", nameof(values));
        }

        _shape = (long[])shape.Clone();
        Values = values;
    }

    /// <summary>Dimensions, outermost first.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The elements in row-major order.</summary>
    public ReadOnlyMemory<float> Values { get; }

    /// <inheritdoc/>
    public override string ToString() => FormatShape(_shape);

    internal static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
