using System;

namespace MLNetTransfer.Evaluation;

/// <summary>
/// The standard normal distribution's tails, through the complementary error function, for the z-tests and intervals
/// of the evaluation statistics. .NET has no erf/erfc, so it is computed here.
/// </summary>
/// <remarks>
/// erfc(x) = Q(1/2, x²), the regularised upper incomplete gamma function, evaluated as in Press, Teukolsky, Vetterling
/// and Flannery, "Numerical Recipes", 3rd ed. (2007), section 6.2: its power series for x² &lt; 3/2 and its continued
/// fraction (modified Lentz method) otherwise. Both run until a step changes the result by less than the machine epsilon, so the result is accurate to a
/// few units in the last place (the tests compare with scipy.special.erfc to 1e-13 relative). For x &gt; 27 the result
/// underflows to 0.
/// </remarks>
internal static class NormalDistribution
{
    /// <summary>Φ⁻¹(0.975): the two-sided 95% normal quantile (scipy.stats.norm.ppf(0.975)).</summary>
    public const double Z95 = 1.959963984540054;

    // The machine epsilon of double, as Numerical Recipes' EPS.
    private const double Epsilon = 2.220446049250313e-16;
    private const double Tiny = 1e-300;
    private const int MaxTerms = 10_000;
    private static readonly double _sqrtPi = Math.Sqrt(Math.PI);

    /// <summary>Φ(x), the probability that a standard normal variable is at most <paramref name="x"/>.</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>2·(1 − Φ(|z|)): the two-sided p-value of a z statistic, without the cancellation of 1 − Φ.</summary>
    public static double TwoSidedPValue(double z) => double.IsNaN(z) ? double.NaN : Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>The complementary error function, 1 − erf(x).</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x < 0)
        {
            return 2 - Erfc(-x);
        }

        double x2 = x * x;
        return x2 < 1.5 ? 1 - ErfSeries(x, x2) : ErfcContinuedFraction(x, x2);
    }

    // erf(x) = (2/√π)·e^(−x²)·Σₙ (2x²)ⁿ·x / (1·3·…·(2n+1)): every term positive, so nothing cancels (NR 6.2.5 at a = 1/2).
    private static double ErfSeries(double x, double x2)
    {
        double term = x;
        double sum = x;
        for (int n = 1; n < MaxTerms; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * Epsilon)
            {
                break;
            }
        }

        return 2 / _sqrtPi * Math.Exp(-x2) * sum;
    }

    // Γ(1/2, x²)/Γ(1/2) by the even part of its continued fraction (NR 6.2.7), evaluated by the modified Lentz method.
    private static double ErfcContinuedFraction(double x, double x2)
    {
        const double a = 0.5;
        double b = x2 + 1 - a;
        double c = 1 / Tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MaxTerms; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < Tiny)
            {
                d = Tiny;
            }

            c = b + an / c;
            if (Math.Abs(c) < Tiny)
            {
                c = Tiny;
            }

            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        // e^(−x²)·(x²)^(1/2)/Γ(1/2) = e^(−x²)·x/√π.
        return Math.Exp(-x2) * x / _sqrtPi * h;
    }
}
