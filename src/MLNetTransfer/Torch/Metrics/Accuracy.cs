using System;

namespace MLNetTransfer.Torch.Metrics;

/// <summary>
/// The fraction of correct predictions, for single-label (argmax), binary (threshold) and multi-label (per-label
/// threshold) outputs; equal to scikit-learn's <c>accuracy_score</c> on the same predictions.
/// </summary>
/// <remarks>
/// A score exactly at the threshold counts as negative (strict <c>&gt;</c>), the rule of scikit-learn's
/// <c>LogisticRegression.predict</c> (decision function &gt; 0). With two softmax outputs and threshold 0.5 it gives the
/// same prediction as <see cref="Argmax"/>, where a tie goes to the first class, as numpy's and torch's argmax do.
/// </remarks>
internal static class Accuracy
{
    /// <summary>The threshold for sigmoid or positive-class probabilities when none is given.</summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary>Accuracy of the argmax of each row; a tie goes to the lowest class index.</summary>
    /// <param name="probabilities">Row-major [n, <paramref name="classes"/>] scores.</param>
    /// <param name="labels">The class of each row, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes (columns), at least 2.</param>
    /// <returns>The fraction of rows whose argmax is the label; NaN when there are no rows.</returns>
    /// <exception cref="ArgumentException">The shapes disagree.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is under 2, or a label is outside [0, classes).</exception>
    public static double Argmax(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        int n = RocAuc.RowCount(probabilities.Length, classes, nameof(probabilities));
        if (labels.Length != n)
        {
            throw new ArgumentException($"Got {n} rows of {classes} probabilities but {labels.Length} labels; need one label per row.", nameof(labels));
        }

        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            RocAuc.RequireLabel(labels[i], classes, i, nameof(labels));
            ReadOnlySpan<float> row = probabilities.Slice(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                // Strict > keeps the first of equal maxima, as numpy's and torch's argmax do.
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            correct += best == labels[i] ? 1 : 0;
        }

        return n == 0 ? double.NaN : (double)correct / n;
    }

    /// <summary>Accuracy of "score &gt; <paramref name="threshold"/>" as the positive prediction.</summary>
    /// <param name="scores">One score per example (e.g. the positive-class probability).</param>
    /// <param name="positives">Whether each example is positive.</param>
    /// <param name="threshold">Scores above it predict positive; a score equal to it predicts negative.</param>
    /// <returns>The fraction predicted correctly; NaN when there are no examples.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double Binary(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positives, float threshold = DefaultThreshold)
    {
        if (scores.Length != positives.Length)
        {
            throw new ArgumentException($"Got {scores.Length} scores but {positives.Length} labels; need one label per score.", nameof(positives));
        }

        int correct = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            correct += scores[i] > threshold == positives[i] ? 1 : 0;
        }

        return scores.Length == 0 ? double.NaN : (double)correct / scores.Length;
    }

    /// <summary>
    /// The mean over labels of each label's accuracy at <paramref name="threshold"/>, each over its known targets.
    /// </summary>
    /// <param name="scores">Row-major [n, <paramref name="labels"/>] sigmoid probabilities.</param>
    /// <param name="targets">Row-major [n, <paramref name="labels"/>]: 1, 0, or NaN for missing (not counted).</param>
    /// <param name="labels">The number of labels (columns).</param>
    /// <param name="threshold">Scores above it predict positive.</param>
    /// <returns>
    /// The unweighted mean of the per-label accuracies of the labels with at least one known target, so a rare
    /// label counts as much as a common one (as the per-label AUC's macro average); NaN when no target is known.
    /// </returns>
    /// <exception cref="ArgumentException">The shapes disagree, or a target is not 0, 1 or NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labels"/> is not positive.</exception>
    public static double MultiLabel(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets, int labels, float threshold = DefaultThreshold) =>
        MeanOfLabels(MultiLabelCounts(scores, targets, labels, threshold));

    /// <summary>
    /// The unweighted mean of the per-label accuracies of the labels with at least one known target (what
    /// <see cref="MultiLabel"/> returns); NaN when no target is known.
    /// </summary>
    public static double MeanOfLabels(ReadOnlySpan<LabelCounts> perLabel)
    {
        double sum = 0;
        int counted = 0;
        foreach (LabelCounts counts in perLabel)
        {
            if (counts.Known > 0)
            {
                sum += counts.Accuracy;
                counted++;
            }
        }

        return counted == 0 ? double.NaN : sum / counted;
    }

    /// <summary>
    /// Each label's confusion at <paramref name="threshold"/> over its known targets: the counts
    /// <see cref="MultiLabel"/> averages, so a per-label table and the accuracy beside it cannot disagree.
    /// </summary>
    /// <param name="scores">Row-major [n, <paramref name="labels"/>] sigmoid probabilities.</param>
    /// <param name="targets">Row-major [n, <paramref name="labels"/>]: 1, 0, or NaN for missing (not counted).</param>
    /// <param name="labels">The number of labels (columns).</param>
    /// <param name="threshold">Scores above it predict positive; a score equal to it predicts negative.</param>
    /// <returns>One entry per label, in column order.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, or a target is not 0, 1 or NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labels"/> is not positive.</exception>
    public static LabelCounts[] MultiLabelCounts(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets, int labels, float threshold = DefaultThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(labels);
        int n = RocAuc.RowCount(scores.Length, labels, nameof(scores));
        if (targets.Length != scores.Length)
        {
            throw new ArgumentException($"Got {scores.Length} scores but {targets.Length} targets; need [n, {labels}] of each.", nameof(targets));
        }

        var result = new LabelCounts[labels];

        // Indexed by (truth, predicted): TN, FP, FN, TP.
        Span<int> cells = stackalloc int[4];
        for (int j = 0; j < labels; j++)
        {
            cells.Clear();
            for (int i = 0; i < n; i++)
            {
                int at = i * labels + j;
                if (RocAuc.BinaryTarget(targets[at], at, nameof(targets)) is bool positive)
                {
                    cells[(positive ? 2 : 0) + (scores[at] > threshold ? 1 : 0)]++;
                }
            }

            result[j] = new LabelCounts(cells[0], cells[1], cells[2], cells[3]);
        }

        return result;
    }
}
