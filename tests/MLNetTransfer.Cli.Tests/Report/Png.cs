using System.Linq;
using ScottPlot;
using SkiaSharp;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>Checks on a written PNG: it decodes, has the size asked for, and shows what was plotted.</summary>
internal static class Png
{
    /// <summary>Decodes <paramref name="path"/> with SkiaSharp and checks its pixel size.</summary>
    public static SKBitmap Decode(string path, int width, int height)
    {
        SKBitmap? bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap is not null, $"{path} does not decode as an image.");
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        return bitmap;
    }

    /// <summary>Pixels of exactly <paramref name="color"/> (a line's or a cell's interior; edges are anti-aliased blends).</summary>
    public static int Count(SKBitmap bitmap, Color color)
    {
        var wanted = new SKColor(color.R, color.G, color.B, color.A);
        return bitmap.Pixels.Count(p => p == wanted);
    }

    /// <summary>
    /// Dark pixels in the title band (the top <paramref name="band"/> rows): the title's glyphs, so text rendered.
    /// </summary>
    public static int DarkInTopBand(SKBitmap bitmap, int band)
    {
        int dark = 0;
        for (int y = 0; y < band; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor p = bitmap.GetPixel(x, y);
                dark += p.Red < 80 && p.Green < 80 && p.Blue < 80 ? 1 : 0;
            }
        }

        return dark;
    }
}
