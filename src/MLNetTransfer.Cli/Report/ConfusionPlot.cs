using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The confusion plot: a grid of cells holding counts, shaded by the count's share of its row of truth (rows = truth,
/// top to bottom; columns = predicted), with the share printed under the count.
/// </summary>
/// <remarks>
/// Drawn as one rectangle and one text per cell with category ticks rather than as a heat map, so every cell has exactly
/// its own colour and text with no bitmap interpolation. Multi-label tasks get one row per label with the columns TN,
/// FP, FN, TP (see <see cref="ConfusionTable"/>).
/// </remarks>
internal static class ConfusionPlot
{
    /// <summary>The colour of a cell whose row share is 1 (the first palette colour); 0 is white.</summary>
    public static readonly Color Full = PlotStyle.Palette[0];

    /// <summary>The pixel size of the plot for <paramref name="rows"/> truth rows and <paramref name="columns"/> columns.</summary>
    public static (int Width, int Height) Size(int rows, int columns, bool perLabel) => perLabel
        ? (760, Math.Max(320, 170 + (48 * rows)))
        : (Math.Clamp(300 + (90 * columns), 560, 1600), Math.Clamp(240 + (90 * rows), 500, 1600));

    /// <summary>The plot of <paramref name="table"/>'s counts; the subtitle says which rows were scored.</summary>
    public static Plot Create(ConfusionTable table, string evaluatedOn)
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
        string subtitle = perLabel
            ? Join(evaluatedOn, "shade: TN, FP share of negatives; FN, TP share of positives")
            : Join(evaluatedOn, "shade: share of the true class's row");
        Plot plot = PlotStyle.NewPlot(title, subtitle, legend: null);
        plot.HideGrid();

        int rows = counts.GetLength(0);
        int columns = counts.GetLength(1);
        PlotStyle.Label(plot.Axes.Bottom, perLabel ? "Outcome" : "Predicted");
        PlotStyle.Label(plot.Axes.Left, perLabel ? "Label" : "True");
        plot.Axes.Bottom.TickGenerator = Categories(columnNames, Column);
        plot.Axes.Left.TickGenerator = Categories(rowNames, r => Row(r, rows));
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        if (columnNames.Count > 6)
        {
            // Many class names would overlap side by side.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 40 + (7 * columnNames.Max(n => n.Length));
        }

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                double share = shares[r, c];
                double x = Column(c), y = Row(r, rows);
                var cell = plot.Add.Rectangle(x - 0.5, x + 0.5, y - 0.5, y + 0.5);
                cell.FillStyle.Color = Shade(share);
                cell.LineStyle.Color = Colors.White;
                cell.LineStyle.Width = 1;

                var text = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{counts[r, c]} ({share:0%})"), x, y);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = share > 0.5 ? Colors.White : Colors.Black;
                text.LabelFontSize = 14;
                text.LabelFontName = PlotStyle.Font;
            }
        }

        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        return plot;
    }

    /// <summary>White at 0, <see cref="Full"/> at 1, linear between.</summary>
    public static Color Shade(double share) => PlotStyle.Interpolate(Colors.White, Full, Math.Clamp(share, 0, 1));

    // Columns left to right; rows top to bottom in class order, as in scikit-learn's ConfusionMatrixDisplay.
    private static double Column(int c) => c;

    private static double Row(int r, int rows) => rows - 1 - r;

    private static NumericManual Categories(IReadOnlyList<string> names, Func<int, double> position)
    {
        var ticks = new NumericManual();
        for (int i = 0; i < names.Count; i++)
        {
            ticks.AddMajor(position(i), names[i]);
        }

        return ticks;
    }

    private static string Join(string evaluatedOn, string note) => evaluatedOn.Length == 0 ? note : $"{evaluatedOn}; {note}";
}
