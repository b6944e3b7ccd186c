using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MLNetTransfer.Torch.Tests.Reference;
using MLNetTransfer.Torch.Weights;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Weights;

/// <summary><see cref="SafetensorsReader"/> against the reference files and hand-made broken headers. Pure .NET.</summary>
public sealed class SafetensorsReaderTests : IClassFixture<TorchvisionReferences>
{
    private readonly TorchvisionReferences _refs;

    public SafetensorsReaderTests(TorchvisionReferences refs)
    {
        _refs = refs;
    }

    [Fact]
    public void DTypes_MatchPyTorchValuesAndShapes()
    {
        IReadOnlyList<StoredTensor> tensors = SafetensorsReader.Read(_refs.DTypesSafetensors);
        IReadOnlyList<ExpectedTensor> expected = TorchvisionReferences.ReadExpected(_refs.DTypesJson);

        Assert.Equal(expected.Select(t => t.Name), tensors.Select(t => t.Name));
        foreach ((ExpectedTensor e, StoredTensor a) in expected.Zip(tensors))
        {
            Assert.True(TorchvisionReferences.ParseDType(e.DType) == a.DType, $"{e.Name}: dtype {a.DType}, expected {e.DType}");
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{e.Name}: shape [{string.Join(", ", a.Shape)}]");
            Assert.True(e.Values.SequenceEqual(TorchvisionReferences.ToDoubles(a)), $"{e.Name}: values differ");
        }
    }

    [Fact]
    public void ResNet18_HasTorchvisionKeysAndRandomisedBatchNorms()
    {
        IReadOnlyList<StoredTensor> tensors = SafetensorsReader.Read(_refs.SafetensorsPath("resnet18"));

        Assert.Equal(122, tensors.Count);
        Assert.Equal("conv1.weight", tensors[0].Name);
        Assert.Equal(new long[] { 64, 3, 7, 7 }, tensors[0].Shape);
        Assert.Equal("fc.bias", tensors[^1].Name);
        StoredTensor[] tracked = tensors.Where(t => t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToArray();
        Assert.Equal(20, tracked.Length);
        Assert.All(tracked, t => Assert.Equal(StoredDType.Int64, t.DType));
        // The script numbers BatchNorms 1, 2, ... in module order so a swapped pair shows.
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (float)i), tracked.Select(t => t.ToFloat32()[0]));
        Assert.All(tensors.Where(t => t.Name.EndsWith(".running_var", StringComparison.Ordinal)), t => Assert.DoesNotContain(1f, t.ToFloat32()));
    }

    [Fact]
    public void Truncated_NamesTheFile()
    {
        byte[] bytes = File.ReadAllBytes(_refs.SafetensorsPath("resnet18"));
        string path = WriteTemp(bytes.AsSpan(0, bytes.Length / 2).ToArray());
        try
        {
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HeaderLongerThanTheFile_IsRefused()
    {
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1_000_000);
        string path = WriteTemp(bytes);
        try
        {
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("1000000-byte header", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TooShortForTheHeaderLength_IsRefused()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(new MemoryStream(new byte[] { 1, 2, 3 }), "tiny.safetensors"));
        Assert.Contains("tiny.safetensors", e.Message);
    }

    [Fact]
    public void HandWritten_ReadsInHeaderOrderAndSkipsMetadata()
    {
        MemoryStream file = Make(
            """{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"a":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}""",
            new byte[] { 7, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40 });

        IReadOnlyList<StoredTensor> tensors = SafetensorsReader.Read(file, "mem.safetensors");

        Assert.Equal(new[] { "b", "a" }, tensors.Select(t => t.Name));
        Assert.Equal(new[] { 1f, 2f }, tensors[0].ToFloat32());
        Assert.Empty(tensors[1].Shape);
        Assert.Equal(7f, tensors[1].ToFloat32()[0]);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 8, "'w'", "span 4 bytes")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"v":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}""", 8, "overlapping", "'v'")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 8, "'w'", "truncated")]
    [InlineData("""{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", 8, "'w'", "'C64'")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 8, "'w'", "shape")]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,4]}}""", 8, "'w'", "\"shape\"")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "'w'", "twice")]
    [InlineData("""["not", "an", "object"]""", 0, "not a JSON object", "bad.safetensors")]
    [InlineData("""{"w": """, 0, "not valid JSON", "bad.safetensors")]
    public void BrokenHeaders_SayWhatIsWrong(string header, int bufferBytes, string expected1, string expected2)
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(Make(header, new byte[bufferBytes]), "bad.safetensors"));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains(expected1, e.Message);
        Assert.Contains(expected2, e.Message);
    }

    private static MemoryStream Make(string header, byte[] buffer)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var stream = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        stream.Write(json);
        stream.Write(buffer);
        stream.Position = 0;
        return stream;
    }

    private static string WriteTemp(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnettransfer-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
