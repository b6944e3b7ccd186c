using System;

namespace MLNetTransfer.Onnx;

/// <summary>
/// Folds an inference-mode BatchNorm into the convolution before it. BN(conv(x)) per output channel o is
/// <c>γ_o (W_o * x + b_o - μ_o) / sqrt(σ²_o + ε) + β_o</c>, so with <c>s_o = γ_o / sqrt(σ²_o + ε)</c> the folded
/// convolution has <c>W'_o = s_o W_o</c> and <c>b'_o = β_o + s_o (b_o - μ_o)</c> (<c>b_o = 0</c> for torchvision's
/// bias-free convs). Arithmetic in double, rounded once to float.
/// </summary>
internal static class BatchNormFolding
{
    /// <param name="weight">Conv weight <c>[O, I, kH, kW]</c> in row-major order.</param>
    /// <param name="bias">Conv bias <c>[O]</c>, or empty when the conv has none.</param>
    /// <param name="gamma">BN weight <c>[O]</c>.</param>
    /// <param name="beta">BN bias <c>[O]</c>.</param>
    /// <param name="mean">BN running mean <c>[O]</c>.</param>
    /// <param name="variance">BN running variance <c>[O]</c>.</param>
    /// <param name="epsilon">BN epsilon.</param>
    /// <returns>The folded weight (same shape as <paramref name="weight"/>) and bias <c>[O]</c>.</returns>
    public static (float[] Weight, float[] Bias) Fold(
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
        double epsilon)
    {
        int outChannels = gamma.Length;
        if (outChannels == 0 || weight.Length % outChannels != 0 || beta.Length != outChannels || mean.Length != outChannels
            || variance.Length != outChannels || (bias.Length != 0 && bias.Length != outChannels))
        {
            throw new ArgumentException("BatchNorm and convolution sizes do not fit each other.");
        }

        int perChannel = weight.Length / outChannels;
        var folded = new float[weight.Length];
        var foldedBias = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            double scale = gamma[o] / Math.Sqrt((double)variance[o] + epsilon);
            double b = bias.Length == 0 ? 0 : bias[o];
            foldedBias[o] = (float)(beta[o] + scale * (b - mean[o]));
            var src = weight.Slice(o * perChannel, perChannel);
            var dst = folded.AsSpan(o * perChannel, perChannel);
            for (int i = 0; i < perChannel; i++)
            {
                dst[i] = (float)(src[i] * scale);
            }
        }

        return (folded, foldedBias);
    }
}
