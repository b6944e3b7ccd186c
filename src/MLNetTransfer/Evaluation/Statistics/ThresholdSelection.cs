using System;
using System.Globalization;

namespace MLNetTransfer.Evaluation;

/// <summary>
/// Chooses a binary operating threshold from probabilities and truth by a <see cref="MLNetTransfer.ThresholdMethod"/>.
/// </summary>
/// <remarks>
/// <para>
/// The decision rule is p ≥ t. The candidate thresholds are the distinct probabilities; lowering the threshold from one
/// candidate to the next calls one more group of tied rows positive. The rows are sorted once and the candidates
/// walked from the highest down with running counts, O(n log n).
/// </para>
/// <para>
/// Ties between candidates are broken exactly, on integers: Youden's J·P·N = TP·N − FP·P, and F1 is compared as
/// TP₁·(TP₀ + FP₀ + P) against TP₀·(TP₁ + FP₁ + P) (F1 = 2TP / (TP + FP + P)), so two thresholds with equal J or F1
/// are never told apart by rounding; the first (highest) one found is kept. The target methods compare the rate
/// TP/P or TN/N (one double division) with the target. tests/reference/make_statistics_references.py applies the same
/// rules by brute force over every candidate.
/// </para>
/// </remarks>
internal static class ThresholdSelection
{
    /// <summary>Picks the threshold <paramref name="method"/> asks for.</summary>
    /// <param name="probabilities">The probability of the positive class (or label) of each row; finite.</param>
    /// <param name="positive">Whether each row is positive.</param>
    /// <param name="method">The rule.</param>
    /// <param name="target">
    /// <see cref="MLNetTransfer.ThresholdMethod.TargetSensitivity"/> and
    /// <see cref="MLNetTransfer.ThresholdMethod.TargetSpecificity"/>: the rate to reach, in [0, 1].
    /// <see cref="MLNetTransfer.ThresholdMethod.Fixed"/>: the threshold itself. Ignored by the others.
    /// </param>
    /// <returns>The threshold and its confusion on these rows; a NaN threshold (all rows called negative) with a note when the method needs a class that is absent.</returns>
    /// <exception cref="ArgumentException">The lengths differ, or a probability is NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The target is outside [0, 1] (or NaN) for a target method, or NaN for Fixed.</exception>
    public static ThresholdChoice Choose(ReadOnlySpan<float> probabilities, ReadOnlySpan<bool> positive, ThresholdMethod method, double target = double.NaN)
    {
        if (probabilities.Length != positive.Length)
        {
            throw new ArgumentException($"Got {probabilities.Length} probabilities but {positive.Length} labels; need one label per probability.", nameof(positive));
        }

        if (method is ThresholdMethod.TargetSensitivity or ThresholdMethod.TargetSpecificity && !(target >= 0 && target <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, $"ThresholdMethod.{method} needs a target rate in [0, 1].");
        }

        if (method == ThresholdMethod.Fixed && double.IsNaN(target))
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "ThresholdMethod.Fixed needs the threshold as its target.");
        }

        int n = probabilities.Length;
        var keys = new float[n];
        var items = new bool[n];
        long totalPositives = 0;
        for (int i = 0; i < n; i++)
        {
            keys[i] = float.IsFinite(probabilities[i])
                ? probabilities[i]
                : throw new ArgumentException($"Probability at index {i} is {probabilities[i]}; probabilities must be finite.", nameof(probabilities));
            items[i] = positive[i];
            totalPositives += positive[i] ? 1 : 0;
        }

        int p = (int)totalPositives;
        int negatives = n - p;
        if (method == ThresholdMethod.Fixed)
        {
            return At((float)target, keys, items, p, negatives, true, null);
        }

        string? missing = method switch
        {
            ThresholdMethod.Youden when p == 0 || negatives == 0 => $"{p} positive and {negatives} negative rows: Youden's J needs both classes",
            ThresholdMethod.TargetSensitivity when p == 0 => "no positive rows: sensitivity is undefined",
            ThresholdMethod.TargetSpecificity when negatives == 0 => "no negative rows: specificity is undefined",
            ThresholdMethod.MaxF1 when p == 0 => "no positive rows: F1 is 0 at every threshold",
            _ => null,
        };
        if (missing is not null)
        {
            return new ThresholdChoice(float.NaN, 0, 0, negatives, p, false, missing);
        }

        Array.Sort(keys, items);
        return Walk(keys, items, p, negatives, method, target);
    }

    private static ThresholdChoice Walk(float[] keys, bool[] items, int p, int negatives, ThresholdMethod method, double target)
    {
        // The candidate being looked at is keys[start], with every row from start up called positive.
        int tp = 0, fp = 0;
        bool found = false;
        float best = float.NaN;
        int bestTp = 0, bestFp = 0;
        int end = keys.Length;
        while (end > 0)
        {
            int start = end - 1;
            while (start > 0 && keys[start - 1] == keys[end - 1])
            {
                start--;
            }

            for (int i = start; i < end; i++)
            {
                if (items[i])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
            }

            float threshold = keys[start] + 0f; // −0 reads as +0 for a threshold of zero
            bool take;
            bool stop = false;
            switch (method)
            {
                case ThresholdMethod.Youden:
                    take = !found || (long)tp * negatives - (long)fp * p > (long)bestTp * negatives - (long)bestFp * p;
                    break;
                case ThresholdMethod.MaxF1:
                    take = !found || (long)tp * (bestTp + bestFp + p) > (long)bestTp * (tp + fp + p);
                    break;
                case ThresholdMethod.TargetSensitivity:
                    // Sensitivity only grows as the threshold falls: the first candidate to reach the target is the highest.
                    take = tp / (double)p >= target;
                    stop = take;
                    break;
                default: // TargetSpecificity
                    // Specificity only falls as the threshold falls: keep the last candidate that still reaches the target.
                    take = (negatives - fp) / (double)negatives >= target;
                    stop = !take;
                    break;
            }

            if (take)
            {
                (found, best, bestTp, bestFp) = (true, threshold, tp, fp);
            }

            if (stop)
            {
                break;
            }

            end = start;
        }

        if (!found)
        {
            // Only TargetSpecificity can end here: the highest candidate already calls too many negatives positive.
            int topEnd = keys.Length;
            int topStart = topEnd - 1;
            while (topStart > 0 && keys[topStart - 1] == keys[topEnd - 1])
            {
                topStart--;
            }

            var top = At(keys[topStart] + 0f, keys, items, p, negatives, false, null);
            string note = string.Create(CultureInfo.InvariantCulture,
                $"no candidate threshold reaches specificity {target}: the highest probability, {top.Threshold}, gives {top.Specificity}");
            return top with { Note = note };
        }

        return new ThresholdChoice(best, bestTp, bestFp, negatives - bestFp, p - bestTp, true, null);
    }

    /// <summary>The confusion of the rule p ≥ <paramref name="threshold"/>.</summary>
    private static ThresholdChoice At(float threshold, float[] keys, bool[] items, int p, int negatives, bool reached, string? note)
    {
        int tp = 0, fp = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] >= threshold)
            {
                if (items[i])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
            }
        }

        return new ThresholdChoice(threshold, tp, fp, negatives - fp, p - tp, reached, note);
    }
}
