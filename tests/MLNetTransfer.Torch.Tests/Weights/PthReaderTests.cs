using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using MLNetTransfer.Torch.Tests.Reference;
using MLNetTransfer.Torch.Weights;
using Xunit;

namespace MLNetTransfer.Torch.Tests.Weights;

/// <summary>
/// <see cref="PthReader"/> and <see cref="RestrictedUnpickler"/> against files written by PyTorch 1.13's torch.save.
/// Pure .NET: no libtorch is loaded.
/// </summary>
public sealed class PthReaderTests : IClassFixture<TorchvisionReferences>
{
    private readonly TorchvisionReferences _refs;

    public PthReaderTests(TorchvisionReferences refs)
    {
        _refs = refs;
    }

    [Fact]
    public void DTypes_MatchPyTorchValuesAndShapes()
    {
        IReadOnlyList<StoredTensor> tensors = PthReader.Read(_refs.DTypesPth);
        AssertMatches(TorchvisionReferences.ReadExpected(_refs.DTypesJson), tensors);
    }

    [Fact]
    public void Views_AreCopiedOutContiguously()
    {
        Dictionary<string, StoredTensor> t = PthReader.Read(_refs.DTypesPth).ToDictionary(x => x.Name);

        // grid = arange(12).reshape(3, 4); grid.t() is saved as size (4, 3), stride (1, 4).
        Assert.Equal(new long[] { 4, 3 }, t["transposed"].Shape);
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, t["transposed"].ToFloat32());
        // tensor([1, 2, 3]).expand(2, 3) has stride (0, 1).
        Assert.Equal(new float[] { 1, 2, 3, 1, 2, 3 }, t["expanded"].ToFloat32());

