using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Losses;

/// <summary>
/// Stops training with a clear message when the loss stops being a number, instead of letting NaN weights train on
/// silently (and later export a model that predicts NaN).
/// </summary>
internal static class LossGuard
{
    /// <summary>Reads the scalar <paramref name="loss"/> and throws if it is NaN or infinite.</summary>
    /// <param name="loss">A one-element loss tensor (any floating dtype, any device; reading it synchronises).</param>
    /// <param name="epoch">The epoch, as the loop reports it (1-based).</param>
    /// <param name="step">The step within the epoch, as the loop reports it (1-based).</param>
    /// <returns>The loss value, so the loop need not read it again.</returns>
    /// <exception cref="InvalidOperationException">The loss is NaN or infinite; the message names epoch and step.</exception>
    /// <exception cref="ArgumentException"><paramref name="loss"/> has other than one element.</exception>
    public static double ThrowIfNotFinite(Tensor loss, int epoch, int step)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.numel() != 1)
        {
            throw new ArgumentException($"Expected a scalar loss; got shape [{string.Join(", ", loss.shape)}].", nameof(loss));
        }

        using var scope = NewDisposeScope();
        double value = loss.detach().to_type(ScalarType.Float64).item<double>();
        ThrowIfNotFinite(value, epoch, step);
        return value;
    }

    /// <summary>Throws if <paramref name="loss"/> is NaN or infinite.</summary>
    /// <exception cref="InvalidOperationException">The loss is NaN or infinite; the message names epoch and step.</exception>
    public static void ThrowIfNotFinite(double loss, int epoch, int step)
    {
        if (double.IsFinite(loss))
        {
            return;
        }

        string what = double.IsNaN(loss) ? "NaN" : loss > 0 ? "+Infinity" : "-Infinity";
        throw new InvalidOperationException(
            $"The training loss became {what} at epoch {epoch}, step {step}, so the weights would stop being numbers. " +
            "This usually means the learning rate is too high: lower it (for example by a factor of 10) or use a longer warmup. " +
            "If it persists, check the inputs for NaN or infinite pixel values and the class weights for extreme values.");
    }
}
