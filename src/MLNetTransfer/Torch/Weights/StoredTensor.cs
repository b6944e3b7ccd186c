using System;
using System.Buffers.Binary;
using System.Linq;

namespace MLNetTransfer.Torch.Weights;

/// <summary>Element types a weights file may hold (PyTorch's names in brackets).</summary>
internal enum StoredDType
{
    /// <summary>float32 (torch.float).</summary>
    Float32,
    /// <summary>float64 (torch.double).</summary>
    Float64,
    /// <summary>IEEE half (torch.half).</summary>
    Float16,
    /// <summary>bfloat16 (torch.bfloat16).</summary>
    BFloat16,
    /// <summary>int64 (torch.long), e.g. BatchNorm's num_batches_tracked.</summary>
    Int64,
    /// <summary>int32 (torch.int).</summary>
    Int32,
    /// <summary>int16 (torch.short).</summary>
    Int16,
    /// <summary>int8 (torch.int8).</summary>
    Int8,
    /// <summary>uint8 (torch.uint8).</summary>
    UInt8,
    /// <summary>bool (torch.bool), one byte per element.</summary>
    Bool,
}

/// <summary>
/// One named tensor read from a weights file, before it becomes a TorchSharp tensor: element type, shape and the
/// elements as little-endian bytes in C (row-major, contiguous) order. Readers of every format (.pth, .safetensors,
/// ONNX initializers) produce this, so the code that maps names onto modules and reports missing, unexpected and
/// mis-shaped keys is written once.
/// </summary>
internal sealed class StoredTensor
{
    public StoredTensor(string name, StoredDType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count * ElementSize(dtype) != data.LongLength)
        {
            throw new ArgumentException(
                $"Tensor '{name}' of shape [{string.Join(", ", shape)}] and type {dtype} needs {count * ElementSize(dtype)} bytes, got {data.LongLength}.",
                nameof(data));
        }

        Name = name;
        DType = dtype;
        Shape = shape;
        Data = data;
        ElementCount = count;
    }

    /// <summary>The key, as in the file (e.g. <c>layer1.0.conv1.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public StoredDType DType { get; }

    /// <summary>The shape; empty for a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>Little-endian elements in row-major order.</summary>
    public byte[] Data { get; }

    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(StoredDType dtype) => dtype switch
    {
        StoredDType.Float64 or StoredDType.Int64 => 8,
        StoredDType.Float32 or StoredDType.Int32 => 4,
        StoredDType.Float16 or StoredDType.BFloat16 or StoredDType.Int16 => 2,
        StoredDType.Int8 or StoredDType.UInt8 or StoredDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The elements converted to float32 (exact for float16/bfloat16; rounds float64 and large integers).</summary>
    public float[] ToFloat32()
    {
        var result = new float[ElementCount];
        ReadOnlySpan<byte> d = Data;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = DType switch
            {
                StoredDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(d.Slice(i * 4)),
                StoredDType.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(d.Slice(i * 8)),
                StoredDType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(d.Slice(i * 2)),
                // bfloat16 is the upper half of a float32.
                StoredDType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(i * 2)) << 16),
                StoredDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(d.Slice(i * 8)),
                StoredDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(d.Slice(i * 4)),
                StoredDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(d.Slice(i * 2)),
                StoredDType.Int8 => (sbyte)d[i],
                StoredDType.UInt8 or StoredDType.Bool => d[i],
                _ => throw new InvalidOperationException($"Unknown element type {DType}."),
            };
        }

        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {DType}[{string.Join(", ", Shape)}]";
}
