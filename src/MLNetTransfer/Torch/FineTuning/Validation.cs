using System;
using System.Linq;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Metrics;
using MLNetTransfer.Torch.Modules;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.FineTuning;

/// <summary>
/// The validation pass after each epoch: the model in eval mode without gradients over the whole validation set, one
/// dispose scope per batch; its loss as one batch would give it, and accuracy and ROC AUC from the probabilities
/// (docs/design.md, "Training loop").
/// </summary>
internal sealed class Validation
{
    private readonly ResNet _model;
    private readonly FineTuneData _data;
    private readonly FineTuneOptions _options;
    private readonly TrainingImages _images;
    private readonly TaskLoss _loss;

    public Validation(ResNet model, FineTuneData data, FineTuneOptions options, TrainingImages images, TaskLoss loss)
    {
        _model = model;
        _data = data;
        _options = options;
        _images = images;
        _loss = loss;
    }

    /// <summary>Validates the model as it is after <paramref name="epoch"/>.</summary>
    /// <param name="epoch">The epoch just trained (1-based), for the message if the weights diverged.</param>
    /// <param name="features">The cached backbone features of the validation set, or null to run the whole model on images.</param>
    /// <exception cref="InvalidOperationException">The validation loss is not finite: the weights diverged.</exception>
    public (double Loss, ClassificationMetrics Metrics) Run(int epoch, Tensor? features)
    {
        _model.eval();
        using var _ = no_grad();
        var probabilities = new float[_data.Count * _data.Outputs];
        double lossSum = 0, lossWeight = 0;
        var order = Enumerable.Range(0, _data.Count).ToArray();
        if (features is not null)
        {
            foreach (var indices in order.Chunk(_options.BatchSize))
            {
                using var scope = NewDisposeScope();
                var logits = _model.Head.call(features.index_select(0, _images.Rows(indices)));
                var (sum, weight) = Collect(logits, indices, probabilities);
                lossSum += sum;
                lossWeight += weight;
            }
        }
        else
        {
            foreach (var batch in _images.Validation!.GetBatches(order, epoch: 0, train: false, _options.CancellationToken))
            {
                using var scope = NewDisposeScope();
                var logits = _model.call(_images.Pixels(batch));
                var (sum, weight) = Collect(logits, batch.Indices, probabilities);
                lossSum += sum;
                lossWeight += weight;
            }
        }

        // Weights that diverged in the last steps show here first; say so, rather than fail inside the AUC.
        if (!double.IsFinite(lossSum))
        {
            throw new InvalidOperationException(
                $"The validation loss became {lossSum} after epoch {epoch}: the weights diverged. Lower the learning rate (for example by a factor of 10) or use a longer warmup.");
        }

        var metrics = _data.Task == TaskKind.MultiLabel
            ? MetricsCalculator.ComputeMultiLabel(probabilities, _options.Uncertainty.Apply(_data.Targets!), _data.Outputs)
            : MetricsCalculator.Compute(_data.Task, probabilities, _data.Outputs, _data.Labels!);
        // The loss over the whole validation set, as one batch would give it: class weights and missing labels make
        // it a weighted mean, which the batch size must not change. No known target at all gives 0, as a batch does.
        return (lossWeight > 0 ? lossSum / lossWeight : 0, metrics);
    }

    // Adds the batch's probabilities and returns its loss as a sum and the weight the mean divides it by.
    private (double Sum, double Weight) Collect(Tensor logits, int[] indices, float[] probabilities)
    {
        var totals = _loss.Totals(logits, _data, indices);
        var probs = _data.Task == TaskKind.MultiLabel ? nn.functional.sigmoid(logits) : nn.functional.softmax(logits, 1);
        var values = probs.cpu().data<float>().ToArray();
        int outputs = _data.Outputs;
        for (int r = 0; r < indices.Length; r++)
        {
            Array.Copy(values, r * outputs, probabilities, indices[r] * outputs, outputs);
        }

        return totals;
    }
}
