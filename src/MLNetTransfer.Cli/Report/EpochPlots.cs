using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace MLNetTransfer.Cli.Report;

/// <summary>The per-epoch plots of a training run: loss (train and validation) and validation AUC and accuracy.</summary>
/// <remarks>
/// A NaN value (no validation set, or an AUC undefined that epoch) leaves a gap in its line rather than a point
/// (<see cref="PlotStyle.AddLine"/>); a series that is NaN throughout is not drawn at all. Markers show every epoch, so a
/// one-epoch run still draws something.
/// </remarks>
internal static class EpochPlots
{
    /// <summary>Train and validation loss per epoch, the best epoch marked.</summary>
    public static Plot Loss(IReadOnlyList<EpochMetrics> epochs, int bestEpoch)
    {
        Plot plot = PlotStyle.NewPlot("Loss per epoch", null, Alignment.UpperRight);
        AddEpochAxis(plot, epochs);
        PlotStyle.Label(plot.Axes.Left, "Loss");
        plot.Axes.Left.TickGenerator = PlotStyle.AutomaticTicks();
        AddSeries(plot, epochs, "Train loss", PlotStyle.Palette[0], e => e.TrainLoss);
        AddSeries(plot, epochs, "Validation loss", PlotStyle.Palette[1], e => e.ValidationLoss);
        var losses = epochs.SelectMany(e => new[] { e.TrainLoss, e.ValidationLoss }).Where(double.IsFinite).ToList();
        if (losses.Count > 0)
        {
            // 5% of the range (or of the value, for a flat line) above and below.
            double low = losses.Min(), high = losses.Max();
            double pad = high > low ? 0.05 * (high - low) : Math.Max(0.05 * Math.Abs(high), 0.05);
            plot.Axes.SetLimitsY(low - pad, high + pad);
        }

        AddBestMarker(plot, bestEpoch);
        return plot;
    }

    /// <summary>Validation AUC and accuracy per epoch on a fixed 0–1 scale, the best epoch marked.</summary>
    public static Plot AucAndAccuracy(IReadOnlyList<EpochMetrics> epochs, int bestEpoch)
    {
        Plot plot = PlotStyle.NewPlot("Validation AUC and accuracy per epoch", null, Alignment.LowerRight);
        AddEpochAxis(plot, epochs);

        // Fixed, so runs compare by eye and an all-NaN series cannot leave the axis without a range.
        PlotStyle.Label(plot.Axes.Left, "Validation metric");
        plot.Axes.Left.TickGenerator = PlotStyle.Ticks(0, 1, 0.1, 0.05, "0.0");
        plot.Axes.SetLimitsY(0, 1.02);
        AddSeries(plot, epochs, "Validation AUC", PlotStyle.Palette[2], e => e.ValidationAuc);
        AddSeries(plot, epochs, "Validation accuracy", PlotStyle.Palette[4], e => e.ValidationAccuracy);
        AddBestMarker(plot, bestEpoch);
        return plot;
    }

    private static void AddEpochAxis(Plot plot, IReadOnlyList<EpochMetrics> epochs)
    {
        int first = epochs.Count == 0 ? 1 : epochs[0].Epoch;
        int last = epochs.Count == 0 ? 1 : epochs[^1].Epoch;
        PlotStyle.Label(plot.Axes.Bottom, "Epoch");

        // Epochs are whole numbers: no 1.5 ticks on short runs, no ticks between epochs; at most about 15 labels.
        int step = Math.Max(1, (int)Math.Ceiling((last - first + 1) / 15.0));
        plot.Axes.Bottom.TickGenerator = PlotStyle.Ticks(first, last, step, 1, "0");
        plot.Axes.SetLimitsX(first - 0.5, last + 0.5);
    }

    private static void AddSeries(Plot plot, IReadOnlyList<EpochMetrics> epochs, string title, Color color, Func<EpochMetrics, double> value) =>
        PlotStyle.AddLine(plot, epochs.Select(e => (double)e.Epoch).ToArray(), epochs.Select(value).ToArray(), title, color, 2.5f, LinePattern.Solid, 8);

    private static void AddBestMarker(Plot plot, int bestEpoch)
    {
        if (bestEpoch <= 0)
        {
            return;
        }

        // A vertical line across the plot, named in the legend rather than by text on the line, where it would cross the
        // curves it marks.
        var line = plot.Add.VerticalLine(bestEpoch, 1.5f, PlotStyle.Reference, LinePattern.Dashed);
        line.LegendText = string.Create(CultureInfo.InvariantCulture, $"best (epoch {bestEpoch})");
    }
}
