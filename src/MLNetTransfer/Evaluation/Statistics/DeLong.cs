using System;

namespace MLNetTransfer.Evaluation;

/// <summary>
/// ROC AUC with DeLong's variance, and DeLong's paired test of two AUCs on the same rows, by the fast algorithm of
/// Sun and Xu.
/// </summary>
/// <remarks>
/// <para>
/// DeLong, DeLong and Clarke-Pearson, "Comparing the areas under two or more correlated receiver operating
/// characteristic curves: a nonparametric approach", Biometrics 44(3), 1988: with m positive scores Xᵢ and n negative
/// scores Yⱼ and ψ(x, y) = 1 if x &gt; y, 1/2 if x = y, 0 otherwise, the placements are V₁₀(Xᵢ) = (1/n)·Σⱼ ψ(Xᵢ, Yⱼ)
/// and V₀₁(Yⱼ) = (1/m)·Σᵢ ψ(Xᵢ, Yⱼ); the AUC is their mean, and its variance is S₁₀/m + S₀₁/n with S₁₀, S₀₁ the
/// sample variances (divisor m − 1, n − 1) of the placements. For two scores on the same rows the covariance of the
/// two AUCs is formed the same way, so Var(AUC_A − AUC_B) = S₁₀(V_A − V_B)/m + S₀₁(V_A − V_B)/n.
/// </para>
/// <para>
/// Sun and Xu, "Fast implementation of DeLong's algorithm for comparing the areas under correlated receiver operating
/// characteristic curves", IEEE Signal Processing Letters 21(11), 2014: the placements follow from midranks (the mean
/// rank of a group of ties) of the positives alone (Tₓ), of the negatives alone (T_y) and of all rows (T_z):
/// V₁₀(Xᵢ) = (T_z(Xᵢ) − Tₓ(Xᵢ))/n and V₀₁(Yⱼ) = 1 − (T_z(Yⱼ) − T_y(Yⱼ))/m, three sorts, O(N log N) instead of the
/// definition's O(m·n). The tests compare it with the definition computed pair by pair in numpy.
/// </para>
/// <para>
/// Undefined cases give NaN and a reason instead of throwing: a class absent (no AUC), one row of a class (no sample
/// variance), or a zero variance of the difference (no z statistic).
/// </para>
/// </remarks>
internal static class DeLong
{
    /// <summary>The AUC of <paramref name="scores"/> for telling positives from negatives, and its DeLong variance.</summary>
    /// <param name="scores">One finite score per row; higher means more likely positive.</param>
    /// <param name="positive">Whether each row is positive.</param>
    /// <exception cref="ArgumentException">The lengths differ, or a score is NaN or infinite.</exception>
    public static AucEstimate Auc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive)
    {
        var (m, n) = Count(scores, positive, nameof(scores));
        if (Undefined(m, n) is { } reason)
        {
            return new AucEstimate(double.NaN, double.NaN, m, n, reason);
        }

        var v10 = new double[m];
        var v01 = new double[n];
        double auc = Placements(scores, positive, v10, v01);
        if (VarianceUndefined(m, n) is { } varianceReason)
        {
            return new AucEstimate(auc, double.NaN, m, n, varianceReason);
        }

        return new AucEstimate(auc, SampleVariance(v10) / m + SampleVariance(v01) / n, m, n, null);
    }

    /// <summary>DeLong's test of AUC(<paramref name="a"/>) = AUC(<paramref name="b"/>) on the same rows.</summary>
    /// <param name="a">The first model's score of each row.</param>
    /// <param name="b">The second model's score of the same rows.</param>
    /// <param name="positive">Whether each row is positive.</param>
    /// <exception cref="ArgumentException">The lengths differ, or a score is NaN or infinite.</exception>
    public static PairedAucTest Paired(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<bool> positive)
    {
        var (m, n) = Count(a, positive, nameof(a));
        Count(b, positive, nameof(b));
        if (Undefined(m, n) is { } reason)
        {
            return new PairedAucTest(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, m, n, reason);
        }

        var v10 = new double[m];
        var v01 = new double[n];
        var w10 = new double[m];
        var w01 = new double[n];
        double aucA = Placements(a, positive, v10, v01);
        double aucB = Placements(b, positive, w10, w01);
        double delta = aucA - aucB;
        if (VarianceUndefined(m, n) is { } varianceReason)
        {
            return new PairedAucTest(aucA, aucB, delta, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, m, n, varianceReason);
        }

        // The variance of the difference of the placements is [1, −1]·S·[1, −1]ᵀ of their 2×2 covariance S.
        for (int i = 0; i < m; i++)
        {
            v10[i] -= w10[i];
        }

        for (int j = 0; j < n; j++)
        {
            v01[j] -= w01[j];
        }

        double variance = SampleVariance(v10) / m + SampleVariance(v01) / n;
        if (!(variance > 0))
        {
            return new PairedAucTest(aucA, aucB, delta, variance, double.NaN, double.NaN, double.NaN, double.NaN, m, n,
                "the DeLong variance of the AUC difference is 0 (the two scores rank the rows alike against the other class): no z statistic");
        }

        double sd = Math.Sqrt(variance);
        double z = delta / sd;
        double half = NormalDistribution.Z95 * sd;
        return new PairedAucTest(aucA, aucB, delta, variance, z, NormalDistribution.TwoSidedPValue(z),
            Math.Max(-1, delta - half), Math.Min(1, delta + half), m, n, null);
    }

    /// <summary>The sample variance (divisor k − 1) of <paramref name="values"/>, two-pass.</summary>
    internal static double SampleVariance(ReadOnlySpan<double> values)
    {
        double mean = 0;
        foreach (double v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        double sum = 0;
        foreach (double v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return sum / (values.Length - 1);
    }

    /// <summary>
    /// Fills the placements of the positives (<paramref name="v10"/>, in row order) and of the negatives
    /// (<paramref name="v01"/>) from midranks (Sun and Xu, section III) and returns the AUC.
    /// </summary>
    private static double Placements(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive, Span<double> v10, Span<double> v01)
    {
        int m = v10.Length;
        int n = v01.Length;
        var all = new double[m + n];
        var x = new double[m];
        var y = new double[n];
        for (int i = 0, px = 0, py = 0; i < scores.Length; i++)
        {
            if (positive[i])
            {
                x[px++] = scores[i];
            }
            else
            {
                y[py++] = scores[i];
            }
        }

        x.CopyTo(all, 0);
        y.CopyTo(all, m);
        var keys = new double[m + n];
        var order = new int[m + n];
        var ranksAll = new double[m + n];
        var ranksX = new double[m];
        var ranksY = new double[n];
        Midranks(all, ranksAll, keys, order);
        Midranks(x, ranksX, keys, order);
        Midranks(y, ranksY, keys, order);

        // Σ of the positives' midranks in all rows is a multiple of 1/2 well inside double's exact range, so the AUC is
        // one rounding from exact, as scikit-learn's.
        double rankSum = 0;
        for (int i = 0; i < m; i++)
        {
            rankSum += ranksAll[i];
            v10[i] = (ranksAll[i] - ranksX[i]) / n;
        }

        for (int j = 0; j < n; j++)
        {
            v01[j] = 1 - (ranksAll[m + j] - ranksY[j]) / m;
        }

        return (rankSum - m * (m + 1.0) / 2) / ((double)m * n);
    }

    /// <summary>
    /// The 1-based midrank of each value: tied values share the mean of the ranks they span. <paramref name="keys"/> and
    /// <paramref name="order"/> are work space of at least the values' length.
    /// </summary>
    internal static void Midranks(ReadOnlySpan<double> values, Span<double> ranks, double[] keys, int[] order)
    {
        int k = values.Length;
        values.CopyTo(keys);
        for (int i = 0; i < k; i++)
        {
            order[i] = i;
        }

        Array.Sort(keys, order, 0, k);
        int start = 0;
        while (start < k)
        {
            int end = start + 1;
            while (end < k && keys[end] == keys[start])
            {
                end++;
            }

            // Ranks start + 1 … end, whose mean is (start + 1 + end) / 2.
            double midrank = (start + 1 + end) / 2.0;
            for (int t = start; t < end; t++)
            {
                ranks[order[t]] = midrank;
            }

            start = end;
        }
    }

    private static (int Positives, int Negatives) Count(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive, string paramName)
    {
        if (scores.Length != positive.Length)
        {
            throw new ArgumentException($"Got {scores.Length} scores but {positive.Length} labels; need one label per score.", paramName);
        }

        int m = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"Score at index {i} is {scores[i]}; scores must be finite.", paramName);
            }

            m += positive[i] ? 1 : 0;
        }

        return (m, scores.Length - m);
    }

    private static string? Undefined(int positives, int negatives) => (positives, negatives) switch
    {
        (0, 0) => "no rows",
        (0, _) => "no positive rows: the AUC is undefined",
        (_, 0) => "no negative rows: the AUC is undefined",
        _ => null,
    };

    private static string? VarianceUndefined(int positives, int negatives) =>
        positives < 2 || negatives < 2
            ? $"{positives} positive and {negatives} negative rows: DeLong's variance needs at least two of each"
            : null;
}
