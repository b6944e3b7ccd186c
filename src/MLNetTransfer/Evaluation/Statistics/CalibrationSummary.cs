using System.Collections.Generic;

namespace MLNetTransfer.Evaluation;

/// <summary>What <see cref="CalibrationError"/> computes.</summary>
/// <param name="Ece">The expected calibration error; NaN when there is nothing to bin.</param>
/// <param name="PerLabel">Multi-label: each label's own ECE (NaN where it has no known target); single-label: empty.</param>
/// <param name="Bins">The 15 bins of the reliability diagram, lowest first.</param>
internal sealed record CalibrationSummary(double Ece, IReadOnlyList<double> PerLabel, IReadOnlyList<ReliabilityBin> Bins);
