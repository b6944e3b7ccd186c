using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace MLNetTransfer.Cli.Report;

/// <summary>The page of <c>mlnet-transfer explain</c>: one self-contained index.html with relative links to the heatmap PNGs.</summary>
internal static class GradCamPage
{
    /// <summary>A file name for image <paramref name="n"/>'s heatmap of <paramref name="className"/>: numbered, so that equal names in different folders stay apart.</summary>
    public static string PngName(int n, string imagePath, string className) =>
        string.Create(CultureInfo.InvariantCulture, $"{n + 1:D4}-{Safe(Path.GetFileNameWithoutExtension(imagePath))}-{Safe(className)}.png");

    /// <summary>The HTML of the page.</summary>
    public static string Render(string modelPath, string stage, IReadOnlyList<(string File, GradCamMap Map, string Png)> rows)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Grad-CAM</title><style>")
            .Append("body{font-family:sans-serif;margin:1.5em}figure{display:inline-block;margin:0.5em;vertical-align:top;width:260px}")
            .Append("img{width:256px;image-rendering:pixelated;border:1px solid #ccc}figcaption{font-size:0.85em;word-break:break-all}")
            .Append("</style></head><body>\n<h1>Grad-CAM</h1>\n<p>Model ").Append(Enc(modelPath)).Append(", stage ").Append(Enc(stage))
            .Append(". Red marks where the stage's activations raised the class's score most (Selvaraju et al., ICCV 2017); blue, not at all.</p>\n");
        foreach (var (file, map, png) in rows)
        {
            html.Append("<figure><img src=\"").Append(Uri.EscapeDataString(png)).Append("\" alt=\"").Append(Enc(map.ClassName)).Append("\">")
                .Append("<figcaption>").Append(Enc(file)).Append("<br>class <b>").Append(Enc(map.ClassName)).Append("</b>, probability ")
                .Append(map.Score.ToString("F3", CultureInfo.InvariantCulture)).Append("</figcaption></figure>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    private static string Enc(string text) => WebUtility.HtmlEncode(text);

    private static string Safe(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        return chars.Length == 0 ? "_" : new string(chars);
    }
}
