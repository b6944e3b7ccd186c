using System;
using System.Collections.Generic;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The best epoch's weights: a copy of the model's parameters and buffers (its state_dict) in tensors on the model's
/// device, allocated at the first capture and overwritten in place afterwards. The one copy serves both the restore at
/// the end of a run and the checkpoint, which writes it and, on resume, reads it back.
/// </summary>
/// <remarks>
/// <para>
/// A run keeps the copy (one model's size) only when something will read it: the restore at the end
/// (<see cref="FineTuneOptions.RestoreBestWeights"/>), or a checkpoint, from which a resumed run may restore. Otherwise
/// <see cref="Capture"/> does nothing.
/// </para>
/// <para>
/// Serialising the model to a byte array instead (<c>Module.save</c> into a MemoryStream, then <c>ToArray</c>) allocates
/// about three times the model's size on the managed large-object heap at every best epoch (the stream's doublings and
/// the copy), about 300 MB for a ResNet50; the bench's memory run showed the process's memory climbing by that much
/// between epochs. Here each best epoch is one in-place copy per tensor, and the memory stays one model's size.
/// </para>
/// </remarks>
internal sealed class BestWeights : IDisposable
{
    private Dictionary<string, Tensor>? _copies;

    /// <param name="keep">Whether <see cref="Capture"/> keeps a copy at all.</param>
    public BestWeights(bool keep) => Keeps = keep;

    /// <summary>Whether <see cref="Capture"/> keeps a copy.</summary>
    public bool Keeps { get; }

    /// <summary>True once weights were captured or read.</summary>
    public bool HasValue => _copies is not null;

    /// <summary>Copies the model's current parameters and buffers, unless this run keeps no copy.</summary>
    public void Capture(nn.Module model)
    {
        if (!Keeps)
        {
            return;
        }

        using var _ = no_grad();
        if (_copies is null)
        {
            _copies = Allocate(model);
            return;
        }

        foreach (var (name, tensor) in model.state_dict())
        {
            _copies[name].copy_(tensor);
        }
    }

    /// <summary>Writes the kept values back into the model's parameters and buffers, in place.</summary>
    public void Restore(nn.Module model)
    {
        if (_copies is null)
        {
            throw new InvalidOperationException("No best weights were captured.");
        }

        using var _ = no_grad();
        foreach (var (name, tensor) in model.state_dict())
        {
            tensor.copy_(_copies[name]);
        }
    }

    /// <summary>Writes the kept values in <c>Module.save</c>'s layout (<see cref="StateDictFormat"/>).</summary>
    public void Write(BinaryWriter writer)
    {
        if (_copies is null)
        {
            throw new InvalidOperationException("No best weights were captured.");
        }

        StateDictFormat.Write(writer, _copies);
    }

    /// <summary>Reads values written by <see cref="Write"/>; <paramref name="model"/> gives names, shapes and device.</summary>
    /// <exception cref="InvalidDataException">They are not <paramref name="model"/>'s state_dict.</exception>
    public void Read(BinaryReader reader, nn.Module model)
    {
        if (_copies is null)
        {
            using var _ = no_grad();
            _copies = Allocate(model);
        }

        StateDictFormat.Read(reader, _copies);
    }

    public void Dispose()
    {
        if (_copies is not null)
        {
            foreach (var copy in _copies.Values)
            {
                copy.Dispose();
            }

            _copies = null;
        }
    }

    // Called under no_grad: a clone then records no graph; detach() would make a second handle that nothing disposes.
    // Insertion order is the state_dict's, which Write keeps.
    private static Dictionary<string, Tensor> Allocate(nn.Module model)
    {
        var state = model.state_dict();
        var copies = new Dictionary<string, Tensor>(state.Count, StringComparer.Ordinal);
        foreach (var (name, tensor) in state)
        {
            copies[name] = tensor.clone();
        }

        return copies;
    }
}
