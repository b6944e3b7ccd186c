using System;
using System.Linq;
using MLNetTransfer.Torch.Losses;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The task's loss with the run's weights: cross-entropy for one class per image (class weights, label smoothing),
/// binary cross-entropy per label for multi-label data (positive weights, uncertain and missing targets); and the
/// targets of a batch's rows as a tensor on the device.
/// </summary>
internal sealed class TaskLoss
{
    private readonly SingleLabelLoss? _singleLabel;
    private readonly MultiLabelLoss? _multiLabel;
    private readonly Device _device;

    /// <exception cref="ArgumentException">Class or positive weights do not fit the training set (named).</exception>
    public TaskLoss(FineTuneData train, FineTuneOptions options, Device device)
    {
        _device = device;
        if (train.Task == TaskKind.MultiLabel)
        {
            _multiLabel = new MultiLabelLoss(train.Outputs, options.PositiveWeights, options.Uncertainty);
        }
        else
        {
            var weights = options.ClassWeights
                ?? (options.ClassWeighting == ClassWeighting.Balanced ? ClassWeights.FromFrequencies(train.Labels!, train.Outputs) : null);
            _singleLabel = new SingleLabelLoss(train.Outputs, weights, options.LabelSmoothing);
        }
    }

    /// <summary>The mean loss of a batch: <paramref name="logits"/> for the rows <paramref name="indices"/> of <paramref name="data"/>.</summary>
    public Tensor Compute(Tensor logits, FineTuneData data, int[] indices) => _multiLabel is not null
        ? _multiLabel.Compute(logits, Targets(data, indices))
        : _singleLabel!.Compute(logits, Targets(data, indices));

    /// <summary>
    /// The batch's loss as a sum and the weight its mean divides it by, so that batches add up to the mean over a whole
    /// set (class weights and missing labels make it a weighted mean).
    /// </summary>
    public (double Sum, double Weight) Totals(Tensor logits, FineTuneData data, int[] indices) => _multiLabel is not null
        ? _multiLabel.Totals(logits, Targets(data, indices))
        : _singleLabel!.Totals(logits, Targets(data, indices));

    // The rows' targets: [N, labels] floats for multi-label data, [N] class indices otherwise.
    private Tensor Targets(FineTuneData data, int[] indices)
    {
        if (data.Task == TaskKind.MultiLabel)
        {
            int labels = data.Outputs;
            var targets = new float[indices.Length * labels];
            for (int r = 0; r < indices.Length; r++)
            {
                Array.Copy(data.Targets!, indices[r] * labels, targets, r * labels, labels);
            }

            return tensor(targets, new long[] { indices.Length, labels }, device: _device);
        }

        return tensor(indices.Select(i => (long)data.Labels![i]).ToArray(), device: _device);
    }
}
