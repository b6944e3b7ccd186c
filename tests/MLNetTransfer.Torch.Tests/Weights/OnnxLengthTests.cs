using System;
using System.Collections.Generic;
using System.IO;
using MLNetTransfer.Torch.Weights;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Weights;

/// <summary>
/// ONNX files whose protobuf lengths lie: a length-delimited field declaring 2 GiB in a file of a few bytes, and a
/// string field that is not UTF-8. Both are <see cref="InvalidDataException"/>s naming the file, before the declared
/// length is allocated. Google.Protobuf already reads a long field in chunks and fails at the end of the stream, and
/// decodes strings strictly; these tests keep it so. The files are written byte by byte from the protobuf wire format
/// (https://protobuf.dev/programming-guides/encoding/) and onnx.proto's field numbers (ModelProto.producer_name = 2).
/// </summary>
[Trait("Category", "Reliability")]
public sealed class OnnxLengthTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"mlnettransfer-{Guid.NewGuid():N}.onnx");

    [Fact]
    public void FieldLengthPastTheEndOfTheFile_IsRefusedNamingTheFileBeforeAllocating()
    {
        // Field 2 (producer_name), wire type 2, length 2^31 - 2 as a varint, then 10 bytes.
        var bytes = new List<byte> { 0x12 };
        bytes.AddRange(Varint(int.MaxValue - 1));
        bytes.AddRange(new byte[10]);
        File.WriteAllBytes(_path, bytes.ToArray());

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => OnnxResNetImporter.Read(_path));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains($"'{_path}' is not a readable ONNX model", e.Message);
        Assert.True(allocated < 100L << 20, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void StringThatIsNotUtf8_IsInvalidDataNamingTheFile()
    {
        File.WriteAllBytes(_path, new byte[] { 0x12, 0x02, 0xFF, 0xFE });

        var e = Assert.Throws<InvalidDataException>(() => OnnxResNetImporter.Read(_path));

        Assert.Contains($"'{_path}' is not a readable ONNX model", e.Message);
        Assert.Contains("UTF-8", e.Message);
    }

    public void Dispose() => File.Delete(_path);

    private static IEnumerable<byte> Varint(long value)
    {
        while (value >= 0x80)
        {
            yield return (byte)(value | 0x80);
            value >>= 7;
        }

        yield return (byte)value;
    }
}
