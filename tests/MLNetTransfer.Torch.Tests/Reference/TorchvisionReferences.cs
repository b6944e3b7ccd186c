using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MLNetTransfer.Torch.Weights;

namespace MLNetTransfer.Torch.Tests.Reference;

/// <summary>
/// Files made by PyTorch itself (<c>tests/reference/make_torchvision_references.py</c>): torchvision resnet18/50
/// state_dicts as .pth and .safetensors with their logits on a fixed input, small tensors of every dtype, a
/// checkpoint, torch 2.x pickle forms, a legacy-format file and a malicious pickle. Use as an xunit class fixture.
/// </summary>
/// <remarks>
/// The script runs once per test run (a static <see cref="Lazy{T}"/>, so any number of test classes share it) into
/// <c>$TMPDIR/mlnettransfer-refs/&lt;first 16 hex of the script's SHA-256&gt;</c>. A later run, in this process or
/// another, reuses that folder when its <c>done</c> marker exists, and editing the script changes the folder.
/// The script writes into a private staging folder that is renamed into place when complete, so two test processes
/// never see half-written files. The interpreter is <c>$MLNETTRANSFER_PYTHON</c> or Debian's
/// <c>/usr/bin/python3</c>, which has <c>python3-torch</c> and <c>python3-torchvision</c> (PyTorch 1.13).
/// </remarks>
public sealed class TorchvisionReferences
{
    /// <summary>The script, relative to the repository root.</summary>
    public const string ScriptRelativePath = "tests/reference/make_torchvision_references.py";

    private static readonly TimeSpan _scriptTimeout = TimeSpan.FromMinutes(10);

    private const string InstallHint =
        "The reference files need Python with PyTorch and torchvision: on Debian/Ubuntu run " +
        "'apt-get install -y python3-torch python3-torchvision', or point MLNETTRANSFER_PYTHON at an interpreter that has them.";

    private static readonly Lazy<string> _directory = new(
        () => ReferenceScript.Run(ScriptRelativePath, cacheFolderPrefix: "", InstallHint, _scriptTimeout),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates the files on first use (in this process), then reuses them.</summary>
    public TorchvisionReferences()
    {
        Directory = _directory.Value;
    }

    /// <summary>The folder holding the reference files.</summary>
    public string Directory { get; }

    /// <summary>The fixed input <c>torch.randn(2, 3, 64, 64)</c>, raw float32 in C order.</summary>
    public string InputPath => PathOf("input.f32");

    /// <summary>Small tensors of every dtype, with views (transposed, expanded, shared storage at offsets).</summary>
    public string DTypesPth => PathOf("dtypes.pth");

    /// <summary>The same tensors as <see cref="DTypesPth"/>, each a contiguous copy.</summary>
    public string DTypesSafetensors => PathOf("dtypes.safetensors");

    /// <summary>Expected names, dtypes, shapes and values of the dtypes files (see <see cref="ReadExpected"/>).</summary>
    public string DTypesJson => PathOf("dtypes.json");

    /// <summary>A training checkpoint with the state_dict (holding an nn.Parameter) under "state_dict".</summary>
    public string CheckpointPth => PathOf("checkpoint.pth");

    /// <summary>Expected tensors of <see cref="CheckpointPth"/>'s state_dict.</summary>
    public string CheckpointJson => PathOf("checkpoint.json");

    /// <summary>dtypes.pth's tensors saved with <c>pickle_protocol=4</c> (FRAME, MEMOIZE, STACK_GLOBAL).</summary>
    public string Protocol4Pth => PathOf("protocol4.pth");

    /// <summary>
    /// The pickle forms newer torch writes (<c>_rebuild_tensor_v3</c> with an UntypedStorage and a dtype,
    /// <c>_rebuild_from_type_v2</c>, <c>_rebuild_parameter_with_state</c>, the metadata argument), pickled by hand.
    /// </summary>
    public string Torch2FormsPth => PathOf("torch2_forms.pth");

    /// <summary>Expected tensors of <see cref="Torch2FormsPth"/>.</summary>
    public string Torch2FormsJson => PathOf("torch2_forms.json");

    /// <summary>A state_dict in the pre-1.6 (non-zip) torch.save format.</summary>
    public string LegacyPth => PathOf("legacy.pth");

    /// <summary>A torch.save whose pickle calls <c>os.system("echo pwned")</c>.</summary>
    public string EvilPth => PathOf("evil.pth");

    /// <summary>torch and torchvision versions and the file list.</summary>
    public string MetaJson => PathOf("meta.json");

    /// <summary>torchvision <paramref name="arch"/> (resnet18, resnet50) state_dict saved by torch.save.</summary>
    public string PthPath(string arch) => PathOf($"{arch}.pth");

    /// <summary>torch.onnx.export of the resnet18 (eval mode: BatchNorm folded into the convs, Flatten + Gemm head).</summary>
    public string Resnet18OnnxPath => PathOf("resnet18.onnx");

    /// <summary>The same state_dict as <see cref="PthPath"/>, as .safetensors in the same key order.</summary>
    public string SafetensorsPath(string arch) => PathOf($"{arch}.safetensors");

    /// <summary>The eval-mode logits of <paramref name="arch"/> on <see cref="InputPath"/>, raw float32 [2, 1000].</summary>
    public string LogitsPath(string arch) => PathOf($"{arch}_logits.f32");

    /// <summary>The path of a file the script wrote; throws if it did not write it.</summary>
    public string PathOf(string fileName)
    {
        string path = Path.Combine(Directory, fileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The reference script did not write '{fileName}' into '{Directory}'.", path);
    }

    /// <summary>Reads a raw little-endian float32 file.</summary>
    public static float[] ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length % 4 != 0)
        {
            throw new InvalidDataException($"'{path}' has {bytes.Length} bytes, not a whole number of float32 values.");
        }

        var result = new float[bytes.Length / 4];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        }

