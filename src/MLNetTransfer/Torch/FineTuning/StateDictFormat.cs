using System.Collections.Generic;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// A state_dict (parameter and buffer names with their tensors) in TorchSharp's <c>Module.save</c> layout: the entry
/// count (LEB128), then per entry its name and the tensor's dtype, shape and bytes. Read into tensors that already
/// exist, in place.
/// </summary>
/// <remarks>
/// Not <c>Module.load</c>: in TorchSharp 0.107 it moves a model that is not on the CPU to the CPU and back, and a device
/// change gives the model new Parameter objects, which an optimizer built before no longer holds (the same reason the
/// trainer moves the model before it plans). Copying into the state_dict's own tensors keeps every Parameter in place.
/// </remarks>
internal static class StateDictFormat
{
    /// <summary>Writes <paramref name="state"/> exactly as <c>Module.save</c> writes a module's state_dict.</summary>
    public static void Write(BinaryWriter writer, Dictionary<string, Tensor> state) => nn.Module.save_state_dict(writer, state);

    /// <summary>Reads a state_dict written by <see cref="Write"/> or <c>Module.save</c> into <paramref name="target"/>'s tensors.</summary>
    /// <exception cref="InvalidDataException">The entry count or a name differs from <paramref name="target"/>'s.</exception>
    /// <exception cref="System.ArgumentException">A tensor's dtype or shape differs (TorchSharp's <c>Tensor.Load</c>).</exception>
    public static void Read(BinaryReader reader, IReadOnlyDictionary<string, Tensor> target)
    {
        // TorchSharp writes the count in LEB128, which is BinaryWriter's own 7-bit encoding of lengths.
        long count = reader.Read7BitEncodedInt64();
        if (count != target.Count)
        {
            throw new InvalidDataException($"It holds {count} tensors; the model has {target.Count}.");
        }

        using var _ = no_grad();
        for (long i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            if (!target.TryGetValue(name, out var tensor))
            {
                throw new InvalidDataException($"It holds a tensor '{name}' that the model does not have.");
            }

            tensor.Load(reader);
        }
    }
}
