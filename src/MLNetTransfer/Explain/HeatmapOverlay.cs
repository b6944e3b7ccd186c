using System;
using SkiaSharp;

namespace MLNetTransfer.Explain;

/// <summary>
/// A Grad-CAM map drawn over the image it explains, as a PNG: the map through a jet-like colormap (blue → cyan →
/// yellow → red, the piecewise-linear approximation of MATLAB's jet), alpha-blended over the image (the figures of
/// Selvaraju et al. 2017 show the map this way).
/// </summary>
internal static class HeatmapOverlay
{
    /// <summary>Encodes the overlay as PNG bytes.</summary>
    /// <param name="image">Planar <c>[channels, height, width]</c> pixels, 0–255 (values outside are clamped).</param>
    /// <param name="channels">1 (gray) or 3 (R, G, B).</param>
    /// <param name="map">Row-major <c>[height, width]</c> values in [0, 1].</param>
    /// <param name="width">Width of image and map.</param>
    /// <param name="height">Height of image and map.</param>
    /// <param name="opacity">The map's weight in the blend, in [0, 1].</param>
    public static byte[] Png(ReadOnlySpan<float> image, int channels, ReadOnlySpan<float> map, int width, int height, float opacity)
    {
        int plane = width * height;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[plane * 4];
        for (int i = 0; i < plane; i++)
        {
            var (jr, jg, jb) = Jet(map[i]);
            for (int c = 0; c < 3; c++)
            {
                float v = image[(channels == 3 ? c : 0) * plane + i];
                float j = c == 0 ? jr : c == 1 ? jg : jb;
                pixels[i * 4 + c] = (byte)Math.Clamp(MathF.Round((1 - opacity) * v + opacity * 255f * j), 0, 255);
            }

            pixels[i * 4 + 3] = 255;
        }

        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    /// <summary>Jet: each channel a clamped tent, <c>clamp(1.5 - |4v - k|)</c> with k = 3, 2, 1 for R, G, B.</summary>
    internal static (float R, float G, float B) Jet(float v)
    {
        v = Math.Clamp(v, 0f, 1f);
        static float Tent(float x) => Math.Clamp(1.5f - MathF.Abs(x), 0f, 1f);
        return (Tent(4 * v - 3), Tent(4 * v - 2), Tent(4 * v - 1));
    }
}
