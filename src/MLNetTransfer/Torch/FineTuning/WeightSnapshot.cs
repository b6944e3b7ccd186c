using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// A copy of a model's parameters and buffers (its state_dict) in tensors on the model's device, allocated at the first
/// capture and overwritten in place afterwards: how the training loop keeps the best epoch's weights.
/// </summary>
/// <remarks>
/// Serialising the model to a byte array instead (<c>Module.save</c> into a MemoryStream, then <c>ToArray</c>) allocates
/// about three times the model's size on the managed large-object heap at every best epoch (the stream's doublings and
/// the copy), about 300 MB for a ResNet50; the bench's memory run showed the process's memory climbing by that much
/// between epochs. Here each best epoch is one in-place copy per tensor, and the memory stays one model's size.
/// </remarks>
internal sealed class WeightSnapshot : IDisposable
{
    private Dictionary<string, Tensor>? _copies;

    /// <summary>True once <see cref="Capture"/> has run.</summary>
    public bool HasValue => _copies is not null;

    /// <summary>Copies the model's current parameters and buffers.</summary>
    public void Capture(nn.Module model)
    {
        using var _ = no_grad();
        var state = model.state_dict();
        if (_copies is null)
        {
            _copies = new Dictionary<string, Tensor>(state.Count, StringComparer.Ordinal);
            foreach (var (name, tensor) in state)
            {
                // Under no_grad a clone records no graph; detach() would make a second handle that nothing disposes.
                _copies[name] = tensor.clone();
            }

            return;
        }

        foreach (var (name, tensor) in state)
        {
            _copies[name].copy_(tensor);
        }
    }

    /// <summary>Writes the captured values back into the model's parameters and buffers.</summary>
    public void Restore(nn.Module model)
    {
        if (_copies is null)
        {
            throw new InvalidOperationException("Nothing was captured.");
        }

        using var _ = no_grad();
        foreach (var (name, tensor) in model.state_dict())
        {
            tensor.copy_(_copies[name]);
        }
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
}
