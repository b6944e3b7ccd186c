using System;
using System.Buffers.Binary;
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
/// uninterrupted one would have (docs/design.md, "Checkpoints and resume"). Never part of the ML.NET zip.
/// </summary>
/// <remarks>
/// Layout (little-endian): the 8 bytes <c>MLNTCKPT</c>; int32 format version; int32 length + UTF-8 JSON of
/// <see cref="CheckpointState"/>; int64 length + the model (TorchSharp <c>Module.save</c>); int64 length + the
/// optimizer (<c>save_state_dict</c>); int64 length + the RNG state bytes; int64 length + the best weights in the
/// model's layout (0 when there are none). Written through <see cref="AtomicFile"/> (a flushed temporary file renamed
/// over the old one), so an interruption or a failure while saving leaves the previous checkpoint as it was.
/// Format history:
/// <list type="bullet"><item>1: initial.</item></list>
/// </remarks>
internal static class TrainingCheckpoint
{
    public const string FileName = "checkpoint-last.mlnt";
    internal const int FormatVersion = 1;
    private static readonly byte[] _magic = "MLNTCKPT"u8.ToArray();

    // Undefined AUCs and a missing validation loss are NaN, which JSON has no number for.
    private static readonly JsonSerializerOptions _json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The checkpoint's path in <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>Writes the checkpoint of the epoch just finished to <paramref name="directory"/>, replacing the previous one.</summary>
    public static void Save(string directory, CheckpointState state, nn.Module model, OptimizerHelper optimizer, BestWeights best)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(PathIn(directory), file =>
        {
            using var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true);
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

            if (best.HasValue)
            {
                WriteBlock(writer, best.Write);
            }
            else
            {
                writer.Write(0L);
            }

            writer.Flush();
        });
    }

    /// <summary>
    /// Reads the loop's state and, when the checkpoint belongs to this run, restores the model, the optimizer, the RNG
    /// and the best weights (when it holds some) into <paramref name="best"/>.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="fingerprint">This run's <see cref="RunFingerprint"/>; the checkpoint must have been written with it.</param>
    /// <param name="model">Receives the checkpoint's weights in place (its Parameter objects stay those the optimizer holds).</param>
    /// <param name="optimizer">Receives the optimizer's state.</param>
    /// <param name="best">Receives the best epoch's weights.</param>
    /// <exception cref="InvalidOperationException">Written by a run with other settings; names the file, nothing is changed.</exception>
    /// <exception cref="InvalidDataException">Not a checkpoint, another version, truncated, or not this model's; names the file.</exception>
    public static CheckpointState Load(string path, string fingerprint, nn.Module model, OptimizerHelper optimizer, BestWeights best)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var reader = new BinaryReader(file);
            var state = ReadState(reader, path);
            // Checked before anything is read, so that a refused resume changes neither the model nor the optimizer.
            if (state.RunFingerprint != fingerprint)
            {
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' belongs to another run: it was written with [{state.RunFingerprint}], this run is [{fingerprint}]. Use another checkpoint directory or the same settings.");
            }

            ReadBlock(reader, path, "model", r => StateDictFormat.Read(r, model.state_dict()));
            ReadBlock(reader, path, "optimizer", r => optimizer.load_state_dict(r));
            var rng = ReadBytes(reader, path, "RNG state");
            CheckRngState(rng, path);
            using (var t = torch.tensor(rng, dtype: ScalarType.Byte))
            {
                torch.set_rng_state(t);
            }

            ReadBlock(reader, path, "best weights", r => best.Read(r, model), emptyMeansNone: true);
            return state;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is an unreadable training checkpoint (truncated or corrupt): {e.Message}", e);
        }
    }

    /// <summary>The loop's state in the checkpoint at <paramref name="path"/> (which epoch it holds, the history), without applying anything.</summary>
    /// <exception cref="InvalidDataException">Not a checkpoint, another version, or truncated; names the file.</exception>
    public static CheckpointState ReadState(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var reader = new BinaryReader(file);
            return ReadState(reader, path);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is an unreadable training checkpoint (truncated or corrupt): {e.Message}", e);
        }
    }

    // The signature, the format version and the state, which lead the file.
    private static CheckpointState ReadState(BinaryReader reader, string path)
    {
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

        // BinaryReader.ReadBytes allocates the length it is given before reading, so a corrupt length would ask for up to 2 GB.
        int jsonLength = reader.ReadInt32();
        long left = reader.BaseStream.Length - reader.BaseStream.Position;
        if (jsonLength < 0 || jsonLength > left)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated or corrupt: its training state needs {jsonLength} bytes, {left} are left.");
        }

        var json = reader.ReadBytes(jsonLength);
        return JsonSerializer.Deserialize<CheckpointState>(json, _json)
            ?? throw new InvalidDataException($"'{path}' holds no training state.");
    }

    // The block's length goes before it. The file can seek, so the length is written after the block instead of the block
    // being buffered in memory first (a model's size, at every epoch).
    private static void WriteBlock(BinaryWriter writer, Action<BinaryWriter> write)
    {
        var stream = writer.BaseStream;
        long start = stream.Position;
        writer.Write(0L);
        write(writer);
        writer.Flush();
        long end = stream.Position;
        stream.Position = start;
        writer.Write(end - start - sizeof(long));
        writer.Flush();
        stream.Position = end;
    }

    private static void ReadBlock(BinaryReader reader, string path, string what, Action<BinaryReader> read, bool emptyMeansNone = false)
    {
        var bytes = ReadBytes(reader, path, what);
        if (bytes.Length == 0 && emptyMeansNone)
        {
            return;
        }

        using var r = new BinaryReader(new MemoryStream(bytes));
        try
        {
            read(r);
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"The {what} in checkpoint '{path}' does not fit this run: {e.Message}", e);
        }
    }

    // libtorch checks the state in CPUGeneratorImpl::set_state (aten/src/ATen/CPUGeneratorImpl.cpp) with TORCH_CHECK, and
    // TorchSharp's set_rng_state does not catch what it throws: a bad state ends the process ("terminate called after
    // throwing an instance of 'c10::Error': Invalid mt19937 state"). So the same checks come first, here: the size of
    // this libtorch's state, and in its CPUGeneratorImplStateLegacy head (uint64 seed, int32 left, int32 seeded,
    // uint64 next) what mt19937::is_valid (aten/src/ATen/core/MT19937RNGEngine.h) asks: seeded, 0 < left <= 624,
    // next <= 624.
    private static void CheckRngState(byte[] state, string path)
    {
        const int MersenneStateN = 624;
        long expected;
        using (var current = torch.get_rng_state())
        {
            expected = current.numel();
        }

        if (state.Length != expected)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt: its RNG state is {state.Length} bytes, libtorch's is {expected}.");
        }

        int left = BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(8));
        int seeded = BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(12));
        uint next = (uint)BinaryPrimitives.ReadUInt64LittleEndian(state.AsSpan(16));
        if (seeded == 0 || left <= 0 || left > MersenneStateN || next > MersenneStateN)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt: its RNG state is not a valid mt19937 state (left {left}, seeded {seeded}, next {next}).");
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
