using System;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Evaluation;

/// <summary>
/// Temperature scaling: the one parameter T &gt; 0 that divides a model's logits before the softmax (or before each
/// label's sigmoid) so that the validation negative log-likelihood is least.
/// </summary>
/// <remarks>
/// <para>
/// Guo, Pleiss, Sun and Weinberger, "On Calibration of Modern Neural Networks", ICML 2017, section 4.2: T is fitted on
/// the validation set by minimising the NLL of softmax(z/T); it leaves the argmax, and so the accuracy, unchanged. For
/// a multi-label model each label's sigmoid gets its own T, fitted on that label's known targets (missing targets, NaN,
/// left out).
/// </para>
/// <para>
/// The NLL is convex in s = 1/T: for softmax it is the mean of logsumexp(s·z) − s·z_y, a log-sum-exp of linear
/// functions of s minus a linear one, and for a sigmoid it is the mean of softplus(s·z) − y·s·z. So its minimiser is
/// the root of dNLL/ds, which is found by Newton's method on s, safeguarded by bisection of a bracket that starts as
/// the allowed range T ∈ [0.05, 20], until |dNLL/d log T| = s·|dNLL/ds| ≤ 1e-12 or the bracket is a few units in the
/// last place wide. When the minimum lies outside the range, the nearer bound is returned. Natural logarithms (nats).
/// The tests compare with scipy.optimize.minimize_scalar (bounded Brent on T).
/// </para>
/// </remarks>
internal static class TemperatureScaling
{
    /// <summary>The lowest temperature returned.</summary>
    public const double MinTemperature = 0.05;

    /// <summary>The highest temperature returned.</summary>
    public const double MaxTemperature = 20;

    private const double GradientTolerance = 1e-12;
    private const int MaxIterations = 200;

    /// <summary>The temperature of a single-label model's softmax.</summary>
    /// <param name="logits">Row-major [n, <paramref name="classes"/>] logits (before the softmax); finite.</param>
    /// <param name="labels">The class of each row, in [0, classes).</param>
    /// <param name="classes">Classes (columns), at least 2.</param>
    /// <returns>T in [<see cref="MinTemperature"/>, <see cref="MaxTemperature"/>]; 1 when there are no rows.</returns>
    /// <exception cref="ArgumentException">The shapes disagree or a logit is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes), or classes &lt; 2.</exception>
    public static double Fit(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        var (z, y) = SingleLabel(logits, labels, classes);
        return y.Length == 0 ? 1 : 1 / SolveScale(s => SoftmaxDerivatives(z, y, classes, s));
    }

    /// <summary>The temperature of each label's sigmoid of a multi-label model, each fitted on its known targets.</summary>
    /// <param name="logits">Row-major [n, <paramref name="labels"/>] logits (before the sigmoid); finite.</param>
    /// <param name="targets">Row-major [n, labels]: 1, 0, or NaN (missing, left out). Map uncertain (-1) targets first.</param>
    /// <param name="labels">Labels (columns).</param>
    /// <returns>One T per label in [<see cref="MinTemperature"/>, <see cref="MaxTemperature"/>]; 1 for a label with no known target.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, a logit is not finite, or a target is not 0, 1 or NaN.</exception>
    public static double[] Fit(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(labels);
        var temperatures = new double[labels];
        for (int j = 0; j < labels; j++)
        {
            var (z, y) = Label(logits, targets, labels, j);
            temperatures[j] = y.Length == 0 ? 1 : 1 / SolveScale(s => SigmoidDerivatives(z, y, s));
        }

        return temperatures;
    }

    /// <summary>The mean NLL (nats) of softmax(z / <paramref name="temperature"/>) at the labels; NaN when there are no rows.</summary>
    /// <exception cref="ArgumentException">The shapes disagree or a logit is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes), classes &lt; 2, or the temperature is not positive.</exception>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, double temperature)
    {
        RequireTemperature(temperature);
        var (z, y) = SingleLabel(logits, labels, classes);
        double s = 1 / temperature;
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            var row = z.AsSpan(i * classes, classes);
            double max = double.NegativeInfinity;
            foreach (double v in row)
            {
                max = Math.Max(max, s * v);
            }

            double exps = 0;
            foreach (double v in row)
            {
                exps += Math.Exp(s * v - max);
            }

            sum += max + Math.Log(exps) - s * row[y[i]];
        }

