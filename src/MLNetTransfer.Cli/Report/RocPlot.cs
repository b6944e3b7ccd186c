using System.Globalization;
using System.Linq;
using ScottPlot;

namespace MLNetTransfer.Cli.Report;

/// <summary>ROC curves with their area in the legend and the chance diagonal.</summary>
internal static class RocPlot
{
    /// <summary>The plot of <paramref name="curves"/>; the subtitle says which rows were scored.</summary>
    public static Plot Create(RocCurveSet curves, string evaluatedOn)
    {
        Plot plot = PlotStyle.NewPlot("ROC curve" + (curves.Curves.Count == 1 ? "" : "s"), evaluatedOn, Alignment.LowerRight);
        UnitSquare(plot, "False positive rate (1 − specificity)", "True positive rate (sensitivity)");
        PlotStyle.AddLine(plot, [0, 1], [0, 1], "chance (AUC 0.5)", PlotStyle.Reference, 1.2f, LinePattern.Dashed, 0);

        for (int k = 0; k < curves.Curves.Count; k++)
        {
            (string name, RocCurve curve) = curves.Curves[k];
            PlotStyle.AddLine(plot, curve.FalsePositiveRates.ToArray(), curve.TruePositiveRates.ToArray(),
                string.Create(CultureInfo.InvariantCulture, $"{name} (AUC {curve.AreaUnderCurve:0.000})"),
                PlotStyle.Palette[k % PlotStyle.Palette.Length], 2.5f, LinePattern.Solid, 0);
        }

        return plot;
    }

    /// <summary>Both axes 0–1 with ticks every 0.2, and equal scales so the diagonal is at 45° (shared with the reliability diagram).</summary>
    public static void UnitSquare(Plot plot, string xTitle, string yTitle)
    {
        PlotStyle.Label(plot.Axes.Bottom, xTitle);
        PlotStyle.Label(plot.Axes.Left, yTitle);
        plot.Axes.Bottom.TickGenerator = PlotStyle.Ticks(0, 1, 0.2, 0.1, "0.0");
        plot.Axes.Left.TickGenerator = PlotStyle.Ticks(0, 1, 0.2, 0.1, "0.0");
        plot.Axes.SetLimits(-0.01, 1.01, -0.01, 1.01);
        plot.Axes.SquareUnits();
    }
}
