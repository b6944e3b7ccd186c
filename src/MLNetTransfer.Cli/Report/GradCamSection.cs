using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using Microsoft.ML;
using MLNetTransfer.Cli.Output;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// Adds a few Grad-CAM overlays (Selvaraju et al., ICCV 2017) of test images to a written report: the predicted class's
/// map for each, as <c>gradcam-N.png</c> beside the page, and a section at the end of its index.html. The demo's report
/// shows them; a handful of maps of a ResNet18 cost a second or two.
/// </summary>
internal static class GradCamSection
{
    /// <summary>How many images the report shows.</summary>
    public const int ImageCount = 4;

    /// <summary>
    /// Explains up to <see cref="ImageCount"/> of <paramref name="images"/> (taken in turn from each class folder, so that
    /// every class appears) with the model at <paramref name="modelPath"/> and adds them to the page in <paramref name="reportDirectory"/>.
    /// </summary>
    /// <returns>The overlay files written.</returns>
    public static IReadOnlyList<string> AddTo(MLContext ml, string reportDirectory, string modelPath, IReadOnlyList<string> images)
    {
        var chosen = images.GroupBy(f => Path.GetDirectoryName(f) ?? "", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.OrderBy(f => f, StringComparer.Ordinal).ToList())
            .SelectMany(list => list.Select((file, rank) => (file, rank)))
            .OrderBy(p => p.rank).Select(p => p.file).Take(ImageCount).ToList();
        var figures = new StringBuilder();
        var written = new List<string>();
        using (var explainer = ml.Model.LoadGradCam(modelPath))
        {
            for (int i = 0; i < chosen.Count; i++)
            {
                var map = explainer.ExplainPrediction(chosen[i])[0];
                string file = string.Create(CultureInfo.InvariantCulture, $"gradcam-{i + 1}.png");
                string path = Path.Combine(reportDirectory, file);
                AtomicFile.Write(path, s => s.Write(map.ToOverlayPng()));
                written.Add(path);
                string folder = Path.GetFileName(Path.GetDirectoryName(chosen[i])) ?? "";
                figures.Append("<figure style=\"display:inline-block;width:23%;margin:0.5%\"><img src=\"").Append(file)
                    .Append("\" alt=\"Grad-CAM\" style=\"width:100%;image-rendering:pixelated\"><figcaption>")
                    .Append(WebUtility.HtmlEncode($"{folder}/{Path.GetFileName(chosen[i])}: predicted {map.ClassName}, p = {map.Score.ToString("F3", CultureInfo.InvariantCulture)}"))
                    .Append("</figcaption></figure>\n");
            }
        }

        string index = Path.Combine(reportDirectory, TrainingReport.PageFile);
        string page = File.ReadAllText(index);
        string section = "<h2>Grad-CAM</h2>\n<p class=\"note\">Where the last stage (layer4) found the evidence for the predicted class, "
            + "on test images (red high, blue none; Selvaraju et al., ICCV 2017). <code>mlnet-transfer explain</code> draws these for any image.</p>\n"
            + figures;
        int end = page.LastIndexOf("</body>", StringComparison.Ordinal);
        page = end < 0 ? page + section : page[..end] + section + page[end..];
        AtomicFile.Write(index, s => s.Write(Encoding.UTF8.GetBytes(page)));
        return written;
    }
}
