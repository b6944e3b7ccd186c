using System;
using System.Collections.Generic;
using System.Globalization;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace MLNetTransfer.Cli.Report;

/// <summary>The per-epoch plots of a training run: loss (train and validation) and validation AUC and accuracy.</summary>
/// <remarks>
/// A NaN value (no validation set, or an AUC undefined that epoch) leaves a gap in its line rather than a point, as
/// OxyPlot skips invalid points; a series that is NaN throughout is not drawn at all. Markers show every epoch, so a
/// one-epoch run still draws something.
/// </remarks>
internal static class EpochPlots
{
    /// <summary>Train and validation loss per epoch, the best epoch marked.</summary>
    public static PlotModel Loss(IReadOnlyList<EpochMetrics> epochs, int bestEpoch)
    {
        PlotModel model = PlotStyle.NewModel("Loss per epoch", LegendPosition.TopRight);
        AddEpochAxis(model, epochs);
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "Loss", MajorGridlineStyle = LineStyle.Dot, MinimumPadding = 0.05, MaximumPadding = 0.05 });
        AddSeries(model, epochs, "Train loss", PlotStyle.Palette[0], e => e.TrainLoss);
        AddSeries(model, epochs, "Validation loss", PlotStyle.Palette[1], e => e.ValidationLoss);
        AddBestMarker(model, bestEpoch);
        return model;
    }

    /// <summary>Validation AUC and accuracy per epoch on a fixed 0–1 scale, the best epoch marked.</summary>
    public static PlotModel AucAndAccuracy(IReadOnlyList<EpochMetrics> epochs, int bestEpoch)
    {
        PlotModel model = PlotStyle.NewModel("Validation AUC and accuracy per epoch", LegendPosition.BottomRight);
        AddEpochAxis(model, epochs);

        // Fixed, so runs compare by eye and an all-NaN series cannot leave the axis without a range.
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "Validation metric", Minimum = 0, Maximum = 1.02, MajorStep = 0.1, MinorStep = 0.05, StringFormat = "0.0", MajorGridlineStyle = LineStyle.Dot });
        AddSeries(model, epochs, "Validation AUC", PlotStyle.Palette[2], e => e.ValidationAuc);
        AddSeries(model, epochs, "Validation accuracy", PlotStyle.Palette[4], e => e.ValidationAccuracy);
        AddBestMarker(model, bestEpoch);
        return model;
    }

    private static void AddEpochAxis(PlotModel model, IReadOnlyList<EpochMetrics> epochs)
    {
        int first = epochs.Count == 0 ? 1 : epochs[0].Epoch;
        int last = epochs.Count == 0 ? 1 : epochs[^1].Epoch;
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Title = "Epoch",
            Minimum = first - 0.5,
            Maximum = last + 0.5,
            MinimumMajorStep = 1, // epochs are whole numbers: no 1.5 ticks on short runs, no ticks between epochs
            MinimumMinorStep = 1,
            StringFormat = "0",
            MajorGridlineStyle = LineStyle.Dot,
        });
    }

    private static void AddSeries(PlotModel model, IReadOnlyList<EpochMetrics> epochs, string title, OxyColor color, Func<EpochMetrics, double> value)
    {
        var series = new LineSeries
        {
            Title = title,
            Color = color,
            StrokeThickness = 2.5,
            MarkerType = MarkerType.Circle,
            MarkerSize = 4,
            MarkerFill = color,
        };
        foreach (EpochMetrics e in epochs)
        {
            series.Points.Add(new DataPoint(e.Epoch, value(e)));
        }

        if (series.Points.Exists(p => !double.IsNaN(p.Y)))
        {
            model.Series.Add(series);
        }
    }

    private static void AddBestMarker(PlotModel model, int bestEpoch)
    {
        if (bestEpoch <= 0)
        {
            return;
        }

        model.Annotations.Add(new LineAnnotation
        {
            Type = LineAnnotationType.Vertical,
            X = bestEpoch,
            Color = PlotStyle.Reference,
            LineStyle = LineStyle.Dash,
            StrokeThickness = 1.5,
        });

        // Named in the legend, through an empty series of the same look, rather than as text on the line, where it
        // would cross the curves it marks.
        model.Series.Add(new LineSeries
        {
            Title = string.Create(CultureInfo.InvariantCulture, $"best (epoch {bestEpoch})"),
            Color = PlotStyle.Reference,
            LineStyle = LineStyle.Dash,
            StrokeThickness = 1.5,
        });
    }
}
