using System.Globalization;
using MLNetTransfer.Cli.Output;
using OxyPlot;
using OxyPlot.Legends;
using OxyPlot.SkiaSharp;

namespace MLNetTransfer.Cli.Report;

/// <summary>The look every report plot shares (font, colours, legend) and the PNG export.</summary>
internal static class PlotStyle
{
    /// <summary>
    /// Named rather than left to OxyPlot's default ("Segoe UI", absent on Linux), so the text does not depend on which
    /// fallback fontconfig picks. DejaVu Sans ships with most Linux distributions (Debian's fonts-dejavu-core); where it
    /// is missing, Skia still falls back to a default face.
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
    public static readonly OxyColor[] Palette =
    [
        OxyColor.FromRgb(0x1f, 0x77, 0xb4),
        OxyColor.FromRgb(0xff, 0x7f, 0x0e),
        OxyColor.FromRgb(0x2c, 0xa0, 0x2c),
        OxyColor.FromRgb(0xd6, 0x27, 0x28),
        OxyColor.FromRgb(0x94, 0x67, 0xbd),
        OxyColor.FromRgb(0x8c, 0x56, 0x4b),
        OxyColor.FromRgb(0xe3, 0x77, 0xc2),
        OxyColor.FromRgb(0x7f, 0x7f, 0x7f),
        OxyColor.FromRgb(0xbc, 0xbd, 0x22),
        OxyColor.FromRgb(0x17, 0xbe, 0xcf),
    ];

    /// <summary>Grey of reference lines (chance diagonal, best-epoch marker).</summary>
    public static readonly OxyColor Reference = OxyColor.FromRgb(0x55, 0x55, 0x55);

    /// <summary>A white-background model with the report's font and a legend at <paramref name="legendPosition"/>.</summary>
    public static PlotModel NewModel(string title, LegendPosition legendPosition)
    {
        var model = new PlotModel
        {
            Title = title,
            Culture = CultureInfo.InvariantCulture, // axis labels would otherwise follow the machine (0,5 on a German one)
            DefaultFont = Font,
            DefaultFontSize = 14,
            TitleFontSize = 17,
            Background = OxyColors.White,
            PlotAreaBorderColor = OxyColor.FromRgb(0x99, 0x99, 0x99),
        };
        model.Legends.Add(new Legend
        {
            LegendPosition = legendPosition,
            LegendPlacement = LegendPlacement.Inside,
            LegendBackground = OxyColor.FromAColor(220, OxyColors.White),
            LegendBorder = OxyColor.FromRgb(0xcc, 0xcc, 0xcc),
            LegendFont = Font,
        });
        return model;
    }

    /// <summary>Writes <paramref name="model"/> as a PNG of the given pixel size, all or nothing (<see cref="AtomicFile"/>).</summary>
    public static void SavePng(PlotModel model, string path, int width, int height)
    {
        AtomicFile.Write(path, stream => new PngExporter { Width = width, Height = height }.Export(model, stream));
    }
}