        // base = arange(10) * 0.5 - 1; four tensors share its storage at different offsets and strides.
        float[] b = Enumerable.Range(0, 10).Select(i => i * 0.5f - 1f).ToArray();
        Assert.Equal(b, t["shared_base"].ToFloat32());
        Assert.Equal(b[2..], t["shared_tail"].ToFloat32());
        Assert.Equal(new long[] { 2, 3 }, t["shared_window"].Shape);
        Assert.Equal(b[3..9], t["shared_window"].ToFloat32());
        Assert.Equal(new[] { b[1], b[4], b[7] }, t["strided"].ToFloat32());
    }

    [Fact]
    public void Checkpoint_ReadsTheStateDictUnderItsKey()
    {
        IReadOnlyList<StoredTensor> tensors = PthReader.Read(_refs.CheckpointPth);
        AssertMatches(TorchvisionReferences.ReadExpected(_refs.CheckpointJson), tensors);
    }

    [Fact]
    public void Protocol4_ReadsTheSameTensors()
    {
        IReadOnlyList<StoredTensor> tensors = PthReader.Read(_refs.Protocol4Pth);
        AssertMatches(TorchvisionReferences.ReadExpected(_refs.DTypesJson), tensors);
    }

    [Fact]
    public void Torch2Forms_AreRead()
    {
        // _rebuild_tensor_v3 over an UntypedStorage, _rebuild_from_type_v2, _rebuild_parameter_with_state, metadata.
        IReadOnlyList<StoredTensor> tensors = PthReader.Read(_refs.Torch2FormsPth);
        AssertMatches(TorchvisionReferences.ReadExpected(_refs.Torch2FormsJson), tensors);
    }

    [Fact]
    public void BigEndianArchive_IsSwappedToLittleEndian()
    {
        // dtypes.pth as a big-endian machine would write it: a "byteorder" record saying "big" and every element
        // byte-reversed (torch/serialization.py, _load, byteswap). Storage keys map to dtypes through the pickle, so
        // swap each record by the element size of the tensor that uses it.
        Dictionary<string, int> elementSizes = StorageElementSizes(_refs.DTypesPth);
        MemoryStream copy = CopyArchive(
            _refs.DTypesPth,
            skip: _ => false,
            transform: (name, data) =>
            {
                string key = name.Substring(name.LastIndexOf('/') + 1);
                if (name.Contains("/data/", StringComparison.Ordinal) && elementSizes.TryGetValue(key, out int size))
                {
                    for (int i = 0; i < data.Length; i += size)
                    {
                        Array.Reverse(data, i, size);
                    }
                }

                return data;
            },
            extra: ("dtypes/byteorder", "big"u8.ToArray()));

        AssertMatches(TorchvisionReferences.ReadExpected(_refs.DTypesJson), PthReader.Read(copy, "big-endian.pth"));
    }

    [Fact]
    public void ResNet18_PthAndSafetensorsAgreeKeyForKey()
    {
        IReadOnlyList<StoredTensor> pth = PthReader.Read(_refs.PthPath("resnet18"));
        IReadOnlyList<StoredTensor> safetensors = SafetensorsReader.Read(_refs.SafetensorsPath("resnet18"));

        // torchvision's state_dict order: conv1, bn1 (weight, bias, running_mean, running_var, num_batches_tracked), layer1..4, fc.
        Assert.Equal(safetensors.Select(t => t.Name), pth.Select(t => t.Name));
        Assert.Equal("conv1.weight", pth[0].Name);
        Assert.Equal(new[] { "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked" }, pth.Skip(1).Take(5).Select(t => t.Name));
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, pth.TakeLast(2).Select(t => t.Name));
        Assert.Equal(122, pth.Count);
        for (int i = 0; i < pth.Count; i++)
        {
            Assert.True(pth[i].DType == safetensors[i].DType, $"{pth[i].Name}: {pth[i].DType} vs {safetensors[i].DType}");
            Assert.Equal(safetensors[i].Shape, pth[i].Shape);
            Assert.True(pth[i].Data.AsSpan().SequenceEqual(safetensors[i].Data), $"{pth[i].Name}: bytes differ");
        }

        StoredTensor fc = pth.Single(t => t.Name == "fc.weight");
        Assert.Equal(new long[] { 1000, 512 }, fc.Shape);
        StoredTensor tracked = pth.Single(t => t.Name == "bn1.num_batches_tracked");
        Assert.Equal(StoredDType.Int64, tracked.DType);
        Assert.Empty(tracked.Shape);
        Assert.Equal(1f, tracked.ToFloat32()[0]);
    }

    [Fact]
    public void Evil_RefusesTheGlobalBeforeRunningAnything()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => PthReader.Read(_refs.EvilPth));

        // os.system pickles as posix.system (nt.system on Windows).
        Assert.Matches(@"refuses pickle global '(posix|nt)\.system'", e.Message);
        Assert.Contains(_refs.EvilPth, e.Message);
        Assert.Contains("no pickle code is run", e.Message);
    }

    [Fact]
    public void Legacy_SaysHowToConvert()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => PthReader.Read(_refs.LegacyPth));

        Assert.Contains(_refs.LegacyPth, e.Message);
        Assert.Contains("legacy", e.Message);
        Assert.Contains("torch.save(torch.load(", e.Message);
        Assert.Contains(".safetensors", e.Message);
    }

    [Fact]
    public void Truncated_NamesTheFile()
    {
        byte[] bytes = File.ReadAllBytes(_refs.PthPath("resnet18"));
        string path = WriteTemp(bytes.AsSpan(0, bytes.Length / 2).ToArray(), ".pth");
        try
        {
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => PthReader.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Garbage_IsNotAZip()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        bytes[0] = (byte)'G';
        string path = WriteTemp(bytes, ".pth");
        try
        {
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => PthReader.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("not a torch.save zip archive", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Safetensors_GivenToThePthReader_PointsToTheOtherReader()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => PthReader.Read(_refs.DTypesSafetensors));
        Assert.Contains("SafetensorsReader", e.Message);
    }

    [Fact]
    public void MissingStorageRecord_NamesTheRecordAndTheTensor()
    {
        // dtypes.pth without the record of its first storage (the tensor "f32").
        MemoryStream copy = CopyArchive(_refs.DTypesPth, skip: name => name == "dtypes/data/0");

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => PthReader.Read(copy, "no-storage.pth"));

        Assert.Contains("no-storage.pth", e.Message);
        Assert.Contains("'data/0'", e.Message);
        Assert.Contains("'f32'", e.Message);
    }

    [Fact]
    public void ZipWithoutDataPkl_IsNotATorchSave()
    {
        MemoryStream copy = CopyArchive(_refs.DTypesPth, skip: name => name.EndsWith("data.pkl", StringComparison.Ordinal));

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => PthReader.Read(copy, "other.zip"));

        Assert.Contains("other.zip", e.Message);
        Assert.Contains("data.pkl", e.Message);
    }

    [Fact]
    public void NonSeekableStream_IsRead()
    {
        using var stream = new NonSeekableStream(File.ReadAllBytes(_refs.DTypesPth));
        IReadOnlyList<StoredTensor> tensors = PthReader.Read(stream, "dtypes.pth");
        Assert.Equal(TorchvisionReferences.ReadExpected(_refs.DTypesJson).Select(t => t.Name), tensors.Select(t => t.Name));
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'c', (byte)'b', (byte)'u', (byte)'i', (byte)'l', (byte)'t', (byte)'i', (byte)'n', (byte)'s', (byte)'\n', (byte)'e', (byte)'v', (byte)'a', (byte)'l', (byte)'\n' }, "builtins.eval")]
    [InlineData(new byte[] { 0x80, 0x04, 0x8c, 0x02, (byte)'o', (byte)'s', 0x8c, 0x06, (byte)'s', (byte)'y', (byte)'s', (byte)'t', (byte)'e', (byte)'m', 0x93 }, "os.system")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'c', (byte)'t', (byte)'o', (byte)'r', (byte)'c', (byte)'h', (byte)'\n', (byte)'l', (byte)'o', (byte)'a', (byte)'d', (byte)'\n' }, "torch.load")]
    public void Unpickler_RefusesGlobalsOutsideTheAllowlist(byte[] pickle, string global)
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(pickle, "hand.pkl"));
        Assert.Contains($"refuses pickle global '{global}'", e.Message);
        Assert.Contains("hand.pkl", e.Message);
    }

    [Fact]
    public void Unpickler_UnsupportedElementType_SaysSo()
    {
        byte[] pickle = Build("8002", Convert.ToHexString("ctorch\nComplexFloatStorage\n"u8));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(pickle, "complex.pth"));
        Assert.Contains("'torch.ComplexFloatStorage'", e.Message);
        Assert.Contains("not supported", e.Message);
    }

    [Fact]
    public void Unpickler_UnknownOpcode_NamesByteAndOffset()
    {
        // PROTO 2, EMPTY_DICT, then EMPTY_SET (protocol 4, not used by state_dicts).
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(new byte[] { 0x80, 0x02, 0x7d, 0x8f, 0x2e }, "hand.pkl"));
        Assert.Contains("0x8f", e.Message);
        Assert.Contains("byte 3", e.Message);
    }

    [Fact]
    public void Unpickler_TruncatedPickle_SaysSo()
    {
        // BINUNICODE announcing 16 bytes with 3 left.
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Load(new byte[] { 0x80, 0x02, 0x58, 0x10, 0, 0, 0, 0x61, 0x62, 0x63 }, "hand.pkl"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Unpickler_ReadsPlainValues()
    {
        // {'a': [1, -2, 3.5, None, True, 'é'], 'b': (300, 2**70)} written by pickle.dumps(..., protocol=2).
        byte[] pickle = Build(
            "80 02 7d",                         // PROTO 2, EMPTY_DICT
            "28",                               // MARK
            "58 01000000 61",                   // BINUNICODE 'a'
            "5d 28",                            // EMPTY_LIST, MARK
            "4b 01",                            // BININT1 1
            "4a feffffff",                      // BININT -2
            "47 400c000000000000",              // BINFLOAT 3.5 (big-endian)
            "4e 88",                            // NONE, NEWTRUE
            "58 02000000 c3a9",                 // BINUNICODE 'é'
            "65",                               // APPENDS
            "58 01000000 62",                   // BINUNICODE 'b'
            "4d 2c01",                          // BININT2 300
            "8a 09 000000000000000040",         // LONG1 2**70
            "86",                               // TUPLE2
            "75 2e");                           // SETITEMS, STOP
        var root = Assert.IsType<PickledDict>(RestrictedUnpickler.Load(pickle, "hand.pkl"));
        Assert.Equal(new object?[] { "a", "b" }, root.Entries.Select(e => e.Key));
        var list = Assert.IsType<List<object?>>(root.Entries[0].Value);
        Assert.Equal(new object?[] { 1L, -2L, 3.5, null, true, "é" }, list);
        var tuple = Assert.IsType<object?[]>(root.Entries[1].Value);
        Assert.Equal(300L, tuple[0]);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 70), tuple[1]);
    }

    private static void AssertMatches(IReadOnlyList<ExpectedTensor> expected, IReadOnlyList<StoredTensor> actual)
    {
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        foreach ((ExpectedTensor e, StoredTensor a) in expected.Zip(actual))
        {
            Assert.True(TorchvisionReferences.ParseDType(e.DType) == a.DType, $"{e.Name}: dtype {a.DType}, expected {e.DType}");
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{e.Name}: shape [{string.Join(", ", a.Shape)}], expected [{string.Join(", ", e.Shape)}]");
            double[] values = TorchvisionReferences.ToDoubles(a);
            Assert.True(e.Values.SequenceEqual(values), $"{e.Name}: [{string.Join(", ", values)}], expected [{string.Join(", ", e.Values)}]");
        }
    }

    private static byte[] Build(params string[] hexParts) => Convert.FromHexString(string.Concat(hexParts).Replace(" ", ""));

    /// <summary>A copy of a .pth archive without the entries <paramref name="skip"/> selects, optionally rewritten and extended.</summary>
    private static MemoryStream CopyArchive(
        string path,
        Func<string, bool> skip,
        Func<string, byte[], byte[]>? transform = null,
        (string Name, byte[] Data)? extra = null)
    {
        var result = new MemoryStream();
        using (ZipArchive source = ZipFile.OpenRead(path))
        using (var target = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (ZipArchiveEntry entry in source.Entries.Where(e => !skip(e.FullName)))
            {
                var data = new byte[entry.Length];
                using (Stream from = entry.Open())
                {
                    from.ReadExactly(data);
                }

                data = transform?.Invoke(entry.FullName, data) ?? data;
                using Stream to = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                to.Write(data);
            }

            if (extra is (string name, byte[] extraData))
            {
                using Stream to = target.CreateEntry(name, CompressionLevel.NoCompression).Open();
                to.Write(extraData);
            }
        }

        result.Position = 0;
        return result;
    }

    /// <summary>Storage key → element size, from the tensors the pickle builds over each storage.</summary>
    private static Dictionary<string, int> StorageElementSizes(string path)
    {
        using ZipArchive zip = ZipFile.OpenRead(path);
        ZipArchiveEntry entry = zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        var pickle = new byte[entry.Length];
        using (Stream s = entry.Open())
        {
            s.ReadExactly(pickle);
        }

        var root = (PickledDict)RestrictedUnpickler.Load(pickle, path)!;
        return root.Entries
            .Select(e => (PickledTensor)e.Value!)
            .GroupBy(t => t.Storage.Key)
            .ToDictionary(g => g.Key, g => StoredTensor.ElementSize(g.First().DType));
    }

    private static string WriteTemp(byte[] bytes, string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnettransfer-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A stream that reads forward only, like a network or decompression stream.</summary>
    private sealed class NonSeekableStream : Stream
    {
        private readonly MemoryStream _inner;

        public NonSeekableStream(byte[] data)
        {
            _inner = new MemoryStream(data, writable: false);
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
