using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Modules;

/// <summary>
/// Releases a forward's intermediate tensors as soon as the next one exists, as PyTorch's reference counting does;
/// autograd keeps its own reference to whatever backward needs. Held until the forward's dispose scope ends, they are
/// native memory in use for nothing, and on the CPU every buffer that is not reused is fresh memory the kernel must map
/// and zero: a measurable share of a step (see BENCHMARKS.md, "Where the time goes").
/// </summary>
internal static class Intermediates
{
    /// <summary>
    /// Returns <paramref name="next"/> and releases <paramref name="previous"/>, unless it is the same tensor (an
    /// in-place op, or a forward hook that returned its input) or this forward no longer owns it (a forward hook kept
    /// it with <c>DetachFromDisposeScope</c> or moved it out of the scope).
    /// </summary>
    public static Tensor Release(DisposeScope scope, Tensor previous, Tensor next)
    {
        if (!ReferenceEquals(previous, next))
        {
            Drop(scope, previous);
        }

        return next;
    }

    /// <summary>Releases <paramref name="tensor"/> if this forward's <paramref name="scope"/> still owns it.</summary>
    public static void Drop(DisposeScope scope, Tensor tensor)
    {
        if (scope.Contains(tensor)) // a hash lookup; DisposablesView would copy the scope into an array
        {
            tensor.Dispose();
        }
    }

    /// <summary>
    /// The same values in channels-last memory order: the strides PyTorch's
    /// <c>contiguous(memory_format=torch.channels_last)</c> gives, which TorchSharp 0.107 has no call for. The handles
    /// in between are released at once: the result shares their memory and keeps it alive by itself.
    /// </summary>
    public static Tensor ChannelsLast(Tensor nchw)
    {
        using var nhwcView = nchw.permute(0, 2, 3, 1);
        using var nhwc = nhwcView.contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }
}
