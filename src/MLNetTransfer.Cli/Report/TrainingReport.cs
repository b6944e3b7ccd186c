using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Text;
using MLNetTransfer.Cli.Output;
using ScottPlot;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// Writes the report of a <c>train</c> or <c>evaluate</c> run: PNG plots and an index.html that shows them with the
/// settings and metrics.
/// </summary>
/// <remarks>
/// Plots are drawn with ScottPlot on SkiaSharp 3, the SkiaSharp major ML.NET's image loading uses in the same process
/// (the choice: Directory.Packages.props).
/// </remarks>
internal static class TrainingReport
{
    /// <summary>Train and validation loss per epoch.</summary>
    public const string LossFile = "loss.png";

    /// <summary>Validation AUC and accuracy per epoch.</summary>
    public const string AucFile = "auc.png";

    /// <summary>ROC curves.</summary>
    public const string RocFile = "roc.png";

    /// <summary>Confusion matrix (single-label) or per-label confusion table (multi-label).</summary>
    public const string ConfusionFile = "confusion.png";

    /// <summary>Reliability diagram of the evaluated probabilities.</summary>
    public const string ReliabilityFile = "reliability.png";

    /// <summary>The page.</summary>
    public const string PageFile = "index.html";

    /// <summary>Writes the report into <paramref name="directory"/> (created if needed) and returns the paths written.</summary>
    /// <remarks>
    /// The loss and AUC plots are written only when there are epochs; the ROC plot only when some curve is defined; the
    /// confusion plot only when there are confusion counts. A plot of this report's that is not written this time is deleted
    /// if a previous report left it there, so the folder never mixes two runs.
    /// </remarks>
    /// <exception cref="System.ArgumentException">The input is inconsistent (see <see cref="ReportInput.Validate"/>).</exception>
    public static IReadOnlyList<string> Write(ReportInput input, string directory)
    {
        input.Validate();
        Directory.CreateDirectory(directory);

        var images = new List<(string File, string Caption)>();
        var written = new List<string>();
        void Save(string file, string caption, Plot model, (int Width, int Height) size)
        {
            string path = Path.Combine(directory, file);
            PlotStyle.SavePng(model, path, size.Width, size.Height);
            images.Add((file, caption));
            written.Add(path);
        }

        if (input.Epochs.Count > 0)
        {
            Save(LossFile, "Train and validation loss per epoch", EpochPlots.Loss(input.Epochs, input.BestEpoch), (PlotStyle.CurveWidth, PlotStyle.CurveHeight));
            Save(AucFile, "Validation AUC and accuracy per epoch", EpochPlots.AucAndAccuracy(input.Epochs, input.BestEpoch), (PlotStyle.CurveWidth, PlotStyle.CurveHeight));
        }

        RocCurveSet roc = RocCurveSet.From(input);
        if (roc.Curves.Count > 0)
        {
            Save(RocFile, "ROC curves", RocPlot.Create(roc, input.EvaluatedOn), (PlotStyle.RocSide, PlotStyle.RocSide));
        }

        if (input.Confusion is { } confusion)
        {
            Save(ConfusionFile, confusion.PerLabel ? "Confusion per label" : "Confusion matrix", ConfusionPlot.Create(confusion, input.EvaluatedOn),
                ConfusionPlot.Size(confusion.RowNames.Count, confusion.ColumnNames.Count, confusion.PerLabel));
        }

        if (input.Reliability.Any(b => b.Count > 0))
        {
            Save(ReliabilityFile, "Reliability diagram (calibration)", ReliabilityPlot.Create(input.Reliability, input.Ece, input.EvaluatedOn), (PlotStyle.RocSide, PlotStyle.RocSide));
        }

        foreach (string file in new[] { LossFile, AucFile, RocFile, ConfusionFile, ReliabilityFile })
        {
            if (!images.Exists(i => i.File == file))
            {
                File.Delete(Path.Combine(directory, file)); // no-op when absent
            }
        }

        string page = Path.Combine(directory, PageFile);
        byte[] html = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(HtmlPage.Render(input, images, roc));
        AtomicFile.Write(page, stream => stream.Write(html));
        written.Add(page);
        return written;
    }
}
