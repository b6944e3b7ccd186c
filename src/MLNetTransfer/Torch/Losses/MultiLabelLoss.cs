using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Losses;

/// <summary>
/// Binary cross-entropy with logits for multi-label images, with an optional per-label <c>pos_weight</c>, missing
/// targets masked out and uncertain targets mapped by an <see cref="UncertaintyPolicy"/>.
/// </summary>
/// <remarks>
/// <para>
/// Targets are [N, L] floats: 1 positive, 0 negative (values in between act as soft targets), NaN missing, -1
/// uncertain (mapped by the policy first; U-Ignore makes it missing). With e = PyTorch's
/// <c>binary_cross_entropy_with_logits(x, t, pos_weight=p, reduction='none')</c> and K the set of known targets:
/// </para>
/// <code>loss = Σ_{(i,j) ∈ K} e[i, j] / |K|</code>
/// <para>
/// the mean over the known targets, not over N * L, so a batch's loss does not shrink as more labels go missing;
/// with nothing missing it equals PyTorch's <c>reduction='mean'</c>. A batch whose targets are all missing gives 0
/// (and zero gradients) rather than 0/0. Missing entries get target 0 before the elementwise loss and are zeroed
/// after it, so they pass no gradient and no NaN.
/// </para>
/// </remarks>
internal sealed class MultiLabelLoss
{
    private readonly float[]? _positiveWeights;

    /// <summary>Creates the loss.</summary>
    /// <param name="labels">The number of labels (outputs).</param>
    /// <param name="positiveWeights">
    /// One positive, finite <c>pos_weight</c> per label that scales the positive term (e.g.
    /// <see cref="ClassWeights.PositiveWeightsFromFrequencies"/>); null for none.
    /// </param>
    /// <param name="uncertainty">What a target of -1 means.</param>
    public MultiLabelLoss(int labels, float[]? positiveWeights = null, UncertaintyPolicy uncertainty = UncertaintyPolicy.Ignore)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(labels);
        if (positiveWeights is not null)
        {
            if (positiveWeights.Length != labels)
            {
                throw new ArgumentException($"Got {positiveWeights.Length} positive weights for {labels} labels; need one per label.", nameof(positiveWeights));
            }

            int bad = Array.FindIndex(positiveWeights, w => !(w > 0) || !float.IsFinite(w));
            if (bad >= 0)
            {
                throw new ArgumentException($"Positive weight {bad} is {positiveWeights[bad]}; positive weights must be positive and finite.", nameof(positiveWeights));
            }
        }

        _ = uncertainty.UncertainValue(); // throws for an undefined enum value
        Labels = labels;
        _positiveWeights = positiveWeights?.ToArray();
        Uncertainty = uncertainty;
    }

    /// <summary>The number of labels.</summary>
    public int Labels { get; }

    /// <summary>The per-label positive weights, or null.</summary>
    public IReadOnlyList<float>? PositiveWeights => _positiveWeights;

    /// <summary>What a target of -1 means.</summary>
    public UncertaintyPolicy Uncertainty { get; }

    /// <summary>The masked mean loss of a batch, a scalar tensor that carries the gradient.</summary>
    /// <param name="logits">[N, <see cref="Labels"/>] raw outputs (no sigmoid).</param>
    /// <param name="targets">[N, <see cref="Labels"/>] floats: 1, 0, NaN (missing) or -1 (uncertain).</param>
    /// <returns>A new scalar tensor in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit, or the batch is empty.</exception>
    public Tensor Compute(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (sum, known) = Masked(logits, targets);
        return scope.MoveToOuter(sum.div(known.clamp_min(1f)));
    }

    /// <summary>
    /// The batch's loss summed over its known targets, and how many there are, so that batches add up to the mean over
    /// a whole set (a mean of batch means would weight each batch by its size, not by its known targets):
    /// <see cref="Compute"/> = Sum / max(Weight, 1).
    /// </summary>
    /// <param name="logits">[N, <see cref="Labels"/>] raw outputs.</param>
    /// <param name="targets">[N, <see cref="Labels"/>] targets as for <see cref="Compute"/>.</param>
    internal (double Sum, double Weight) Totals(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (sum, known) = Masked(logits, targets);
        return (sum.item<float>(), known.item<float>());
    }

    private (Tensor Sum, Tensor Known) Masked(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.dim() != 2 || logits.shape[1] != Labels || logits.shape[0] == 0)
        {
            throw new ArgumentException($"Expected logits [N > 0, {Labels}]; got [{string.Join(", ", logits.shape)}].", nameof(logits));
        }

        if (!targets.shape.SequenceEqual(logits.shape))
        {
            throw new ArgumentException($"Expected targets of the logits' shape [{string.Join(", ", logits.shape)}]; got [{string.Join(", ", targets.shape)}].", nameof(targets));
        }

        Tensor mapped = Uncertainty.Apply(targets.dtype == logits.dtype ? targets : targets.to_type(logits.dtype));
        Tensor missing = mapped.isnan();
        Tensor filled = mapped.masked_fill(missing, 0f);
        Tensor? posWeight = _positiveWeights is null ? null : tensor(_positiveWeights, dtype: logits.dtype, device: logits.device);
        Tensor elementwise = nn.functional.binary_cross_entropy_with_logits(logits, filled, reduction: nn.Reduction.None, pos_weights: posWeight);
        Tensor known = missing.logical_not().sum().to_type(logits.dtype);
        return (elementwise.masked_fill(missing, 0f).sum(), known);
    }
}
