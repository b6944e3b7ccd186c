using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Losses;

/// <summary>
/// Cross-entropy for one label per image (binary with two outputs, or multiclass), with optional class weights and
/// label smoothing: <c>torch.nn.functional.cross_entropy(logits, targets, weight, label_smoothing)</c>, mean reduction.
/// </summary>
/// <remarks>
/// <para>
/// With class weights w, smoothing s, C classes and log-probabilities l = log_softmax(logits), PyTorch's mean is
/// normalised by the weights of the targets, not by N, and the smoothing term shares that denominator
/// (aten/src/ATen/native/LossNLL.cpp, <c>cross_entropy_loss_label_smoothing</c>, PyTorch 1.13 and 2.x):
/// </para>
/// <code>
/// loss = (1 - s) * Σ_i w[y_i] * (-l[i, y_i]) / Σ_i w[y_i]
///      + (s / C) * Σ_i Σ_c w[c] * (-l[i, c]) / Σ_i w[y_i]
/// </code>
/// <para>
/// So the smoothing term is not the plain weighted mean of a smoothed target distribution. It is computed here by
/// libtorch itself, and the tests compare it with PyTorch 1.13's value on the same inputs (1e-5 relative).
/// </para>
/// <para>
/// Targets are not range-checked here, which would cost a device synchronisation per step; the loop checks labels
/// once when it reads them (an out-of-range target on CUDA is a device-side assert that kills the context).
/// </para>
/// </remarks>
internal sealed class SingleLabelLoss
{
    private readonly float[]? _classWeights;

    /// <summary>Creates the loss.</summary>
    /// <param name="classes">The number of outputs (2 for binary).</param>
    /// <param name="classWeights">One positive weight per class, e.g. <see cref="ClassWeights.FromFrequencies"/>; null for none.</param>
    /// <param name="labelSmoothing">In [0, 1]; 0 for none (Szegedy et al. 2016 used 0.1).</param>
    public SingleLabelLoss(int classes, float[]? classWeights = null, double labelSmoothing = 0.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (classWeights is not null)
        {
            if (classWeights.Length != classes)
            {
                throw new ArgumentException($"Got {classWeights.Length} class weights for {classes} classes; need one per class.", nameof(classWeights));
            }

            int bad = Array.FindIndex(classWeights, w => !(w > 0) || !float.IsFinite(w));
            if (bad >= 0)
            {
                throw new ArgumentException($"Class weight {bad} is {classWeights[bad]}; class weights must be positive and finite.", nameof(classWeights));
            }
        }

        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 1] (as PyTorch requires).");
        }

        Classes = classes;
        _classWeights = classWeights?.ToArray();
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>The number of outputs.</summary>
    public int Classes { get; }

    /// <summary>The class weights, or null.</summary>
    public IReadOnlyList<float>? ClassWeights => _classWeights;

    /// <summary>The label smoothing.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The mean loss of a batch, a scalar tensor that carries the gradient.</summary>
    /// <param name="logits">[N, <see cref="Classes"/>] raw outputs (no softmax).</param>
    /// <param name="targets">[N] class indices (int64; other integer types are converted).</param>
    /// <returns>A new scalar tensor in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit, or the batch is empty.</exception>
    public Tensor Compute(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (indices, weight) = Inputs(logits, targets);
        Tensor loss = nn.functional.cross_entropy(logits, indices, weight, reduction: nn.Reduction.Mean, label_smoothing: LabelSmoothing);
        return scope.MoveToOuter(loss);
    }

    /// <summary>
    /// The batch's loss as a sum and the weight its mean divides by, so that batches add up to the mean over a whole
    /// set: <see cref="Compute"/> = Sum / Weight. PyTorch's mean reduction divides the summed (class-weighted,
    /// smoothed) loss by the summed weight of the targets' classes, or by N without class weights
    /// (aten/src/ATen/native/LossNLL.cpp, cross_entropy_loss_label_smoothing); a mean of batch means would weight each
    /// batch by its size instead, and depend on the batch size.
    /// </summary>
    /// <param name="logits">[N, <see cref="Classes"/>] raw outputs.</param>
    /// <param name="targets">[N] class indices.</param>
    internal (double Sum, double Weight) Totals(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (indices, weight) = Inputs(logits, targets);
        double sum = nn.functional.cross_entropy(logits, indices, weight, reduction: nn.Reduction.Sum, label_smoothing: LabelSmoothing).item<float>();
        double total = weight is null ? logits.shape[0] : weight.index_select(0, indices).sum().item<float>();
        return (sum, total);
    }

    // Checks the shapes; returns the targets as int64 and the class weights as a tensor (null without), in the caller's
    // dispose scope.
    private (Tensor Indices, Tensor? Weight) Inputs(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.dim() != 2 || logits.shape[1] != Classes || logits.shape[0] == 0)
        {
            throw new ArgumentException($"Expected logits [N > 0, {Classes}]; got [{string.Join(", ", logits.shape)}].", nameof(logits));
        }

        if (targets.dim() != 1 || targets.shape[0] != logits.shape[0])
        {
            throw new ArgumentException($"Expected targets [{logits.shape[0]}] for logits [{string.Join(", ", logits.shape)}]; got [{string.Join(", ", targets.shape)}].", nameof(targets));
        }

        Tensor indices = targets.dtype == ScalarType.Int64 ? targets : targets.to_type(ScalarType.Int64);
        Tensor? weight = _classWeights is null ? null : tensor(_classWeights, dtype: logits.dtype, device: logits.device);
        return (indices, weight);
    }
}
