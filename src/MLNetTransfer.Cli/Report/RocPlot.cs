using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace MLNetTransfer.Cli.Report;

/// <summary>ROC curves with their area in the legend and the chance diagonal.</summary>
internal static class RocPlot
{
    /// <summary>The plot of <paramref name="curves"/>; the subtitle says which rows were scored.</summary>
    public static PlotModel Create(RocCurveSet curves, string evaluatedOn)
    {
        PlotModel model = PlotStyle.NewModel("ROC curve" + (curves.Curves.Count == 1 ? "" : "s"), LegendPosition.BottomRight);
        model.Subtitle = evaluatedOn.Length == 0 ? null : evaluatedOn;
        model.PlotType = PlotType.Cartesian; // equal scales: the diagonal at 45°
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "False positive rate (1 − specificity)", Minimum = -0.01, Maximum = 1.01, MajorStep = 0.2, MinorStep = 0.1, StringFormat = "0.0", MajorGridlineStyle = LineStyle.Dot });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "True positive rate (sensitivity)", Minimum = -0.01, Maximum = 1.01, MajorStep = 0.2, MinorStep = 0.1, StringFormat = "0.0", MajorGridlineStyle = LineStyle.Dot });

        var chance = new LineSeries { Title = "chance (AUC 0.5)", Color = PlotStyle.Reference, LineStyle = LineStyle.Dash, StrokeThickness = 1.2 };
        chance.Points.Add(new DataPoint(0, 0));
        chance.Points.Add(new DataPoint(1, 1));
        model.Series.Add(chance);

        for (int k = 0; k < curves.Curves.Count; k++)
        {
            (string name, RocCurve curve) = curves.Curves[k];
            var series = new LineSeries
            {
                Title = string.Create(CultureInfo.InvariantCulture, $"{name} (AUC {curve.AreaUnderCurve:0.000})"),
                Color = PlotStyle.Palette[k % PlotStyle.Palette.Length],
                StrokeThickness = 2.5,
            };
            for (int i = 0; i < curve.FalsePositiveRates.Count; i++)
            {
                series.Points.Add(new DataPoint(curve.FalsePositiveRates[i], curve.TruePositiveRates[i]));
            }

            model.Series.Add(series);
        }

        return model;
    }
}
