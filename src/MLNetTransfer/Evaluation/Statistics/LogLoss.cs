using System;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Evaluation;

/// <summary>Mean negative log-likelihood of the labels (nats), computed as scikit-learn's <c>sklearn.metrics.log_loss</c>.</summary>
/// <remarks>
/// As scikit-learn 1.2's log_loss with eps = 1e-15 (sklearn/metrics/_classification.py): each probability is clipped to
/// [1e-15, 1 − 1e-15], each row is divided by its sum, and the loss of a row is −ln of its label's share. A binary
/// probability p is the row (1 − p, p) after clipping p.
/// </remarks>
internal static class LogLoss
{
    /// <summary>The clipping bound.</summary>
    public const double Epsilon = 1e-15;

    /// <summary>Log loss of a single-label model; NaN when there are no rows.</summary>
    /// <param name="probabilities">Row-major [n, <paramref name="classes"/>].</param>
    /// <param name="labels">The class of each row, in [0, classes).</param>
    /// <param name="classes">Classes (columns).</param>
    public static double SingleLabel(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes)
    {
        if (probabilities.Length != labels.Length * classes)
        {
            throw new ArgumentException($"Got {probabilities.Length} probabilities for {labels.Length} labels; need {classes} per row.", nameof(probabilities));
        }

        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            RocAuc.RequireLabel(labels[i], classes, i, nameof(labels));
            double total = 0;
            for (int c = 0; c < classes; c++)
            {
                total += Clip(probabilities[i * classes + c]);
            }

            sum -= Math.Log(Clip(probabilities[i * classes + labels[i]]) / total);
        }

        return sum / labels.Length;
    }

    /// <summary>
    /// Log loss of one label of a multi-label model (or of a binary probability) over its known targets; NaN when it has
    /// none.
    /// </summary>
    /// <param name="probabilities">Row-major [n, <paramref name="labels"/>] probabilities.</param>
    /// <param name="targets">Row-major [n, labels]: 1, 0 or NaN (missing, left out).</param>
    /// <param name="labels">Labels (columns).</param>
    /// <param name="label">The label (column) to score.</param>
    public static double Label(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, int labels, int label)
    {
        if (targets.Length != probabilities.Length)
        {
            throw new ArgumentException($"Got {probabilities.Length} probabilities but {targets.Length} targets; need [n, {labels}] of each.", nameof(targets));
        }

        int n = RocAuc.RowCount(probabilities.Length, labels, nameof(probabilities));
        double sum = 0;
        int known = 0;
        for (int i = 0; i < n; i++)
        {
            int at = i * labels + label;
            if (RocAuc.BinaryTarget(targets[at], at, nameof(targets)) is bool positive)
            {
                double p = Clip(probabilities[at]);
                double q = 1 - p;
                sum -= Math.Log((positive ? p : q) / (q + p));
                known++;
            }
        }

        return known == 0 ? double.NaN : sum / known;
    }

    private static double Clip(double p) => Math.Clamp(p, Epsilon, 1 - Epsilon);
}
