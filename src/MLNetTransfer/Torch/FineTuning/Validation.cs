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
    /// <param name="features">The cached backbone features of the validation set, or null to run the whole model on
    /// images. Not used with <see cref="FineTuneOptions.TestTimeFlip"/>: the cache holds no mirrored images.</param>
    /// <exception cref="InvalidOperationException">The validation loss is not finite: the weights diverged.</exception>
    public (double Loss, ClassificationMetrics Metrics) Run(int epoch, Tensor? features)
    {
        var probabilities = new float[_data.Count * _data.Outputs];
        double lossSum = 0, lossWeight = 0;
        Pass(features, (logits, flipped, indices) =>
        {
            var scored = flipped is null ? logits : Averaged(logits, flipped);
            var (sum, weight) = Collect(scored, indices, probabilities);
            lossSum += sum;
            lossWeight += weight;
        });

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

    /// <summary>
    /// The network's raw logits for every validation row, in row order, and with <see cref="FineTuneOptions.TestTimeFlip"/>
    /// those of the mirrored images too: what calibration is fitted on after the best weights are restored.
    /// </summary>
    public ValidationLogits Logits(Tensor? features)
    {
        int outputs = _data.Outputs;
        var logits = new float[_data.Count * outputs];
        var mirrored = _options.TestTimeFlip ? new float[_data.Count * outputs] : null;
        Pass(features, (batch, flipped, indices) =>
        {
            Copy(batch, indices, logits);
            if (flipped is not null)
            {
                Copy(flipped, indices, mirrored!);
            }
        });

        return new ValidationLogits(_data.Count, outputs, logits, mirrored);
    }

    // Runs the model in eval mode without gradients over the validation set, one dispose scope per batch, and hands each
    // batch's logits (and, with the test-time flip, the logits of its mirrored images) to the callback.
    private void Pass(Tensor? features, Action<Tensor, Tensor?, int[]> onBatch)
    {
        _model.eval();
        using var _ = no_grad();
        var order = Enumerable.Range(0, _data.Count).ToArray();
        if (features is not null && !_options.TestTimeFlip)
        {
            foreach (var indices in order.Chunk(_options.BatchSize))
            {
                using var scope = NewDisposeScope();
                onBatch(_model.Head.call(features.index_select(0, _images.Rows(indices))), null, indices);
            }

            return;
        }

        foreach (var batch in _images.Validation!.GetBatches(order, epoch: 0, train: false, _options.CancellationToken))
        {
            using var scope = NewDisposeScope();
            var pixels = _images.Pixels(batch);
            // The mirror along the width, as the exported graph's test-time flip does.
            onBatch(_model.call(pixels), _options.TestTimeFlip ? _model.call(pixels.flip(3)) : null, batch.Indices);
        }
    }

    // Logits whose softmax (or sigmoid) is the mean of the two views' probabilities, as the exported graph averages them:
    // log p for one class per image (log_softmax of log p is log p), log(p / (1 - p)) per label, in double precision.
    private Tensor Averaged(Tensor logits, Tensor flipped)
    {
        if (_data.Task == TaskKind.MultiLabel)
        {
            var p = nn.functional.sigmoid(logits).add(nn.functional.sigmoid(flipped)).div(2).to_type(ScalarType.Float64).clamp(1e-12, 1 - 1e-12);
            return p.log().sub(p.neg().log1p()).to_type(logits.dtype);
        }

        var mean = nn.functional.softmax(logits, 1).add(nn.functional.softmax(flipped, 1)).div(2).to_type(ScalarType.Float64);
        return mean.clamp_min(1e-300).log().to_type(logits.dtype);
    }

    private void Copy(Tensor logits, int[] indices, float[] destination)
    {
        var values = logits.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
        int outputs = _data.Outputs;
        for (int r = 0; r < indices.Length; r++)
        {
            Array.Copy(values, r * outputs, destination, indices[r] * outputs, outputs);
        }
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
