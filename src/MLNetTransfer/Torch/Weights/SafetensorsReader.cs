using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Unicode;

namespace MLNetTransfer.Torch.Weights;

/// <summary>
/// Reads the tensors of a <c>.safetensors</c> file: the format Hugging Face made so that loading weights cannot run
/// code, and that timm and many model hubs publish. No Python and no libtorch are needed.
/// </summary>
/// <remarks>
/// Layout (https://github.com/huggingface/safetensors, README "Format"): an unsigned 64-bit little-endian header
/// length N; N bytes of UTF-8 JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c>
/// (offsets relative to the byte buffer after the header), plus an optional <c>"__metadata__"</c> map of strings;
/// then the byte buffer, tensors little-endian and row-major. Checks follow the reference implementation
/// (<c>safetensors/src/tensor.rs</c>, <c>SafeTensors::read_metadata</c> and <c>Metadata::validate</c>): the header
/// fits in the file, every tensor's byte count equals shape × element size, and tensors lie inside the buffer
/// without overlapping. Tensors are returned in the header's order.
/// </remarks>
internal static class SafetensorsReader
{
    // The reference implementation refuses headers over 100 MB (tensor.rs, MAX_HEADER_SIZE): a header length that
    // large is a corrupt or hostile file, and reading it would allocate that much.
    private const long MaxHeaderSize = 100_000_000;

    /// <summary>Reads every tensor of the .safetensors file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The header is malformed or inconsistent with the file, or the file is truncated.</exception>
    public static IReadOnlyList<StoredTensor> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads every tensor of a .safetensors file from <paramref name="stream"/>, which is left open.</summary>
    /// <param name="stream">The file's bytes, from the current position; copied to memory first when it cannot seek.</param>
    /// <param name="displayName">The name error messages use for the file.</param>
    /// <exception cref="InvalidDataException">The header is malformed or inconsistent with the file, or the file is truncated.</exception>
    public static IReadOnlyList<StoredTensor> Read(Stream stream, string displayName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        stream = SeekableStream.Of(stream);

        long start = stream.Position;
        long fileLength = stream.Length - start;
        if (fileLength < 8)
        {
            throw Error(displayName, $"is {fileLength} bytes long, too short for the 8-byte header length");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
        {
            throw Error(displayName, $"declares a {headerLength}-byte header but only {fileLength - 8} bytes follow the header length; the file is truncated or not safetensors");
        }

        if (headerLength > MaxHeaderSize)
        {
            throw Error(displayName, $"declares a {headerLength}-byte header, over the format's {MaxHeaderSize}-byte limit");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        // System.Text.Json parses invalid UTF-8 inside strings and only fails when a name or value is decoded, with an
        // InvalidOperationException ("Cannot transcode invalid UTF-8 JSON text") that names no file; the format requires
        // UTF-8 (README, "Format"), so check it first.
        if (!Utf8.IsValid(header))
        {
            throw Error(displayName, $"has a {headerLength}-byte header that is not valid UTF-8");
        }
        long bufferStart = start + 8 + (long)headerLength;
        long bufferLength = fileLength - 8 - (long)headerLength;

        List<Entry> entries = ParseHeader(header, displayName);
        CheckLayout(entries, bufferLength, displayName);

        var result = new List<StoredTensor>(entries.Count);
        foreach (Entry e in entries)
        {
            var data = new byte[e.End - e.Begin];
            stream.Position = bufferStart + e.Begin;
            stream.ReadExactly(data);
            result.Add(new StoredTensor(e.Name, e.DType, e.Shape, data));
        }

        return result;
    }

    private static List<Entry> ParseHeader(byte[] header, string displayName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Safetensors file '{displayName}' has a header that is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Error(displayName, "has a header that is not a JSON object");
            }

            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw Error(displayName, $"names tensor '{property.Name}' twice in its header");
                }

                // Free-form string metadata (e.g. {"format": "pt"}); no tensor.
                if (property.Name == "__metadata__")
                {
                    continue;
                }

                entries.Add(ParseEntry(property, displayName));
            }

            return entries;
        }
    }

    private static Entry ParseEntry(JsonProperty property, string displayName)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out JsonElement offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw Error(displayName, $"has tensor '{name}' without \"dtype\", \"shape\" and \"data_offsets\" in its header");
        }

        string dtypeName = dtypeElement.GetString()!;
        StoredDType dtype = dtypeName switch
        {
            "F32" => StoredDType.Float32,
            "F64" => StoredDType.Float64,
            "F16" => StoredDType.Float16,
            "BF16" => StoredDType.BFloat16,
            "I64" => StoredDType.Int64,
            "I32" => StoredDType.Int32,
            "I16" => StoredDType.Int16,
            "I8" => StoredDType.Int8,
            "U8" => StoredDType.UInt8,
            "BOOL" => StoredDType.Bool,
            _ => throw Error(displayName, $"has tensor '{name}' of dtype '{dtypeName}', which is not supported (F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL are)"),
        };

        long[] shape = shapeElement.EnumerateArray()
            .Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out long n) && n >= 0
                ? n
                : throw Error(displayName, $"has tensor '{name}' with a shape entry {d.GetRawText()} that is not a non-negative integer"))
            .ToArray();
        long[] offsets = offsetsElement.EnumerateArray()
            .Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out long n) && n >= 0
                ? n
                : throw Error(displayName, $"has tensor '{name}' with a data offset {d.GetRawText()} that is not a non-negative integer"))
            .ToArray();
        if (offsets.Length != 2 || offsets[0] > offsets[1])
        {
            throw Error(displayName, $"has tensor '{name}' with data_offsets [{string.Join(", ", offsets)}]; [begin, end] with begin <= end was expected");
        }

        long expectedBytes;
        try
        {
            expectedBytes = checked(shape.Aggregate(1L, (a, d) => checked(a * d)) * StoredTensor.ElementSize(dtype));
        }
        catch (OverflowException)
        {
            throw Error(displayName, $"has tensor '{name}' of shape [{string.Join(", ", shape)}], too large to address");
        }

        if (offsets[1] - offsets[0] != expectedBytes)
        {
            throw Error(displayName,
                $"has tensor '{name}' of dtype {dtypeName} and shape [{string.Join(", ", shape)}] ({expectedBytes} bytes) " +
                $"but data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]} bytes");
        }

        if (expectedBytes > Array.MaxLength)
        {
            throw Error(displayName, $"has tensor '{name}' of {expectedBytes} bytes, too large to read into one array");
        }

        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /// <summary>Every tensor inside the byte buffer, none overlapping another.</summary>
    private static void CheckLayout(List<Entry> entries, long bufferLength, string displayName)
    {
        Entry? outside = entries.FirstOrDefault(e => e.End > bufferLength);
        if (outside is not null)
        {
            throw Error(displayName,
                $"has tensor '{outside.Name}' at bytes [{outside.Begin}, {outside.End}) of a {bufferLength}-byte data buffer; the file is truncated");
        }

        Entry? previous = null;
        foreach (Entry e in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && e.Begin < previous.End)
            {
                throw Error(displayName,
                    $"has tensors '{previous.Name}' [{previous.Begin}, {previous.End}) and '{e.Name}' [{e.Begin}, {e.End}) overlapping in its data buffer");
            }

            previous = e;
        }
    }

    private static InvalidDataException Error(string displayName, string message) => new($"Safetensors file '{displayName}' {message}.");

    private sealed record Entry(string Name, StoredDType DType, long[] Shape, long Begin, long End);
}
