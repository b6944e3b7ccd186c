using System;

namespace MLNetTransfer.Torch.Metrics;

/// <summary>
/// The AUC and accuracy the training loop reports per epoch, computed the same way for every <see cref="TaskKind"/>
/// from the model's probabilities (<see cref="RocAuc"/>, <see cref="Accuracy"/>).
/// </summary>
internal static class MetricsCalculator
{
    /// <summary>Metrics of a single-label task (<see cref="TaskKind.Binary"/> or <see cref="TaskKind.Multiclass"/>).</summary>
    /// <param name="kind">Binary (two softmax outputs, AUC of output 1) or Multiclass (macro one-vs-rest AUC).</param>
    /// <param name="probabilities">Row-major [n, <paramref name="outputs"/>] softmax probabilities.</param>
    /// <param name="outputs">The number of outputs per row: 2 for Binary.</param>
    /// <param name="labels">The class of each row, in [0, <paramref name="outputs"/>).</param>
    /// <returns>AUC, per-class AUC (Binary: the positive class only), the undefined count and the argmax accuracy.</returns>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is MultiLabel, Binary has other than 2 outputs, or the shapes disagree.</exception>
    public static ClassificationMetrics Compute(TaskKind kind, ReadOnlySpan<float> probabilities, int outputs, ReadOnlySpan<int> labels)
    {
        double accuracy;
        switch (kind)
        {
            case TaskKind.Binary:
                if (outputs != 2)
                {
                    throw new ArgumentException($"A binary task has 2 outputs (softmax over negative, positive); got {outputs}.", nameof(outputs));
                }

                // Validates shapes and labels before the AUC reads column 1.
                accuracy = Accuracy.Argmax(probabilities, labels, outputs);
                int n = labels.Length;
                var positiveScores = new float[n];
                var positives = new bool[n];
                for (int i = 0; i < n; i++)
                {
                    positiveScores[i] = probabilities[i * 2 + 1];
                    positives[i] = labels[i] == 1;
                }

                double auc = RocAuc.Binary(positiveScores, positives);
                return new ClassificationMetrics(auc, [auc], double.IsNaN(auc) ? 1 : 0, accuracy);

            case TaskKind.Multiclass:
                accuracy = Accuracy.Argmax(probabilities, labels, outputs);
                var (macro, perClass, undefined) = RocAuc.OneVsRest(probabilities, labels, outputs);
                return new ClassificationMetrics(macro, perClass, undefined, accuracy);

            case TaskKind.MultiLabel:
                throw new ArgumentException(
                    $"A multi-label task has per-label targets, not one label per row; call {nameof(ComputeMultiLabel)}.", nameof(kind));

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown task kind.");
        }
    }

    /// <summary>Metrics of a <see cref="TaskKind.MultiLabel"/> task.</summary>
    /// <param name="probabilities">Row-major [n, <paramref name="labels"/>] sigmoid probabilities.</param>
    /// <param name="targets">
    /// Row-major [n, <paramref name="labels"/>]: 1, 0, or NaN for missing. Map uncertain (-1) targets first with the run's
    /// <see cref="UncertaintyPolicy"/>.
    /// </param>
    /// <param name="labels">The number of labels.</param>
    /// <returns>Macro AUC over the defined labels, per-label AUC, the undefined count and the mean per-label accuracy at 0.5.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, or a target is not 0, 1 or NaN.</exception>
    public static ClassificationMetrics ComputeMultiLabel(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, int labels)
    {
        var (perLabel, macro, undefined) = RocAuc.PerLabel(probabilities, targets, labels);
        double accuracy = Accuracy.MultiLabel(probabilities, targets, labels);
        return new ClassificationMetrics(macro, perLabel, undefined, accuracy);
    }
}
