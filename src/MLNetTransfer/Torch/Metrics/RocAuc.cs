using System;
using System.Collections.Generic;

namespace MLNetTransfer.Torch.Metrics;

/// <summary>
/// Area under the ROC curve for binary, one-vs-rest multiclass and multi-label predictions, equal to scikit-learn's
/// <c>roc_auc_score</c> (tested against scikit-learn 1.2 to 1e-6) except where a class is absent: there the AUC is
/// undefined, and these methods return NaN and count it instead of throwing.
/// </summary>
/// <remarks>
/// <para>
/// scikit-learn raises "Only one class present in y_true. ROC AUC score is not defined in that case", and ML.NET's
/// evaluator throws too (dotnet/machinelearning#4713). Both stop a training run over what is a normal event in
/// validation folds of rare findings, so here an absent class gives NaN, the per-item results say which one, and
/// averages are over the defined items with the undefined ones counted (docs/pitfalls.md, "AUC is undefined when a
/// class is absent").
/// </para>
/// <para>
/// Ties are handled exactly as scikit-learn's trapezoid over the distinct thresholds, which is the Mann–Whitney
/// statistic with average ranks: a tied positive/negative pair counts one half. The computation is exact (integer
/// pair counts, one division at the end), O(n log n).
/// </para>
/// <para>
/// Scores must be finite, as scikit-learn requires ("Input contains NaN" / "infinity"); only their order matters,
/// so probabilities, logits or any monotone transform of them give the same AUC.
/// </para>
/// <para>
/// On request the same pass also draws each item's <see cref="RocCurve"/> (scikit-learn's <c>roc_curve</c>), so that
/// a report plots the curve whose area is the AUC it prints beside it.
/// </para>
/// </remarks>
internal static class RocAuc
{
    /// <summary>The AUC of <paramref name="scores"/> for telling positives from negatives.</summary>
    /// <param name="scores">One score per example; higher means more likely positive.</param>
    /// <param name="positives">Whether each example is positive.</param>
    /// <returns>The AUC in [0, 1]; NaN when every example is positive or every one negative (or there are none).</returns>
    /// <exception cref="ArgumentException">The lengths differ, or a score is NaN or infinite.</exception>
    public static double Binary(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positives)
    {
        if (scores.Length != positives.Length)
        {
            throw new ArgumentException($"Got {scores.Length} scores but {positives.Length} labels; need one label per score.", nameof(positives));
        }

        var keys = new float[scores.Length];
        var items = new bool[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            keys[i] = RequireFinite(scores[i], i, nameof(scores));
            items[i] = positives[i];
        }

        return SortedAuc(keys, items, scores.Length, default);
    }

    /// <summary>The ROC curve of <paramref name="scores"/> for telling positives from negatives.</summary>
    /// <param name="scores">One score per example; higher means more likely positive.</param>
    /// <param name="positives">Whether each example is positive.</param>
    /// <returns>
    /// Null when every example is positive or every one negative (or there are none): one rate is 0/0 there, where
    /// scikit-learn warns and returns NaN rates and <see cref="Binary"/> returns NaN.
    /// </returns>
    /// <exception cref="ArgumentException">The lengths differ, or a score is NaN or infinite.</exception>
    public static RocCurve? BinaryCurve(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positives)
    {
        if (scores.Length != positives.Length)
        {
            throw new ArgumentException($"Got {scores.Length} scores but {positives.Length} labels; need one label per score.", nameof(positives));
        }

        var keys = new float[scores.Length];
        var items = new bool[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            keys[i] = RequireFinite(scores[i], i, nameof(scores));
            items[i] = positives[i];
        }

        var curve = new RocCurve?[1];
        SortedAuc(keys, items, scores.Length, curve);
        return curve[0];
    }

    /// <summary>One-vs-rest AUC of each class from softmax probabilities, and their macro average.</summary>
    /// <param name="probabilities">Row-major [n, <paramref name="classes"/>]: example i's score for class c at <c>i * classes + c</c>.</param>
    /// <param name="labels">The class of each example, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes (columns).</param>
    /// <param name="curves">When given (one slot per class), receives each class's ROC curve, null where its AUC is undefined.</param>
    /// <returns>
    /// <c>PerClass[c]</c>: the AUC of column c for "class c" against all others, NaN when class c is absent from
    /// <paramref name="labels"/> (or is the only one present). <c>Macro</c>: the unweighted mean over the classes
    /// with a defined AUC, NaN if none; this equals scikit-learn's <c>roc_auc_score(multi_class="ovr",
    /// average="macro")</c> when every class is present (where scikit-learn raises otherwise).
    /// <c>UndefinedCount</c>: the number of NaN entries of <c>PerClass</c>.
    /// </returns>
    /// <remarks>
    /// Unlike scikit-learn, the rows need not sum to 1: one-vs-rest AUC is defined for any scores.
    /// </remarks>
    /// <exception cref="ArgumentException">The shapes disagree, or a score is NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is under 2, or a label is outside [0, classes).</exception>
    public static (double Macro, double[] PerClass, int UndefinedCount) OneVsRest(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes, RocCurve?[]? curves = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        RequireCurveSlots(curves, classes);
        int n = RowCount(probabilities.Length, classes, nameof(probabilities));
        if (labels.Length != n)
        {
            throw new ArgumentException($"Got {n} rows of {classes} probabilities but {labels.Length} labels; need one label per row.", nameof(labels));
        }

        for (int i = 0; i < n; i++)
        {
            RequireLabel(labels[i], classes, i, nameof(labels));
        }

        var keys = new float[n];
        var items = new bool[n];
        var perClass = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < n; i++)
            {
                keys[i] = RequireFinite(probabilities[i * classes + c], i * classes + c, nameof(probabilities));
                items[i] = labels[i] == c;
            }

