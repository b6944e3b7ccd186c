using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Losses;

/// <summary>Maps uncertain (-1) multi-label targets by an <see cref="UncertaintyPolicy"/>; other values pass through.</summary>
internal static class UncertaintyPolicyExtensions
{
    /// <summary>The value that replaces -1: NaN (missing) for Ignore, 1 for Ones, 0 for Zeros.</summary>
    public static float UncertainValue(this UncertaintyPolicy policy) => policy switch
    {
        UncertaintyPolicy.Ignore => float.NaN,
        UncertaintyPolicy.Ones => 1f,
        UncertaintyPolicy.Zeros => 0f,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown uncertainty policy."),
    };

    /// <summary>
    /// A copy of <paramref name="targets"/> with every -1 replaced by <paramref name="policy"/>'s value, for the metrics
    /// (which accept only 0, 1 and NaN) to see the same targets as the loss.
    /// </summary>
    public static float[] Apply(this UncertaintyPolicy policy, ReadOnlySpan<float> targets)
    {
        float value = policy.UncertainValue();
        var result = targets.ToArray();
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] == -1f)
            {
                result[i] = value;
            }
        }

        return result;
    }

    /// <summary>A new tensor: <paramref name="targets"/> with every -1 replaced by <paramref name="policy"/>'s value.</summary>
    internal static Tensor Apply(this UncertaintyPolicy policy, Tensor targets)
    {
        float value = policy.UncertainValue();
        using var uncertain = targets.eq(-1f);
        return targets.masked_fill(uncertain, value);
    }
}
