using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using MLNetTransfer.Torch.Tests.Reference;
using MLNetTransfer.Torch.Weights;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Weights;

/// <summary>
/// Weights files whose lengths and shapes lie: each is refused with an <see cref="InvalidDataException"/> naming the
/// file (and the tensor or record), before the memory it declares is allocated. The .pth files are written by PyTorch.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class HostileWeightsTests : IClassFixture<HostileWeights>
{
    // Every file here declares at least 128 MiB; a refusal before allocating stays far below this.
    private const long AllocationBound = 100L << 20;

    private readonly HostileWeights _files;

    public HostileWeightsTests(HostileWeights files)
    {
        _files = files;
    }

    [Fact]
    public void ZeroStrideTensors_AreRefusedBeforeTheyAreExpanded()
    {
        string path = _files.ZeroStridePth;

        (InvalidDataException e, long allocated) = Refused(() => PthReader.Read(path));

        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("tensor 'w0'", e.Message);
        Assert.Contains("stride [0]", e.Message);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void OverlappingRows_AreRefusedBeforeTheyAreCopiedOut()
    {
        string path = _files.OverlappingPth;

        (InvalidDataException e, long allocated) = Refused(() => PthReader.Read(path));

        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("tensor 'grid'", e.Message);
        Assert.Contains("stride [1, 1]", e.Message);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void DeflatedRecordLargerThanTheFileAllows_IsRefusedBeforeItIsUnpacked()
    {
        string path = _files.DeflatedPth;

        (InvalidDataException e, long allocated) = Refused(() => PthReader.Read(path));

        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("record 'data/0'", e.Message);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void PickleGlobalThatIsNotUtf8_IsInvalidDataNamingTheFile()
    {
        // PROTO 2; GLOBAL "\xff\xfe\n" "x\n"; STOP. Decoding the name once threw DecoderFallbackException.
        byte[] pickle = { 0x80, 0x02, (byte)'c', 0xFF, 0xFE, (byte)'\n', (byte)'x', (byte)'\n', (byte)'.' };

        var e = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(pickle, "bad-name.pth"));

        Assert.Contains("'bad-name.pth'", e.Message);
        Assert.Contains("not UTF-8", e.Message);
    }

    [Fact]
    public void SafetensorsHeaderThatIsNotUtf8_IsInvalidDataNamingTheFile()
    {
        // A tensor name of two bytes that are not UTF-8; the rest is a well-formed one-tensor file. System.Text.Json
        // parses it and throws InvalidOperationException ("Cannot transcode invalid UTF-8 JSON") when the name is read.
        byte[] header = Encoding.ASCII.GetBytes("{\"??\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        header[2] = 0xFF;
        header[3] = 0xFE;
        var file = new byte[8 + header.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);

        var e = Assert.Throws<InvalidDataException>(() => SafetensorsReader.Read(new MemoryStream(file), "bad-name.safetensors"));

        Assert.Contains("'bad-name.safetensors'", e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
    }

    private static (InvalidDataException Error, long Allocated) Refused(Action read)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(read);
        return (e, GC.GetTotalAllocatedBytes(precise: true) - before);
    }
}
