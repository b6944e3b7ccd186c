using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The report's index.html: one self-contained page (inline style, no scripts, nothing fetched) with the settings,
/// the metrics, the per-epoch table, the ROC AUCs and the plots by relative path, so the folder can be zipped, mailed
/// or opened from disk.
/// </summary>
/// <remarks>Every text from the input is HTML-escaped: names and settings come from file names and CSV columns.</remarks>
internal static class HtmlPage
{
    private const string Style =
        "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;max-width:1000px;color:#222;padding:0 1em}" +
        "table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #ccc;padding:0.3em 0.7em;text-align:left}" +
        "th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}tr.best{background:#eef6ee}" +
        "img{max-width:100%;height:auto;border:1px solid #ddd;margin:0.5em 0}.note{color:#666}";

    /// <summary>The page for <paramref name="input"/> showing <paramref name="images"/> (file names relative to the page).</summary>
    public static string Render(ReportInput input, IReadOnlyList<(string File, string Caption)> images, RocCurveSet roc)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<title>").Append(Encode(input.Title)).Append("</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(Encode(input.Title)).Append("</h1>\n");

        if (input.EvaluatedOn.Length > 0)
        {
            html.Append("<p>Evaluated on ").Append(Encode(input.EvaluatedOn)).Append(".</p>\n");
        }

        AppendPairs(html, "Settings", input.Settings);
        AppendPairs(html, "Metrics", input.Metrics);
        AppendSkipped(html, input.SkippedImages);
        AppendEpochs(html, input.Epochs, input.BestEpoch);
        AppendRoc(html, roc, input.IsSingleLabel);

        html.Append("<h2>Plots</h2>\n");
        foreach ((string file, string caption) in images)
        {
            html.Append("<figure><img src=\"").Append(Encode(file)).Append("\" alt=\"").Append(Encode(caption)).Append("\">")
                .Append("<figcaption>").Append(Encode(caption)).Append("</figcaption></figure>\n");
        }

        if (images.Count == 0)
        {
            html.Append("<p class=\"note\">No plots: no epochs and no scored rows.</p>\n");
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendPairs(StringBuilder html, string heading, IReadOnlyList<(string Name, string Value)> pairs)
    {
        if (pairs.Count == 0)
        {
            return;
        }

        html.Append("<h2>").Append(heading).Append("</h2>\n<table>\n");
        foreach ((string name, string value) in pairs)
        {
            html.Append("<tr><th>").Append(Encode(name)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    // --bad-images skip: every image left out, with its split and the gate's reason; "none" when it left out none.
    private static void AppendSkipped(StringBuilder html, IReadOnlyList<MLNetTransfer.Cli.Scoring.SkippedImageRow>? skipped)
    {
        if (skipped is null)
        {
            return;
        }

        html.Append("<h2>Skipped images</h2>\n");
        if (skipped.Count == 0)
        {
            html.Append("<p class=\"note\">None: every image passed the image gate.</p>\n");
            return;
        }

        html.Append("<p>--bad-images skip left out ").Append(skipped.Count.ToString(CultureInfo.InvariantCulture))
            .Append(" image(s) that the image gate refused; they are in no metric.</p>\n<table>\n<tr><th>Image</th><th>Split</th><th>Reason</th></tr>\n");
        foreach (var s in skipped)
        {
            html.Append("<tr><td>").Append(Encode(s.Path)).Append("</td><td>").Append(Encode(s.Split)).Append("</td><td>").Append(Encode(s.Reason)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendEpochs(StringBuilder html, IReadOnlyList<EpochMetrics> epochs, int bestEpoch)
    {
        if (epochs.Count == 0)
        {
            return;
        }

        html.Append("<h2>Epochs</h2>\n<table>\n<tr><th>Epoch</th><th>Train loss</th><th>Validation loss</th>")
            .Append("<th>Validation accuracy</th><th>Validation AUC</th><th>Undefined AUCs</th><th>Learning rate</th>")
            .Append("<th>Images/s</th><th>Seconds</th></tr>\n");
        bool anyUndefined = false;
        foreach (EpochMetrics e in epochs)
        {
            anyUndefined |= e.UndefinedAucCount > 0;
            html.Append(e.Epoch == bestEpoch ? "<tr class=\"best\">" : "<tr>")
                .Append("<td class=\"num\">").Append(Number(e.Epoch, "0")).Append(e.Epoch == bestEpoch ? " (best)" : "").Append("</td>")
                .Append(Cell(e.TrainLoss, "0.0000")).Append(Cell(e.ValidationLoss, "0.0000"))
                .Append(Cell(e.ValidationAccuracy, "0.0000")).Append(Cell(e.ValidationAuc, "0.0000"))
                .Append(Cell(e.UndefinedAucCount, "0")).Append(Cell(e.LearningRate, "0.###e+0"))
                .Append(Cell(e.ImagesPerSecond, "0.0")).Append(Cell(e.Seconds, "0.0")).Append("</tr>\n");
        }

        html.Append("</table>\n");
        if (anyUndefined)
        {
            html.Append("<p class=\"note\">An undefined AUC is a class or label with one value only among that epoch's validation rows; ")
                .Append("the validation AUC averages the defined ones.</p>\n");
        }
    }

    private static void AppendRoc(StringBuilder html, RocCurveSet roc, bool singleLabel)
    {
        if (roc.Curves.Count == 0 && roc.Undefined.Count == 0)
        {
            return;
        }

        html.Append("<h2>ROC AUC</h2>\n<table>\n<tr><th>").Append(singleLabel ? "Class" : "Label")
            .Append("</th><th>AUC</th><th>Positives</th><th>Negatives</th></tr>\n");
        foreach ((string name, RocCurve curve) in roc.Curves)
        {
            html.Append("<tr><th>").Append(Encode(name)).Append("</th>").Append(Cell(curve.AreaUnderCurve, "0.0000"))
                .Append(Cell(curve.Positives, "0")).Append(Cell(curve.Negatives, "0")).Append("</tr>\n");
        }

        foreach (string name in roc.Undefined)
        {
            html.Append("<tr><th>").Append(Encode(name)).Append("</th><td>undefined</td><td colspan=\"2\"></td></tr>\n");
        }

        html.Append("</table>\n");
        if (roc.Undefined.Count > 0)
        {
            html.Append("<p class=\"note\">AUC undefined (no curve drawn) for ").Append(Encode(string.Join(", ", roc.Undefined)))
                .Append(singleLabel
                    ? ": every evaluated row is of that class, or none is.</p>\n"
                    : ": among the rows where that label is known, all are positive or all negative.</p>\n");
        }
    }

    private static string Cell(double value, string format) => $"<td class=\"num\">{Number(value, format)}</td>";

    /// <summary>Invariant culture, so a German or French machine writes the same page; NaN (not measured) as a dash.</summary>
    private static string Number(double value, string format) =>
        double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
