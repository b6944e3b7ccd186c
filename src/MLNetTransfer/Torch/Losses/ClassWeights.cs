using System;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Torch.Losses;

/// <summary>Loss weights from label frequencies, so rare classes (or rare positive findings) are not drowned out.</summary>
internal static class ClassWeights
{
    /// <summary>
    /// scikit-learn's "balanced" class weights (<c>sklearn.utils.class_weight.compute_class_weight</c>):
    /// <c>n_samples / (classes * count[c])</c>, so every class contributes the same total weight to the loss.
    /// </summary>
    /// <param name="labels">The training labels, each in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes.</param>
    /// <returns>One weight per class, for <c>SingleLabelLoss</c>; the mean weight over the samples is 1.</returns>
    /// <exception cref="ArgumentException">A class has no sample: its weight would be infinite. The message names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is under 2, or a label is outside [0, classes).</exception>
    public static float[] FromFrequencies(ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        long[] counts = LabelChecks.CountClasses(labels, classes, nameof(labels));
        var weights = new float[classes];
        for (int c = 0; c < classes; c++)
        {
            if (counts[c] == 0)
            {
                throw new ArgumentException(
                    $"Class {c} has no training examples, so its balanced weight (n / (classes * count)) is undefined. " +
                    "Add examples of that class, or give the class weights explicitly.",
                    nameof(labels));
            }

            weights[c] = (float)((double)labels.Length / ((double)classes * counts[c]));
        }

        return weights;
    }

    /// <summary>
    /// Per-label <c>pos_weight</c> for multi-label binary cross-entropy: negatives / positives over the known targets,
    /// the recipe in PyTorch's <c>BCEWithLogitsLoss</c> documentation ("if a dataset contains 100 positive and 300
    /// negative examples of a single class, then pos_weight for the class should be equal to 300/100 = 3").
    /// </summary>
    /// <param name="targets">
    /// Row-major [n, <paramref name="labels"/>]: 1, 0 or NaN (missing, not counted). Map uncertain (-1) targets first
    /// with the run's <see cref="UncertaintyPolicy"/>.
    /// </param>
    /// <param name="labels">The number of labels.</param>
    /// <returns>One weight per label, for <c>MultiLabelLoss</c>.</returns>
    /// <exception cref="ArgumentException">
    /// The shape is wrong, a target is not 0, 1 or NaN, or a label has no known positive or no known negative (its
    /// weight would be infinite or zero). The message names the label.
    /// </exception>
    public static float[] PositiveWeightsFromFrequencies(ReadOnlySpan<float> targets, int labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(labels);
        int n = RocAuc.RowCount(targets.Length, labels, nameof(targets));
        var weights = new float[labels];
        for (int j = 0; j < labels; j++)
        {
            long positives = 0;
            long negatives = 0;
            for (int i = 0; i < n; i++)
            {
                int at = i * labels + j;
                if (RocAuc.BinaryTarget(targets[at], at, nameof(targets)) is bool positive)
                {
                    positives += positive ? 1 : 0;
                    negatives += positive ? 0 : 1;
                }
            }

            if (positives == 0 || negatives == 0)
            {
                throw new ArgumentException(
                    $"Label {j} has {positives} positive and {negatives} negative known targets; its pos_weight (negatives / positives) " +
                    "needs both. Check that label's column, or give pos_weight explicitly.",
                    nameof(targets));
            }

            weights[j] = (float)((double)negatives / positives);
        }

        return weights;
    }
}
