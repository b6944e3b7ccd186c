using System;
using System.Collections.Generic;
using System.Globalization;
using MLNetTransfer.Cli.Output;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MLNetTransfer.Cli.Report;

/// <summary>The look every report plot shares (font, colours, legend, ticks) and the PNG export.</summary>
internal static class PlotStyle
{
    /// <summary>
    /// Named rather than left to ScottPlot's default (a sans-serif face resolved through fontconfig), so the text does
    /// not depend on which fallback a machine picks. DejaVu Sans ships with most Linux distributions (Debian's
    /// fonts-dejavu-core); where it is missing, Skia still falls back to a default face.
    /// </summary>
    public const string Font = "DejaVu Sans";

    /// <summary>Loss and AUC per epoch: wide, since epochs run along x.</summary>
    public const int CurveWidth = 900;

    /// <summary>Height of the per-epoch plots.</summary>
    public const int CurveHeight = 540;

    /// <summary>ROC plots are square, so the diagonal is at 45°.</summary>
    public const int RocSide = 760;

    /// <summary>
    /// Series colours: the "tab10" palette of matplotlib (Vega's category10), which stays distinguishable for ten
    /// series; more classes than that reuse colours, and the legend tells them apart by order.
    /// </summary>
    public static readonly Color[] Palette =
    [
        new(0x1f, 0x77, 0xb4),
        new(0xff, 0x7f, 0x0e),
        new(0x2c, 0xa0, 0x2c),
        new(0xd6, 0x27, 0x28),
        new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b),
        new(0xe3, 0x77, 0xc2),
        new(0x7f, 0x7f, 0x7f),
        new(0xbc, 0xbd, 0x22),
        new(0x17, 0xbe, 0xcf),
    ];

    /// <summary>Grey of reference lines (chance diagonal, best-epoch marker).</summary>
    public static readonly Color Reference = new(0x55, 0x55, 0x55);

    /// <summary>
    /// A white plot with the report's font, <paramref name="title"/> (and <paramref name="subtitle"/> on a second, smaller
    /// line: ScottPlot has no subtitle of its own) and, unless <paramref name="legend"/> is null, a legend there.
    /// </summary>
    public static Plot NewPlot(string title, string? subtitle, Alignment? legend)
    {
        var plot = new Plot();
        plot.Font.Set(Font);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Axes.Title.Label.Text = string.IsNullOrEmpty(subtitle) ? title : $"{title}\n{subtitle}";
        plot.Axes.Title.Label.FontSize = string.IsNullOrEmpty(subtitle) ? 17 : 15;
        plot.Axes.Title.Label.Bold = true;
        plot.Grid.MajorLinePattern = LinePattern.Dotted;
        plot.Grid.MajorLineColor = new Color(0xcc, 0xcc, 0xcc);
        if (legend is { } alignment)
        {
            plot.ShowLegend(alignment);
            plot.Legend.FontName = Font;
            plot.Legend.FontSize = 14;
            plot.Legend.BackgroundColor = Colors.White.WithAlpha(220);
            plot.Legend.OutlineColor = new Color(0xcc, 0xcc, 0xcc);
        }
        else
        {
            plot.HideLegend();
        }

        return plot;
    }

    /// <summary>Sets an axis's title at the report's size.</summary>
    public static void Label(IAxis axis, string text)
    {
        axis.Label.Text = text;
        axis.Label.FontName = Font;
        axis.Label.FontSize = 14;
        axis.Label.Bold = false;
        axis.TickLabelStyle.FontSize = 13;
    }

    /// <summary>
    /// Fixed ticks every <paramref name="major"/> from <paramref name="from"/> to <paramref name="to"/>, labelled with
    /// <paramref name="format"/> in the invariant culture (axis labels would otherwise follow the machine: 0,5 on a German
    /// one), and minor ticks every <paramref name="minor"/>.
    /// </summary>
    public static NumericManual Ticks(double from, double to, double major, double minor, string format)
    {
        var ticks = new NumericManual();
        for (int i = 0; from + (i * major) <= to + 1e-9; i++)
        {
            double x = from + (i * major);
            ticks.AddMajor(x, x.ToString(format, CultureInfo.InvariantCulture));
        }

        for (int i = 0; from + (i * minor) <= to + 1e-9; i++)
        {
            ticks.AddMinor(from + (i * minor));
        }

        return ticks;
    }

    /// <summary>ScottPlot's automatic ticks with invariant-culture labels.</summary>
    public static NumericAutomatic AutomaticTicks() =>
        new() { LabelFormatter = v => v.ToString("G4", CultureInfo.InvariantCulture) };

    /// <summary>
    /// Adds a line through the points, split at NaN values so that an undefined value leaves a gap (one legend entry for
    /// all pieces); nothing is added when every value is NaN. Returns whether anything was added.
    /// </summary>
    public static bool AddLine(Plot plot, IReadOnlyList<double> xs, IReadOnlyList<double> ys, string legend, Color color, float width, LinePattern pattern, float markerSize)
    {
        bool first = true;
        int i = 0;
        while (i < ys.Count)
        {
            if (double.IsNaN(ys[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < ys.Count && !double.IsNaN(ys[i]))
            {
                i++;
            }

            var x = new double[i - start];
            var y = new double[i - start];
            for (int k = start; k < i; k++)
            {
                x[k - start] = xs[k];
                y[k - start] = ys[k];
            }

            var scatter = plot.Add.Scatter(x, y, color);
            scatter.LineWidth = width;
            scatter.LinePattern = pattern;
            scatter.MarkerSize = markerSize;
            scatter.MarkerShape = markerSize > 0 ? MarkerShape.FilledCircle : MarkerShape.None;
            scatter.LegendText = first ? legend : "";
            first = false;
        }

        return !first;
    }

    /// <summary>Writes <paramref name="plot"/> as a PNG of the given pixel size, all or nothing (<see cref="AtomicFile"/>).</summary>
    public static void SavePng(Plot plot, string path, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png, 0, png.Length));
    }

    /// <summary>A colour between <paramref name="from"/> (at 0) and <paramref name="to"/> (at 1), channel by channel.</summary>
    public static Color Interpolate(Color from, Color to, double t)
    {
        static byte Mix(byte a, byte b, double t) => (byte)Math.Round(a + ((b - a) * t));
        return new Color(Mix(from.R, to.R, t), Mix(from.G, to.G, t), Mix(from.B, to.B, t), Mix(from.A, to.A, t));
    }
}
