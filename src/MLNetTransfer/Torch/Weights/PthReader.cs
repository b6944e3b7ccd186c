using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace MLNetTransfer.Torch.Weights;

/// <summary>
/// Reads the tensors of a PyTorch state_dict saved with <c>torch.save</c> (the zip format of torch ≥ 1.6) without
/// Python, libtorch, or running any of the file's pickle code: torchvision's <c>resnet50-*.pth</c> and a user's own
/// fine-tuned weights become <see cref="StoredTensor"/>s in the file's key order.
/// </summary>
/// <remarks>
/// Layout (torch/serialization.py, <c>_save</c> and <c>_load</c>): a zip whose entries sit under one folder named
/// after the file (<c>resnet18/data.pkl</c>, <c>resnet18/data/0</c>, ..., <c>resnet18/version</c>, optionally
/// <c>resnet18/byteorder</c>). <c>data.pkl</c> pickles the state_dict; each tensor in it is a
/// <c>_rebuild_tensor_v2(storage, offset, size, stride, ...)</c> call whose storage is a persistent id naming the
/// entry <c>data/&lt;key&gt;</c> with the raw elements. <see cref="RestrictedUnpickler"/> interprets the pickle;
/// this class finds the entries, honours offset and stride (views such as <c>w.t()</c> or <c>base[2:]</c> are
/// saved as views) and copies each tensor out contiguously. A training checkpoint whose state_dict sits under
/// <c>"state_dict"</c> or <c>"model"</c> is read too.
/// </remarks>
internal static class PthReader
{
    // A checkpoint's state_dict is under one of these keys (PyTorch Lightning: "state_dict"; torchvision's
    // reference scripts and timm: "model"; many tutorials: "model_state_dict").
    private static readonly string[] _checkpointKeys = { "state_dict", "model", "model_state_dict" };

    // What reading a file may allocate, as a multiple of its size. torch.save stores records uncompressed and a state_dict's
    // tensors are mostly whole storages, so a genuine file needs about twice its size (the storages, then the contiguous
    // copies); a deflated record of zeros or a tensor with zero or overlapping strides needs far more than the file holds
    // (a 45 MB file of stride-0 tensors once took 6.2 GB before its keys were checked). The floor keeps tiny files readable.
    private const long AllocationPerFileByte = 4;
    private const long MinimumAllocation = 1L << 20;

    // PyTorch numel is int64, but no tensor of a ResNet's state_dict comes near 2^31 elements.
    private const long MaxTensorElements = 1L << 31;

