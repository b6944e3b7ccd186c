using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The reliability diagram (Guo et al., ICML 2017, figure 1): per bin of predicted confidence, the observed frequency
/// against the bin's mean confidence, with the diagonal of perfect calibration. Drawn from the library's bins
/// (<c>DiagnosticMetrics.ReliabilityBins</c>), the same ones its expected calibration error sums over.
/// </summary>
internal static class ReliabilityPlot
{
    public static Plot Create(IReadOnlyList<ReliabilityBin> bins, double ece, string evaluatedOn)
    {
        string subtitle = string.Create(CultureInfo.InvariantCulture, $"{evaluatedOn}{(evaluatedOn.Length == 0 ? "" : "; ")}ECE {ece:0.0000} (15 bins)");
        Plot plot = PlotStyle.NewPlot("Reliability diagram", subtitle, Alignment.UpperLeft);
        RocPlot.UnitSquare(plot, "Predicted probability, bin mean (single-label: the top class's)", "Observed frequency");
        PlotStyle.AddLine(plot, [0, 1], [0, 1], "perfectly calibrated", PlotStyle.Reference, 1.2f, LinePattern.Dashed, 0);

        var filled = bins.Where(b => b.Count > 0).ToList();
        PlotStyle.AddLine(plot, filled.Select(b => b.MeanConfidence).ToArray(), filled.Select(b => b.Observed).ToArray(),
            "model (bins with images)", PlotStyle.Palette[0], 2, LinePattern.Solid, 7);
        return plot;
    }
}
