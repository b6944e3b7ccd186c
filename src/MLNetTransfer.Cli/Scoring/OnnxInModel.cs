using System;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// The ONNX graph inside a model.zip. ML.NET's OnnxTransformer saves its model as a binary stream named
/// <c>OnnxModel</c> in its folder of the zip (OnnxTransform.cs, <c>SaveModel</c>: <c>ctx.SaveBinaryStream("OnnxModel",
/// w => w.WriteByteArray(bytes))</c>), and <c>WriteByteArray</c> writes an Int32 length, then the bytes. No public API
/// returns it from a loaded transformer, so it is read from the zip.
/// </summary>
internal static class OnnxInModel
{
    public static byte[] Extract(string modelZip)
    {
        using var zip = ZipFile.OpenRead(modelZip);
        var entries = zip.Entries.Where(e => e.Name == "OnnxModel").ToList();
        if (entries.Count != 1)
        {
            throw new CliException(ExitCodes.ModelError,
                $"--model: {modelZip} holds {entries.Count} ONNX models; export needs exactly one (the fine-tuned network's).");
        }

        var entry = entries[0];
        using var stream = entry.Open();
        using var reader = new BinaryReader(stream);
        int length = reader.ReadInt32();
        if (length < 0 || length != entry.Length - sizeof(int))
        {
            throw new CliException(ExitCodes.ModelError, $"--model: {modelZip}: the ONNX stream {entry.FullName} says {length} bytes but holds {entry.Length - sizeof(int)}.");
        }

        byte[] bytes = reader.ReadBytes(length);
        return bytes.Length == length
            ? bytes
            : throw new CliException(ExitCodes.ModelError, $"--model: {modelZip}: the ONNX stream {entry.FullName} is cut short.");
    }
}