        return result;
    }

    /// <summary>Reads an expectations file (dtypes.json, checkpoint.json) in the script's tensor order.</summary>
    public static IReadOnlyList<ExpectedTensor> ReadExpected(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement tensors = doc.RootElement.GetProperty("tensors");
        return doc.RootElement.GetProperty("order").EnumerateArray()
            .Select(n => n.GetString()!)
            .Select(name =>
            {
                JsonElement t = tensors.GetProperty(name);
                return new ExpectedTensor(
                    name,
                    t.GetProperty("dtype").GetString()!,
                    t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                    t.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray());
            })
            .ToList();
    }

    /// <summary>
    /// The elements of <paramref name="tensor"/> as doubles, exactly (every stored type fits a double, int64 up to
    /// 2^53), to compare with the script's JSON values.
    /// </summary>
    internal static double[] ToDoubles(StoredTensor tensor)
    {
        var result = new double[tensor.ElementCount];
        ReadOnlySpan<byte> d = tensor.Data;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = tensor.DType switch
            {
                StoredDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(d.Slice(i * 4)),
                StoredDType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(d.Slice(i * 8)),
                StoredDType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(d.Slice(i * 2)),
                StoredDType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(i * 2)) << 16),
                StoredDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(d.Slice(i * 8)),
                StoredDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(d.Slice(i * 4)),
                StoredDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(d.Slice(i * 2)),
                StoredDType.Int8 => (sbyte)d[i],
                StoredDType.UInt8 or StoredDType.Bool => d[i],
                _ => throw new InvalidOperationException($"Unknown element type {tensor.DType}."),
            };
        }

        return result;
    }

    /// <summary>The script's dtype names (dtypes.json) as <see cref="StoredDType"/>.</summary>
    internal static StoredDType ParseDType(string name) => name switch
    {
        "float32" => StoredDType.Float32,
        "float64" => StoredDType.Float64,
        "float16" => StoredDType.Float16,
        "bfloat16" => StoredDType.BFloat16,
        "int64" => StoredDType.Int64,
        "int32" => StoredDType.Int32,
        "int16" => StoredDType.Int16,
        "int8" => StoredDType.Int8,
        "uint8" => StoredDType.UInt8,
        "bool" => StoredDType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown dtype in the reference JSON."),
    };
}

/// <summary>One tensor of an expectations file: name, dtype (the script's name), shape and row-major values.</summary>
public sealed record ExpectedTensor(string Name, string DType, long[] Shape, double[] Values);