        return sum / y.Length;
    }

    /// <summary>
    /// The mean NLL (nats) of sigmoid(z / <paramref name="temperature"/>) of label <paramref name="label"/> over its known
    /// targets; NaN when it has none.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes disagree, a logit is not finite, or a target is not 0, 1 or NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The label index is out of range or the temperature is not positive.</exception>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int labels, int label, double temperature)
    {
        RequireTemperature(temperature);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, labels);
        var (z, y) = Label(logits, targets, labels, label);
        double s = 1 / temperature;
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double a = s * z[i];
            sum += Softplus(a) - (y[i] ? a : 0);
        }

        return sum / z.Length;
    }

    /// <summary>
    /// The root in [1/<see cref="MaxTemperature"/>, 1/<see cref="MinTemperature"/>] of the nondecreasing dNLL/ds (or
    /// the bound the minimum lies beyond), by Newton steps kept inside a shrinking bisection bracket.
    /// </summary>
    private static double SolveScale(Func<double, (double Gradient, double Curvature)> derivatives)
    {
        double lo = 1 / MaxTemperature;
        double hi = 1 / MinTemperature;
        if (derivatives(lo).Gradient >= 0)
        {
            return lo;
        }

        if (derivatives(hi).Gradient <= 0)
        {
            return hi;
        }

        double s = 1;
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            var (gradient, curvature) = derivatives(s);
            if (Math.Abs(s * gradient) <= GradientTolerance)
            {
                break;
            }

            if (gradient > 0)
            {
                hi = s;
            }
            else
            {
                lo = s;
            }

            double newton = s - gradient / curvature;
            s = curvature > 0 && newton > lo && newton < hi ? newton : 0.5 * (lo + hi);
            if (hi - lo <= 1e-15 * hi)
            {
                break;
            }
        }

        return s;
    }

    // dNLL/ds = mean(E_p[z] − z_y), d²NLL/ds² = mean(Var_p[z]) with p = softmax(s·z).
    private static (double, double) SoftmaxDerivatives(double[] z, int[] y, int classes, double s)
    {
        double gradient = 0, curvature = 0;
        var p = new double[classes];
        for (int i = 0; i < y.Length; i++)
        {
            var row = z.AsSpan(i * classes, classes);
            double max = double.NegativeInfinity;
            foreach (double v in row)
            {
                max = Math.Max(max, s * v);
            }

            double total = 0;
            for (int c = 0; c < classes; c++)
            {
                p[c] = Math.Exp(s * row[c] - max);
                total += p[c];
            }

            double mean = 0;
            for (int c = 0; c < classes; c++)
            {
                p[c] /= total;
                mean += p[c] * row[c];
            }

            double variance = 0;
            for (int c = 0; c < classes; c++)
            {
                variance += p[c] * (row[c] - mean) * (row[c] - mean);
            }

            gradient += mean - row[y[i]];
            curvature += variance;
        }

        return (gradient / y.Length, curvature / y.Length);
    }

    // dNLL/ds = mean((σ(s·z) − y)·z), d²NLL/ds² = mean(σ(1 − σ)·z²).
    private static (double, double) SigmoidDerivatives(double[] z, bool[] y, double s)
    {
        double gradient = 0, curvature = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double sigma = Sigmoid(s * z[i]);
            gradient += (sigma - (y[i] ? 1 : 0)) * z[i];
            curvature += sigma * (1 - sigma) * z[i] * z[i];
        }

        return (gradient / z.Length, curvature / z.Length);
    }

    internal static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    // log(1 + eˣ) without overflow.
    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static (double[] Logits, int[] Labels) SingleLabel(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (logits.Length != labels.Length * classes)
        {
            throw new ArgumentException($"Got {logits.Length} logits for {labels.Length} labels; need {classes} per row.", nameof(logits));
        }

        var z = new double[logits.Length];
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = RequireFinite(logits[i], i);
        }

        var y = labels.ToArray();
        for (int i = 0; i < y.Length; i++)
        {
            RocAuc.RequireLabel(y[i], classes, i, nameof(labels));
        }

        return (z, y);
    }

    private static (double[] Logits, bool[] Targets) Label(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int labels, int label)
    {
        if (targets.Length != logits.Length)
        {
            throw new ArgumentException($"Got {logits.Length} logits but {targets.Length} targets; need [n, {labels}] of each.", nameof(targets));
        }

        int n = RocAuc.RowCount(logits.Length, labels, nameof(logits));
        int known = 0;
        for (int i = 0; i < n; i++)
        {
            int at = i * labels + label;
            known += RocAuc.BinaryTarget(targets[at], at, nameof(targets)) is null ? 0 : 1;
        }

        var z = new double[known];
        var y = new bool[known];
        for (int i = 0, k = 0; i < n; i++)
        {
            int at = i * labels + label;
            if (RocAuc.BinaryTarget(targets[at], at, nameof(targets)) is bool positive)
            {
                z[k] = RequireFinite(logits[at], at);
                y[k++] = positive;
            }
        }

        return (z, y);
    }

    private static double RequireFinite(float logit, int index) => float.IsFinite(logit)
        ? logit
        : throw new ArgumentException($"Logit at index {index} is {logit}; logits must be finite.", "logits");

    private static void RequireTemperature(double temperature)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "A temperature must be positive and finite.");
        }
    }
}
