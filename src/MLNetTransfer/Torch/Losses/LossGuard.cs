using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Losses;

/// <summary>
/// Stops training with a clear message when the loss stops being a number, instead of letting NaN weights train on
/// silently (and later export a model that predicts NaN); reads with the loss what the loop's other divergence check
/// needs, so that a step synchronises with the device once.
/// </summary>
internal static class LossGuard
{
    /// <summary>Reads the scalar <paramref name="loss"/> and throws if it is NaN or infinite.</summary>
    /// <param name="loss">A one-element loss tensor (any floating dtype, any device; reading it synchronises).</param>
    /// <param name="epoch">The epoch, as the loop reports it (1-based).</param>
    /// <param name="step">The step within the epoch, as the loop reports it (1-based).</param>
    /// <returns>The loss value, so the loop need not read it again.</returns>
    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite; the message names epoch and step.</exception>
    /// <exception cref="ArgumentException"><paramref name="loss"/> has other than one element.</exception>
    public static double ThrowIfNotFinite(Tensor loss, int epoch, int step)
    {
        RequireScalar(loss);
        using var scope = NewDisposeScope();
        double value = loss.detach().to_type(ScalarType.Float64).item<double>();
        ThrowIfNotFinite(value, epoch, step);
        return value;
    }

    /// <summary>
    /// Reads the scalar <paramref name="loss"/> and the largest magnitude among <paramref name="logits"/> in one
    /// transfer to the host (one synchronisation on an accelerator, where each read would be one).
    /// </summary>
    /// <param name="loss">A one-element loss tensor (any floating dtype).</param>
    /// <param name="logits">The batch's logits, on the same device.</param>
    /// <returns>The loss, and max |logit| (NaN if a logit is NaN).</returns>
    /// <exception cref="ArgumentException"><paramref name="loss"/> has other than one element, or <paramref name="logits"/> none.</exception>
    public static (double Loss, double MaxLogit) ReadWithMaxLogit(Tensor loss, Tensor logits)
    {
        RequireScalar(loss);
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.numel() == 0)
        {
            throw new ArgumentException("The logits are empty.", nameof(logits));
        }

        using var scope = NewDisposeScope();
        var both = stack(new[]
        {
            loss.detach().reshape(1).to_type(ScalarType.Float64),
            logits.detach().abs().max().reshape(1).to_type(ScalarType.Float64),
        }).cpu();
        var values = both.data<double>();
        return (values[0], values[1]);
    }

    /// <summary>Throws if <paramref name="loss"/> is NaN or infinite.</summary>
    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite; the message names epoch and step.</exception>
    public static void ThrowIfNotFinite(double loss, int epoch, int step)
    {
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException(NotFiniteMessage(loss, epoch, step), DivergenceReason.NonFiniteLoss, epoch, step);
        }
    }

    /// <summary>What a NaN or infinite training loss means, and what to do about it.</summary>
    public static string NotFiniteMessage(double loss, int epoch, int step)
    {
        string what = double.IsNaN(loss) ? "NaN" : loss > 0 ? "+Infinity" : "-Infinity";
        return $"The training loss became {what} at epoch {epoch}, step {step}, so the weights would stop being numbers. " +
            "This usually means the learning rate is too high: lower it (LearningRate; --lr on the command line), for example by a factor of 10, or use a longer warmup. " +
            "If it persists, check the inputs for NaN or infinite pixel values and the class weights for extreme values.";
    }

    private static void RequireScalar(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.numel() != 1)
        {
            throw new ArgumentException($"Expected a scalar loss; got shape [{string.Join(", ", loss.shape)}].", nameof(loss));
        }
    }
}
