using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// Everything needed to continue a run after its last finished epoch, in one file: the model, the optimizer's state,
/// the torch RNG state, the best epoch's weights and the loop's own state. Data order and augmentation are functions of
/// (seed, epoch, index) and the learning rate of the global step, so a resumed run ends with the weights an
/// uninterrupted one would have. Never part of the ML.NET zip.
/// </summary>
/// <remarks>
/// Layout (little-endian): the 8 bytes <c>MLNTCKPT</c>; int32 format version; int32 length + UTF-8 JSON of
/// <see cref="CheckpointState"/>; int64 length + the model (TorchSharp <c>Module.save</c>); int64 length + the
/// optimizer (<c>save_state_dict</c>); int64 length + the RNG state bytes; int64 length + the best weights (may be 0).
/// Written to a temporary file and renamed, so an interruption while saving leaves the previous checkpoint.
/// Format history:
/// <list type="bullet"><item>1: initial.</item></list>
/// </remarks>
internal static class TrainingCheckpoint
{
    public const string FileName = "checkpoint-last.mlnt";
    private const int FormatVersion = 1;
    private static readonly byte[] _magic = "MLNTCKPT"u8.ToArray();

    // Undefined AUCs and a missing validation loss are NaN, which JSON has no number for.
    private static readonly JsonSerializerOptions _json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Save(string directory, CheckpointState state, nn.Module model, OptimizerHelper optimizer, byte[]? bestWeights)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        string temp = path + ".tmp";
        using (var file = File.Create(temp))
        using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(_magic);
            writer.Write(FormatVersion);
            var json = JsonSerializer.SerializeToUtf8Bytes(state, _json);
            writer.Write(json.Length);
            writer.Write(json);
            WriteBlock(writer, w => model.save(w));
            WriteBlock(writer, w => optimizer.save_state_dict(w));
            using (var rng = torch.get_rng_state())
            {
                var bytes = rng.data<byte>().ToArray();
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
            }

            writer.Write((long)(bestWeights?.Length ?? 0));
            if (bestWeights is not null)
            {
                writer.Write(bestWeights);
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads the loop's state and restores model, optimizer and RNG. Returns the best weights (or null).</summary>
    /// <exception cref="InvalidDataException">Not a checkpoint, another version, or truncated; names the file.</exception>
    public static (CheckpointState State, byte[]? BestWeights) Load(string path, nn.Module model, OptimizerHelper optimizer)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var reader = new BinaryReader(file);
            var magic = reader.ReadBytes(_magic.Length);
            if (!magic.AsSpan().SequenceEqual(_magic))
            {
                throw new InvalidDataException($"'{path}' is not an MLNetTransfer training checkpoint (wrong signature).");
            }

            int version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"'{path}' is checkpoint format {version}; this version reads format {FormatVersion}.");
            }

            var json = reader.ReadBytes(reader.ReadInt32());
            var state = JsonSerializer.Deserialize<CheckpointState>(json, _json)
                ?? throw new InvalidDataException($"'{path}' holds no training state.");
            ReadBlock(reader, path, "model", r => model.load(r));
            ReadBlock(reader, path, "optimizer", r => optimizer.load_state_dict(r));
            var rng = ReadBytes(reader, path, "RNG state");
            using (var t = torch.tensor(rng, dtype: ScalarType.Byte))
            {
                torch.set_rng_state(t);
            }

            var best = ReadBytes(reader, path, "best weights");
            return (state, best.Length == 0 ? null : best);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is an unreadable training checkpoint (truncated or corrupt): {e.Message}", e);
        }
    }

    private static void WriteBlock(BinaryWriter writer, Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            write(w);
        }

        writer.Write(buffer.Length);
        buffer.Position = 0;
        buffer.CopyTo(writer.BaseStream);
    }

    private static void ReadBlock(BinaryReader reader, string path, string what, Action<BinaryReader> read)
    {
        var bytes = ReadBytes(reader, path, what);
        using var r = new BinaryReader(new MemoryStream(bytes));
        try
        {
            read(r);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"The {what} in checkpoint '{path}' does not fit this run: {e.Message}", e);
        }
    }

    private static byte[] ReadBytes(BinaryReader reader, string path, string what)
    {
        long length = reader.ReadInt64();
        long left = reader.BaseStream.Length - reader.BaseStream.Position;
        if (length < 0 || length > left)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated: its {what} needs {length} bytes, {left} are left.");
        }

        return reader.ReadBytes((int)length);
    }
}

/// <summary>The loop's state in a checkpoint (JSON).</summary>
internal sealed class CheckpointState
{
    /// <summary>Settings that must match for a resume to continue the same run.</summary>
    public string RunFingerprint { get; set; } = "";

    /// <summary>Epochs finished (1-based count).</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Optimizer steps taken.</summary>
    public long GlobalStep { get; set; }

    /// <summary>Best epoch so far (1-based; 0 = none).</summary>
    public int BestEpoch { get; set; }

    /// <summary>Its score (lower is better; AUC is stored negated).</summary>
    public double BestScore { get; set; } = double.PositiveInfinity;

    /// <summary>Epochs since the best one, for early stopping.</summary>
    public int EpochsWithoutImprovement { get; set; }

    /// <summary>Metrics of the finished epochs.</summary>
    public List<EpochMetrics> History { get; set; } = new();

    /// <summary>Early stopping ended the run at <see cref="CompletedEpochs"/>; a resume goes straight to the end.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>Seconds spent training before the checkpoint.</summary>
    public double TrainSeconds { get; set; }

    /// <summary>Training images processed before the checkpoint.</summary>
    public long ImagesSeen { get; set; }
}