            perClass[c] = SortedAuc(keys, items, n, curves is null ? default : curves.AsSpan(c, 1));
        }

        var (macro, undefined) = MeanOfDefined(perClass);
        return (macro, perClass, undefined);
    }

    /// <summary>The AUC of each label of a multi-label prediction over its known targets, and their macro average.</summary>
    /// <param name="scores">Row-major [n, <paramref name="labels"/>] scores (sigmoid probabilities or logits).</param>
    /// <param name="targets">
    /// Row-major [n, <paramref name="labels"/>]: 1 positive, 0 negative, NaN missing (left out of that label's AUC).
    /// CheXpert-style uncertain targets (-1) must be mapped first with the training run's
    /// <see cref="UncertaintyPolicy"/> (<see cref="Losses.UncertaintyPolicyExtensions.Apply(UncertaintyPolicy, ReadOnlySpan{float})"/>).
    /// </param>
    /// <param name="labels">The number of labels (columns).</param>
    /// <param name="curves">When given (one slot per label), receives each label's ROC curve over its known targets, null where its AUC is undefined.</param>
    /// <returns>
    /// <c>PerLabel[j]</c>: scikit-learn's AUC of column j over the rows whose target j is known, NaN when those rows hold
    /// one class only (or none). <c>Macro</c>: the mean over the labels with a defined AUC, NaN if none.
    /// <c>UndefinedCount</c>: the number of NaN entries of <c>PerLabel</c>.
    /// </returns>
    /// <exception cref="ArgumentException">The shapes disagree, a score is NaN or infinite, or a target is not 0, 1 or NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labels"/> is not positive.</exception>
    public static (double[] PerLabel, double Macro, int UndefinedCount) PerLabel(ReadOnlySpan<float> scores, ReadOnlySpan<float> targets, int labels, RocCurve?[]? curves = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(labels);
        RequireCurveSlots(curves, labels);
        int n = RowCount(scores.Length, labels, nameof(scores));
        if (targets.Length != scores.Length)
        {
            throw new ArgumentException($"Got {scores.Length} scores but {targets.Length} targets; need [n, {labels}] of each.", nameof(targets));
        }

        var keys = new float[n];
        var items = new bool[n];
        var perLabel = new double[labels];
        for (int j = 0; j < labels; j++)
        {
            int known = 0;
            for (int i = 0; i < n; i++)
            {
                int at = i * labels + j;
                bool? target = BinaryTarget(targets[at], at, nameof(targets));
                if (target is bool positive)
                {
                    keys[known] = RequireFinite(scores[at], at, nameof(scores));
                    items[known] = positive;
                    known++;
                }
            }

            perLabel[j] = SortedAuc(keys, items, known, curves is null ? default : curves.AsSpan(j, 1));
        }

        var (macro, undefined) = MeanOfDefined(perLabel);
        return (perLabel, macro, undefined);
    }

    /// <summary>
    /// Reads a multi-label target: true for 1, false for 0, null for NaN (missing). Anything else is refused, with a
    /// pointer to the uncertainty policy for -1.
    /// </summary>
    internal static bool? BinaryTarget(float target, int index, string paramName)
    {
        if (float.IsNaN(target))
        {
            return null;
        }

        return target switch
        {
            1f => true,
            0f => false,
            -1f => throw new ArgumentException(
                $"Target at index {index} is -1 (uncertain). Map uncertain targets with an UncertaintyPolicy (Ignore, Ones or Zeros) before computing metrics.",
                paramName),
            _ => throw new ArgumentException($"Target at index {index} is {target}; multi-label targets must be 0, 1 or NaN (missing).", paramName),
        };
    }

    /// <summary>n for a row-major [n, columns] buffer of <paramref name="length"/> elements.</summary>
    internal static int RowCount(int length, int columns, string paramName)
    {
        if (length % columns != 0)
        {
            throw new ArgumentException($"Got {length} values, which is not a whole number of rows of {columns}.", paramName);
        }

        return length / columns;
    }

    internal static void RequireLabel(int label, int classes, int index, string paramName)
    {
        if ((uint)label >= (uint)classes)
        {
            throw new ArgumentOutOfRangeException(paramName, label, $"Label at index {index} is {label}; labels must be in [0, {classes}).");
        }
    }

    internal static (double Mean, int Undefined) MeanOfDefined(double[] values)
    {
        double sum = 0;
        int defined = 0;
        foreach (double v in values)
        {
            if (!double.IsNaN(v))
            {
                sum += v;
                defined++;
            }
        }

        return (defined == 0 ? double.NaN : sum / defined, values.Length - defined);
    }

    private static void RequireCurveSlots(RocCurve?[]? curves, int items)
    {
        if (curves is not null && curves.Length != items)
        {
            throw new ArgumentException($"Got {curves.Length} curve slots for {items} classes or labels; need one each.", nameof(curves));
        }
    }

    private static float RequireFinite(float score, int index, string paramName)
    {
        return float.IsFinite(score)
            ? score
            : throw new ArgumentException($"Score at index {index} is {score}; scores must be finite (as scikit-learn's roc_auc_score requires).", paramName);
    }

    /// <summary>
    /// Sorts the first <paramref name="count"/> keys (with their labels) and returns the Mann–Whitney AUC with ties
    /// counted one half, or NaN when one class is absent. When <paramref name="curve"/> is given, its one slot receives
    /// the ROC curve drawn in the same walk (null when one class is absent).
    /// </summary>
    private static double SortedAuc(float[] keys, bool[] positives, int count, Span<RocCurve?> curve)
    {
        Array.Sort(keys, positives, 0, count);

        long totalPositives = 0;
        for (int i = 0; i < count; i++)
        {
            totalPositives += positives[i] ? 1 : 0;
        }

        long totalNegatives = count - totalPositives;
        if (totalPositives == 0 || totalNegatives == 0)
        {
            if (!curve.IsEmpty)
            {
                curve[0] = null;
            }

            return double.NaN;
        }

        // The curve's points, one per group of equal scores, collected from the lowest score up: the examples at or
        // above the group's score are the ones a threshold there calls positive.
        var points = curve.IsEmpty ? null : new List<(long FalsePositives, long TruePositives, float Threshold)>();

        // Walk the groups of equal scores in ascending order. Each positive beats every negative below its group and
        // ties with the negatives inside it, so twice the U statistic gains pg * (2 * below + ng) per group. Kept in
        // integers (2U <= 2 * P * N), it is exact; == groups -0 with +0, as scikit-learn's thresholds do.
        long twiceU = 0;
        long negativesBelow = 0;
        long positivesBelow = 0;
        int start = 0;
        while (start < count)
        {
            int end = start + 1;
            while (end < count && keys[end] == keys[start])
            {
                end++;
            }

            long groupPositives = 0;
            for (int i = start; i < end; i++)
            {
                groupPositives += positives[i] ? 1 : 0;
            }

            long groupNegatives = end - start - groupPositives;
            twiceU += groupPositives * (2 * negativesBelow + groupNegatives);

            // + 0f turns -0 into +0, so a threshold of zero reads the same whichever zero the group began with.
            points?.Add((totalNegatives - negativesBelow, totalPositives - positivesBelow, keys[start] + 0f));
            negativesBelow += groupNegatives;
            positivesBelow += groupPositives;
            start = end;
        }

        if (points is not null)
        {
            curve[0] = Curve(points, totalPositives, totalNegatives);
        }

        return twiceU / (2.0 * totalPositives * totalNegatives);
    }

    /// <summary>
    /// The curve from its points collected lowest score first: reversed to run from the highest threshold down, after
    /// a leading (0, 0) at +∞.
    /// </summary>
    private static RocCurve Curve(List<(long FalsePositives, long TruePositives, float Threshold)> points, long totalPositives, long totalNegatives)
    {
        int n = points.Count + 1;
        var fpr = new double[n];
        var tpr = new double[n];
        var thresholds = new float[n];
        thresholds[0] = float.PositiveInfinity;
        for (int k = 1; k < n; k++)
        {
            var (falsePositives, truePositives, threshold) = points[n - 1 - k];

            // Rates divide the counts by the totals in doubles, as scikit-learn's fps / fps[-1] does in float64.
            fpr[k] = falsePositives / (double)totalNegatives;
            tpr[k] = truePositives / (double)totalPositives;
            thresholds[k] = threshold;
        }

        // numpy's trapz over the points, as sklearn.metrics.auc(fpr, tpr) computes it.
        double area = 0;
        for (int k = 1; k < n; k++)
        {
            area += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2;
        }

        return new RocCurve(fpr, tpr, thresholds, area, checked((int)totalPositives), checked((int)totalNegatives));
    }
}
