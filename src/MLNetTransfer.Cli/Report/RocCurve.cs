using System;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The ROC curve of one score vector against binary truth: the points of scikit-learn's
/// <c>roc_curve(y, s, drop_intermediate=False)</c> and their trapezoid area (<c>sklearn.metrics.auc(fpr, tpr)</c>).
/// </summary>
/// <remarks>
/// <para>
/// As in scikit-learn's <c>_binary_clf_curve</c>: the scores are walked from the highest down, every distinct score is
/// one threshold (a group of tied scores is one point, so ties give diagonal segments, and their area counts a tied
/// positive/negative pair one half, as the Mann–Whitney AUC of <c>MLNetTransfer.Torch.Metrics.RocAuc</c> does), and a
/// leading (0, 0) point is added. Scores are compared with <c>==</c>, so -0 and +0 are one threshold, as numpy's
/// <c>diff != 0</c> makes them.
/// </para>
/// <para>
/// The threshold of the leading point is +∞ (scikit-learn ≥ 1.3; 1.2 wrote <c>max(score) + 1</c>, an arbitrary value
/// that for probabilities looked like a probability above 1); the others are the scores themselves.
/// </para>
/// </remarks>
internal sealed class RocCurve
{
    private RocCurve(double[] falsePositiveRates, double[] truePositiveRates, float[] thresholds, double auc, int positives, int negatives)
    {
        FalsePositiveRates = falsePositiveRates;
        TruePositiveRates = truePositiveRates;
        Thresholds = thresholds;
        Auc = auc;
        Positives = positives;
        Negatives = negatives;
    }

    /// <summary>FPR of each point, from 0 up to 1.</summary>
    public double[] FalsePositiveRates { get; }

    /// <summary>TPR of each point, from 0 up to 1.</summary>
    public double[] TruePositiveRates { get; }

    /// <summary>Each point's threshold ("score ≥ threshold" is positive); the first is +∞.</summary>
    public float[] Thresholds { get; }

    /// <summary>The trapezoid area under the points.</summary>
    public double Auc { get; }

    /// <summary>The number of positive examples.</summary>
    public int Positives { get; }

    /// <summary>The number of negative examples.</summary>
    public int Negatives { get; }

    /// <summary>The curve of <paramref name="scores"/> for telling positives from negatives.</summary>
    /// <returns>Null when every example is positive or every one negative (or there are none): one rate is 0/0 there,
    /// where scikit-learn warns and returns NaN rates.</returns>
    /// <exception cref="ArgumentException">The lengths differ, or a score is NaN or infinite (scikit-learn refuses both).</exception>
    public static RocCurve? Compute(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positives)
    {
        if (scores.Length != positives.Length)
        {
            throw new ArgumentException($"Got {scores.Length} scores but {positives.Length} labels; need one label per score.", nameof(positives));
        }

        int n = scores.Length;
        var keys = new float[n];
        var items = new bool[n];
        int totalPositives = 0;
        for (int i = 0; i < n; i++)
        {
            if (!float.IsFinite(scores[i]))
            {
                throw new ArgumentException($"Score at index {i} is {scores[i]}; ROC scores must be finite.", nameof(scores));
            }

            // Negated so that an ascending sort walks the scores from the highest down.
            keys[i] = -scores[i];
            items[i] = positives[i];
            totalPositives += positives[i] ? 1 : 0;
        }

        int totalNegatives = n - totalPositives;
        if (totalPositives == 0 || totalNegatives == 0)
        {
            return null;
        }

        // Order inside a group of tied scores does not matter: only each group's end becomes a point.
        Array.Sort(keys, items);

        var fpr = new double[n + 1];
        var tpr = new double[n + 1];
        var thresholds = new float[n + 1];
        thresholds[0] = float.PositiveInfinity;
        int points = 1;
        int truePositives = 0;
        int falsePositives = 0;
        for (int i = 0; i < n; i++)
        {
            truePositives += items[i] ? 1 : 0;
            falsePositives += items[i] ? 0 : 1;
            if (i + 1 < n && keys[i + 1] == keys[i])
            {
                continue;
            }

            // Rates divide by the totals in doubles, as scikit-learn's fps / fps[-1] does in float64.
            fpr[points] = falsePositives / (double)totalNegatives;
            tpr[points] = truePositives / (double)totalPositives;
            thresholds[points] = -keys[i] + 0f; // + 0f turns the negated +0 back into +0 rather than -0.
            points++;
        }

        Array.Resize(ref fpr, points);
        Array.Resize(ref tpr, points);
        Array.Resize(ref thresholds, points);
        return new RocCurve(fpr, tpr, thresholds, Trapezoid(fpr, tpr), totalPositives, totalNegatives);
    }

    /// <summary>The area under a piecewise-linear curve with non-decreasing x (numpy's <c>trapz</c>, as <c>sklearn.metrics.auc</c> uses).</summary>
    private static double Trapezoid(double[] x, double[] y)
    {
        double area = 0;
        for (int i = 1; i < x.Length; i++)
        {
            area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }

        return area;
    }
}