    /// <summary>Reads the state_dict tensors of the .pth file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a zip-format torch.save of tensors, is truncated, or its pickle names a refused global.</exception>
    public static IReadOnlyList<StoredTensor> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads the state_dict tensors of a .pth from <paramref name="stream"/>, which is left open.</summary>
    /// <param name="stream">The file's bytes; copied to memory first when it cannot seek.</param>
    /// <param name="displayName">The name error messages use for the file.</param>
    /// <exception cref="InvalidDataException">The data is not a zip-format torch.save of tensors, is truncated, or its pickle names a refused global.</exception>
    public static IReadOnlyList<StoredTensor> Read(Stream stream, string displayName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        stream = SeekableStream.Of(stream);

        long start = stream.Position;
        CheckZipSignature(stream, displayName);
        stream.Position = start;

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"PyTorch file '{displayName}' is truncated or not a valid zip archive: {e.Message}", e);
        }

        long fileBytes = stream.Length - start;
        var budget = new AllocationBudget(Math.Max(MinimumAllocation, fileBytes * AllocationPerFileByte), fileBytes, displayName);
        using (zip)
        {
            try
            {
                return ReadArchive(zip, displayName, budget);
            }
            catch (InvalidDataException e) when (!e.Message.Contains(displayName, StringComparison.Ordinal))
            {
                // System.IO.Compression reads the central directory and each record's header lazily, and its messages
                // ("Number of entries expected in End Of Central Directory does not correspond ...") name no file.
                throw new InvalidDataException($"PyTorch file '{displayName}' is a damaged zip archive: {e.Message}", e);
            }
        }
    }

    private static IReadOnlyList<StoredTensor> ReadArchive(ZipArchive zip, string displayName, AllocationBudget budget)
    {
        // The folder is the saved file's base name and varies; torch.load takes the one record named data.pkl.
        ZipArchiveEntry pickleEntry = zip.Entries
            .Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))
            .OrderBy(e => e.FullName.Count(c => c == '/'))
            .FirstOrDefault()
            ?? throw new InvalidDataException(
                $"PyTorch file '{displayName}' is a zip archive without data.pkl, so it was not written by torch.save.");
        string prefix = pickleEntry.FullName.Substring(0, pickleEntry.FullName.Length - "data.pkl".Length);

        // torch.jit.save archives also have data.pkl, but pickle TorchScript modules (torch/serialization.py, _is_torchscript_zip).
        if (zip.GetEntry(prefix + "constants.pkl") is not null)
        {
            throw new InvalidDataException(
                $"PyTorch file '{displayName}' is a TorchScript archive (torch.jit.save), not a state_dict; in Python, " +
                "save the weights with torch.save(model.state_dict(), path) (or torch.jit.load(path).state_dict()).");
        }

        bool bigEndian = ReadByteOrder(zip, prefix, displayName, budget);
        byte[] pickle = ReadEntry(pickleEntry, displayName, "data.pkl", budget);
        object? root = RestrictedUnpickler.Load(pickle, displayName);
        PickledDict stateDict = FindStateDict(root, displayName);

        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var result = new List<StoredTensor>(stateDict.Count);
        foreach (KeyValuePair<object?, object?> entry in stateDict.Entries)
        {
            string name = (string)entry.Key!;
            var tensor = (PickledTensor)entry.Value!;
            if (!storages.TryGetValue(tensor.Storage.Key, out byte[]? storage))
            {
                storage = ReadStorage(zip, prefix, tensor.Storage, name, displayName, budget);
                storages.Add(tensor.Storage.Key, storage);
            }

            byte[] data = CopyContiguous(storage, tensor, name, displayName, budget);
            if (bigEndian)
            {
                ReverseElements(data, StoredTensor.ElementSize(tensor.DType));
            }

            result.Add(new StoredTensor(name, tensor.DType, (long[])tensor.Size.Clone(), data));
        }

        return result;
    }

    /// <summary>
    /// Tells a zip from the formats people confuse with it, so the error says what the file is and what to do.
    /// </summary>
    private static void CheckZipSignature(Stream stream, string displayName)
    {
        var head = new byte[512];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> h = head.AsSpan(0, read);

        // Local file header, or the end record of an empty zip (APPNOTE.TXT 4.3.7, 4.3.16).
        if (h.StartsWith("PK\u0003\u0004"u8) || h.StartsWith("PK\u0005\u0006"u8))
        {
            return;
        }

        if (read == 0)
        {
            throw new InvalidDataException($"PyTorch file '{displayName}' is empty.");
        }

        // torch < 1.6 (or _use_new_zipfile_serialization=False) writes pickles back to back, starting with the
        // magic number 0x1950a86a20f9469cfc6c as a protocol 2 pickle (torch/serialization.py, _legacy_save);
        // torch < 0.4 wrote a tar archive (legacy_load).
        bool legacyPickle = h.Length >= 2 && h[0] == 0x80 && h[1] >= 2 && h[1] <= 5;
        bool legacyTar = h.Length >= 262 && h.Slice(257, 5).SequenceEqual("ustar"u8);
        if (legacyPickle || legacyTar)
        {
            throw new InvalidDataException(
                $"PyTorch file '{displayName}' uses the legacy (pre-1.6, non-zip) torch.save format, which is not read. " +
                "Convert it once with a current PyTorch: python -c \"import torch; torch.save(torch.load('old.pth'), 'new.pth')\" " +
                "(torch.save writes the zip format by default), or save the weights as .safetensors.");
        }

        // An 8-byte header length then '{' is a safetensors file with the wrong reader.
        if (h.Length > 8 && h[8] == (byte)'{')
        {
            throw new InvalidDataException(
                $"PyTorch file '{displayName}' looks like a .safetensors file, not a torch.save zip; read it with SafetensorsReader.");
        }

        throw new InvalidDataException(
            $"PyTorch file '{displayName}' is not a torch.save zip archive (it starts with bytes " +
            $"{Convert.ToHexString(h.Slice(0, Math.Min(8, h.Length)))}, a zip starts with 504B0304).");
    }

    /// <summary>The optional <c>byteorder</c> record; without it torch.load assumes little-endian (torch/serialization.py, _load).</summary>
    private static bool ReadByteOrder(ZipArchive zip, string prefix, string displayName, AllocationBudget budget)
    {
        ZipArchiveEntry? entry = zip.GetEntry(prefix + "byteorder");
        if (entry is null)
        {
            return false;
        }

        string order = Encoding.ASCII.GetString(ReadEntry(entry, displayName, "byteorder", budget)).Trim();
        return order switch
        {
            "little" => false,
            "big" => true,
            _ => throw new InvalidDataException($"PyTorch file '{displayName}' has an unknown byteorder record '{order}'."),
        };
    }

    /// <summary>A plain state_dict, or the one a checkpoint dict holds under a well-known key.</summary>
    private static PickledDict FindStateDict(object? root, string displayName)
    {
        if (root is not PickledDict top)
        {
            throw new InvalidDataException(
                $"PyTorch file '{displayName}' holds {RestrictedUnpickler.Describe(root)}, not a state_dict (a dict of names to tensors); " +
                "save model.state_dict() rather than the model.");
        }

        if (top.Count == 0)
        {
            throw new InvalidDataException($"PyTorch file '{displayName}' holds an empty dict: there are no weights in it.");
        }

        if (top.Entries.All(e => e.Value is PickledTensor))
        {
            return CheckStateDict(top, displayName, where: null);
        }

        foreach (string key in _checkpointKeys)
        {
            if (top.TryGetValue(key, out object? inner) && inner is PickledDict candidate && candidate.Count > 0)
            {
                return CheckStateDict(candidate, displayName, key);
            }
        }

        string keys = string.Join(", ", top.Entries.Take(10).Select(e => $"{e.Key} ({RestrictedUnpickler.Describe(e.Value)})"));
        throw new InvalidDataException(
            $"PyTorch file '{displayName}' is not a state_dict: its top-level dict holds {keys}{(top.Count > 10 ? ", ..." : "")}; " +
            $"expected names mapped to tensors, or a checkpoint with them under {string.Join(" or ", _checkpointKeys.Select(k => $"'{k}'"))}.");
    }

    private static PickledDict CheckStateDict(PickledDict dict, string displayName, string? where)
    {
        string location = where is null ? "" : $" (under '{where}')";
        foreach (KeyValuePair<object?, object?> entry in dict.Entries)
        {
            if (entry.Key is not string name)
            {
                throw new InvalidDataException(
                    $"PyTorch file '{displayName}' has a state_dict{location} key that is {RestrictedUnpickler.Describe(entry.Key)}, not a string.");
            }

            if (entry.Value is not PickledTensor)
            {
                throw new InvalidDataException(
                    $"PyTorch file '{displayName}' has a state_dict{location} entry '{name}' that is {RestrictedUnpickler.Describe(entry.Value)}, not a tensor.");
            }
        }

        return dict;
    }

    private static byte[] ReadStorage(ZipArchive zip, string prefix, PickledStorage storage, string tensorName, string displayName, AllocationBudget budget)
    {
        string record = "data/" + storage.Key;
        ZipArchiveEntry entry = zip.GetEntry(prefix + record)
            ?? throw new InvalidDataException(
                $"PyTorch file '{displayName}' has no record '{record}' with the storage of tensor '{tensorName}'; the file is incomplete.");
        if (entry.Length != storage.ByteLength)
        {
            throw new InvalidDataException(
                $"PyTorch file '{displayName}' has {entry.Length} bytes in record '{record}' for tensor '{tensorName}', " +
                $"but its pickle declares {storage.ByteLength}; the file is truncated or corrupt.");
        }

        return ReadEntry(entry, displayName, record, budget);
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string displayName, string record, AllocationBudget budget)
    {
        if (entry.Length > Array.MaxLength)
        {
            throw new InvalidDataException($"PyTorch file '{displayName}' has a record '{record}' of {entry.Length} bytes, too large to read into one array.");
        }

        // The zip's declared size, before anything is allocated: a deflated record can claim far more than the file holds.
        budget.Take(entry.Length, $"record '{record}' ({entry.Length} bytes unpacked from {entry.CompressedLength})");

        try
        {
            var data = new byte[entry.Length];
            using Stream s = entry.Open();
            s.ReadExactly(data);
            return data;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"PyTorch file '{displayName}' cannot be read at record '{record}' (truncated or corrupt): {e.Message}", e);
        }
    }

    /// <summary>
    /// Copies a strided view out of its storage in row-major order, as <c>tensor.contiguous()</c> does: element
    /// <c>(i0, ..., in)</c> sits at <c>storage_offset + Σ ik·stride[k]</c> (torch/_utils.py, _rebuild_tensor: <c>t.set_(storage, offset, size, stride)</c>).
    /// </summary>
    private static byte[] CopyContiguous(byte[] storage, PickledTensor tensor, string name, string displayName, AllocationBudget budget)
    {
        int elementSize = StoredTensor.ElementSize(tensor.DType);
        long[] size = tensor.Size;
        long[] stride = tensor.Stride;
        long count = 1;
        long endByte;
        try
        {
            long lastElement = tensor.StorageOffset;
            foreach ((long n, long s) in size.Zip(stride))
            {
                count = checked(count * n);
                lastElement = n == 0 ? lastElement : checked(lastElement + (n - 1) * s);
            }

            endByte = checked((lastElement + 1) * elementSize);
            if (count > MaxTensorElements || checked(count * elementSize) > Array.MaxLength)
            {
                throw new OverflowException();
            }
        }
        catch (OverflowException)
        {
            throw new InvalidDataException(
                $"PyTorch file '{displayName}' has tensor '{name}' of size [{string.Join(", ", size)}], too large to read into one array.");
        }

        if (count == 0)
        {
            return Array.Empty<byte>();
        }

        if (endByte > storage.LongLength)
        {
            throw new InvalidDataException(
                $"PyTorch file '{displayName}' has tensor '{name}' (offset {tensor.StorageOffset}, size [{string.Join(", ", size)}], " +
                $"stride [{string.Join(", ", stride)}]) reaching past the end of its storage '{tensor.Storage.Key}' ({storage.LongLength} bytes).");
        }

        // Checked before the copy is allocated: zero or overlapping strides (tensor.expand) let a few stored bytes declare
        // any number of elements.
        budget.Take(count * elementSize,
            $"tensor '{name}' of size [{string.Join(", ", size)}] and stride [{string.Join(", ", stride)}] " +
            $"({count * elementSize} bytes once copied out of its {storage.LongLength}-byte storage '{tensor.Storage.Key}')");
        var data = new byte[count * elementSize];
        if (IsRowMajor(size, stride))
        {
            Array.Copy(storage, tensor.StorageOffset * elementSize, data, 0, data.LongLength);
            return data;
        }

        // Odometer over all but the last dimension; the last dimension is copied element by element.
        int rank = size.Length;
        var index = new long[rank];
        long innerSize = size[rank - 1];
        long innerStride = stride[rank - 1];
        long destination = 0;
        while (true)
        {
            long source = tensor.StorageOffset;
            for (int k = 0; k < rank - 1; k++)
            {
                source += index[k] * stride[k];
            }

            for (long i = 0; i < innerSize; i++)
            {
                Array.Copy(storage, (source + i * innerStride) * elementSize, data, destination, elementSize);
                destination += elementSize;
            }

            int d = rank - 2;
            while (d >= 0 && ++index[d] == size[d])
            {
                index[d] = 0;
                d--;
            }

            if (d < 0)
            {
                return data;
            }
        }
    }

    /// <summary>True when the strides are those of a contiguous row-major array (dimensions of size 1 may have any stride).</summary>
    private static bool IsRowMajor(long[] size, long[] stride)
    {
        long expected = 1;
        for (int k = size.Length - 1; k >= 0; k--)
        {
            if (size[k] != 1 && stride[k] != expected)
            {
                return false;
            }

            expected *= size[k];
        }

        return true;
    }

    private static void ReverseElements(byte[] data, int elementSize)
    {
        if (elementSize == 1)
        {
            return;
        }

        for (int i = 0; i < data.Length; i += elementSize)
        {
            Array.Reverse(data, i, elementSize);
        }
    }

    /// <summary>The bytes reading one file may still allocate; taken before each allocation.</summary>
    private sealed class AllocationBudget(long limit, long fileBytes, string displayName)
    {
        private long _taken;

        public void Take(long bytes, string what)
        {
            if (bytes > limit - _taken)
            {
                throw new InvalidDataException(
                    $"PyTorch file '{displayName}' has {what}, past the {limit} bytes that reading a {fileBytes}-byte file may take " +
                    $"({AllocationPerFileByte} times its size); the file is corrupt or made to exhaust memory.");
            }

            _taken += bytes;
        }
    }
}
