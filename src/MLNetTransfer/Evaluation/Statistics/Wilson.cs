using System;

namespace MLNetTransfer.Evaluation;

/// <summary>The Wilson score interval of a binomial proportion.</summary>
/// <remarks>
/// Wilson, "Probable inference, the law of succession, and statistical inference", JASA 22(158), 1927, without
/// continuity correction, in the closed form of Newcombe, "Two-sided confidence intervals for the single proportion:
/// comparison of seven methods", Statistics in Medicine 17(8), 1998 (method 3): with p = k/n,
/// centre = (2np + z²) / (2(n + z²)) and half-width = z·√(z² + 4np(1 − p)) / (2(n + z²)). The lower end is exactly 0
/// when k = 0 and the upper end exactly 1 when k = n, as in scipy's
/// <c>binomtest(k, n).proportion_ci(method="wilson")</c>, which the tests compare with.
/// </remarks>
internal static class Wilson
{
    /// <summary>The 95% Wilson interval of <paramref name="successes"/> out of <paramref name="trials"/>; NaN, NaN when there are no trials.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or successes exceed trials.</exception>
    public static (double Lower, double Upper) Interval95(int successes, int trials) => Interval(successes, trials, NormalDistribution.Z95);

    /// <summary>The Wilson interval for the two-sided normal quantile <paramref name="z"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or successes exceed trials.</exception>
    public static (double Lower, double Upper) Interval(int successes, int trials, double z)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (trials == 0)
        {
            return (double.NaN, double.NaN);
        }

        double n = trials;
        double p = successes / n;
        double denominator = 2 * (n + z * z);
        double centre = (2 * n * p + z * z) / denominator;
        double half = z / denominator * Math.Sqrt(4 * n * p * (1 - p) + z * z);
        return (successes == 0 ? 0 : centre - half, successes == trials ? 1 : centre + half);
    }
}
