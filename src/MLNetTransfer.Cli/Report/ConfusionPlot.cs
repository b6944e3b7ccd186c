using System;
using System.Collections.Generic;
using System.Globalization;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The confusion plot: a grid of cells holding counts, shaded by the count's share of its row of truth (rows = truth,
/// top to bottom; columns = predicted), with the share printed under the count.
/// </summary>
/// <remarks>
/// Drawn as one rectangle annotation per cell on category axes rather than as a heat map, so every cell has exactly
/// its own colour and text with no bitmap interpolation. Multi-label tasks get one row per label with the columns TN,
/// FP, FN, TP (see <see cref="ConfusionTable"/>).
/// </remarks>
internal static class ConfusionPlot
{
    /// <summary>The colour of a cell whose row share is 1 (the first palette colour); 0 is white.</summary>
    public static readonly OxyColor Full = PlotStyle.Palette[0];

    /// <summary>The pixel size of the plot for <paramref name="rows"/> truth rows and <paramref name="columns"/> columns.</summary>
    public static (int Width, int Height) Size(int rows, int columns, bool perLabel) => perLabel
        ? (760, Math.Max(320, 170 + (48 * rows)))
        : (Math.Clamp(300 + (90 * columns), 560, 1600), Math.Clamp(240 + (90 * rows), 500, 1600));

    /// <summary>The plot of <paramref name="table"/>'s counts; the subtitle says which rows were scored.</summary>
    public static PlotModel Create(ConfusionTable table, string evaluatedOn)
    {
        bool perLabel = table.PerLabel;
        int[,] counts = table.Counts;
        double[,] shares = table.RowFractions();
        IReadOnlyList<string> rowNames = table.RowNames;
        IReadOnlyList<string> columnNames = table.ColumnNames;

        string title = perLabel
            ? float.IsNaN(table.Threshold!.Value) ? "Confusion per label at each label's threshold"
            : string.Create(CultureInfo.InvariantCulture, $"Confusion per label at threshold {table.Threshold:0.###}")
            : "Confusion matrix";
        PlotModel model = PlotStyle.NewModel(title, LegendPosition.TopRight);
        model.IsLegendVisible = false;
        model.Subtitle = perLabel
            ? Join(evaluatedOn, "shade: TN, FP share of negatives; FN, TP share of positives")
            : Join(evaluatedOn, "shade: share of the true class's row");

        model.Axes.Add(CategoryAxis(AxisPosition.Bottom, perLabel ? "Outcome" : "Predicted", columnNames, reversed: false));
        model.Axes.Add(CategoryAxis(AxisPosition.Left, perLabel ? "Label" : "True", rowNames, reversed: true));

        for (int r = 0; r < counts.GetLength(0); r++)
        {
            for (int c = 0; c < counts.GetLength(1); c++)
            {
                double share = shares[r, c];
                model.Annotations.Add(new RectangleAnnotation
                {
                    MinimumX = c - 0.5,
                    MaximumX = c + 0.5,
                    MinimumY = r - 0.5,
                    MaximumY = r + 0.5,
                    Fill = Shade(share),
                    Stroke = OxyColors.White,
                    StrokeThickness = 1,
                    Text = string.Create(CultureInfo.InvariantCulture, $"{counts[r, c]} ({share:0%})"),
                    TextColor = share > 0.5 ? OxyColors.White : OxyColors.Black,
                });
            }
        }

        return model;
    }

    /// <summary>White at 0, <see cref="Full"/> at 1, linear between.</summary>
    public static OxyColor Shade(double share) => OxyColor.Interpolate(OxyColors.White, Full, Math.Clamp(share, 0, 1));

    private static CategoryAxis CategoryAxis(AxisPosition position, string title, IReadOnlyList<string> names, bool reversed)
    {
        var axis = new CategoryAxis
        {
            Position = position,
            Title = title,
            Minimum = -0.5,
            Maximum = names.Count - 0.5,
            IsPanEnabled = false,
            IsZoomEnabled = false,
            MajorTickSize = 0,
            GapWidth = 0,
        };

        // Rows run top to bottom in class order, as in scikit-learn's ConfusionMatrixDisplay.
        if (reversed)
        {
            axis.StartPosition = 1;
            axis.EndPosition = 0;
        }

        if (position == AxisPosition.Bottom && names.Count > 6)
        {
            axis.Angle = -35; // many class names would overlap side by side
        }

        axis.Labels.AddRange(names);
        return axis;
    }

    private static string? Join(string evaluatedOn, string note) => evaluatedOn.Length == 0 ? note : $"{evaluatedOn}; {note}";
}
