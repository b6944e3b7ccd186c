using System.Globalization;

namespace MLNetTransfer;

/// <summary>A two-sided confidence interval of an estimate: [<see cref="Lower"/>, <see cref="Upper"/>] at <see cref="Level"/>.</summary>
/// <remarks>Both ends are NaN where the interval is undefined (the estimate is, or its variance is).</remarks>
public sealed class ConfidenceInterval
{
    internal ConfidenceInterval(double lower, double upper, double level = 0.95)
    {
        Lower = lower;
        Upper = upper;
        Level = level;
    }

    internal ConfidenceInterval((double Lower, double Upper) interval, double level = 0.95)
        : this(interval.Lower, interval.Upper, level)
    {
    }

    /// <summary>The lower end.</summary>
    public double Lower { get; }

    /// <summary>The upper end.</summary>
    public double Upper { get; }

    /// <summary>The nominal coverage: 0.95 for every interval the evaluators report.</summary>
    public double Level { get; }

    /// <summary>Whether both ends are numbers.</summary>
    public bool IsDefined => !double.IsNaN(Lower) && !double.IsNaN(Upper);

    /// <summary>"[lower, upper]" with four decimals, culture-invariant (e.g. "[0.8123, 0.9011]"; "[NaN, NaN]" when undefined).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Lower:0.0000}, {Upper:0.0000}]");
}
