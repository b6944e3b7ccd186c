using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The reliability diagram (Guo et al., ICML 2017, figure 1): per bin of predicted confidence, the observed frequency
/// against the bin's mean confidence, with the diagonal of perfect calibration. Drawn from the library's bins
/// (<c>DiagnosticMetrics.ReliabilityBins</c>), the same ones its expected calibration error sums over.
/// </summary>
internal static class ReliabilityPlot
{
    public static PlotModel Create(IReadOnlyList<ReliabilityBin> bins, double ece, string evaluatedOn)
    {
        PlotModel model = PlotStyle.NewModel("Reliability diagram", LegendPosition.TopLeft);
        model.Subtitle = string.Create(CultureInfo.InvariantCulture, $"{evaluatedOn}{(evaluatedOn.Length == 0 ? "" : "; ")}ECE {ece:0.0000} (15 bins)");
        model.PlotType = PlotType.Cartesian;
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "Predicted probability, bin mean (single-label: the top class's)", Minimum = -0.01, Maximum = 1.01, MajorStep = 0.2, MinorStep = 0.1, StringFormat = "0.0", MajorGridlineStyle = LineStyle.Dot });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "Observed frequency", Minimum = -0.01, Maximum = 1.01, MajorStep = 0.2, MinorStep = 0.1, StringFormat = "0.0", MajorGridlineStyle = LineStyle.Dot });

        var perfect = new LineSeries { Title = "perfectly calibrated", Color = PlotStyle.Reference, LineStyle = LineStyle.Dash, StrokeThickness = 1.2 };
        perfect.Points.Add(new DataPoint(0, 0));
        perfect.Points.Add(new DataPoint(1, 1));
        model.Series.Add(perfect);

        var observed = new LineSeries
        {
            Title = "model (bins with images)",
            Color = PlotStyle.Palette[0],
            StrokeThickness = 2,
            MarkerType = MarkerType.Circle,
            MarkerFill = PlotStyle.Palette[0],
        };
        foreach (var bin in bins.Where(b => b.Count > 0))
        {
            observed.Points.Add(new DataPoint(bin.MeanConfidence, bin.Observed));
        }

        model.Series.Add(observed);
        return model;
    }
}
