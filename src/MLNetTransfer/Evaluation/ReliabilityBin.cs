using System.Globalization;

namespace MLNetTransfer;

/// <summary>
/// One of the 15 equal-width confidence bins of a reliability diagram and of the expected calibration error
/// (<see cref="DiagnosticMetrics.ReliabilityBins"/>): the rows whose confidence falls in (<see cref="Lower"/>,
/// <see cref="Upper"/>] (the first bin also takes 0), how confident the model was on them and how often it was right.
/// </summary>
/// <remarks>
/// A calibrated model has <see cref="Observed"/> ≈ <see cref="MeanConfidence"/> in every bin (Guo, Pleiss, Sun and
/// Weinberger, "On Calibration of Modern Neural Networks", ICML 2017, section 2).
/// </remarks>
public sealed class ReliabilityBin
{
    internal ReliabilityBin(double lower, double upper, int count, double meanConfidence, double observed)
    {
        Lower = lower;
        Upper = upper;
        Count = count;
        MeanConfidence = meanConfidence;
        Observed = observed;
    }

    /// <summary>The bin's lower edge (excluded, except 0 for the first bin).</summary>
    public double Lower { get; }

    /// <summary>The bin's upper edge (included).</summary>
    public double Upper { get; }

    /// <summary>
    /// The predictions that fall in the bin: rows for a single-label model, known (row, label) targets for a multi-label
    /// one.
    /// </summary>
    public int Count { get; }

    /// <summary>The mean confidence of the predictions in the bin; NaN when it is empty.</summary>
    public double MeanConfidence { get; }

    /// <summary>
    /// Single-label: the share of the bin's rows whose most probable class is the label (accuracy). Multi-label: the
    /// share of the bin's targets that are positive (frequency). NaN when the bin is empty.
    /// </summary>
    public double Observed { get; }

    /// <summary>The bin as "(lower, upper]: count, confidence, observed".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"({Lower:0.###}, {Upper:0.###}]: {Count}, confidence {MeanConfidence:0.####}, observed {Observed:0.####}");
}
