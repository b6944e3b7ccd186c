using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using MLNetTransfer.Cli.Report;
using SkiaSharp;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>
/// TrainingReport writes PNGs that decode at their size and show their series, and an escaped, self-contained
/// index.html that shows them, for every task and for evaluate-style input without epochs.
/// </summary>
public sealed class TrainingReportTests : IDisposable
{
    // A line 2.5 px wide keeps its exact colour along its middle: hundreds of pixels for a curve across the plot,
    // where the legend's sample alone has a few dozen.
    private const int MinLinePixels = 300;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mlnettransfer-report-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Binary_train_report_writes_four_plots_and_a_page_that_shows_them()
    {
        ReportInput input = ReportInputs.Binary(epochs: 6);

        var written = TrainingReport.Write(input, Path.Combine(_directory, "nested", "report"));

        string dir = Path.Combine(_directory, "nested", "report");
        Assert.Equal(
            new[] { TrainingReport.LossFile, TrainingReport.AucFile, TrainingReport.RocFile, TrainingReport.ConfusionFile, TrainingReport.PageFile }
                .Select(f => Path.Combine(dir, f)),
            written);

        using (SKBitmap loss = Png.Decode(written[0], PlotStyle.CurveWidth, PlotStyle.CurveHeight))
        {
            Assert.True(Png.Count(loss, PlotStyle.Palette[0]) > MinLinePixels, "train loss line");
            Assert.True(Png.Count(loss, PlotStyle.Palette[1]) > MinLinePixels, "validation loss line");
            Assert.True(Png.DarkInTopBand(loss, 35) > 50, "title text");
        }

        using (SKBitmap auc = Png.Decode(written[1], PlotStyle.CurveWidth, PlotStyle.CurveHeight))
        {
            Assert.True(Png.Count(auc, PlotStyle.Palette[2]) > MinLinePixels, "validation AUC line");
            Assert.True(Png.Count(auc, PlotStyle.Palette[4]) > MinLinePixels, "validation accuracy line");
        }

        using (SKBitmap roc = Png.Decode(written[2], PlotStyle.RocSide, PlotStyle.RocSide))
        {
            Assert.True(Png.Count(roc, PlotStyle.Palette[0]) > MinLinePixels, "positive-class ROC curve");
            Assert.True(Png.Count(roc, PlotStyle.Palette[1]) == 0, "binary draws one curve only");
        }

        AssertConfusionCells(input, written[3]);

        string page = File.ReadAllText(written[4]);
        foreach (string image in new[] { "loss.png", "auc.png", "roc.png", "confusion.png" })
        {
            Assert.Contains($"<img src=\"{image}\"", page);
        }

        Assert.Contains("<td class=\"num\">5 (best)</td>", page);
        Assert.Contains("OPACITY", page);
    }

    [Fact]
    public void Page_escapes_settings_and_names()
    {
        ReportInput input = ReportInputs.Binary(epochs: 2, classNames: ["<NORMAL>", "OPACITY\"'"]);
        input = new ReportInput
        {
            Title = "<b>run</b>",
            Settings = input.Settings,
            Metrics = [("note <i>", "a & b")],
            Epochs = input.Epochs,
            BestEpoch = 1,
            ClassNames = input.ClassNames,
            Task = input.Task,
            RocCurves = input.RocCurves,
            Confusion = input.Confusion,
            EvaluatedOn = "<test>",
        };

        string page = File.ReadAllText(TrainingReport.Write(input, _directory)[^1]);

        Assert.DoesNotContain("<script>", page);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;", page);
        Assert.DoesNotContain("<b>", page);
        Assert.DoesNotContain("<i>", page);
        Assert.DoesNotContain("<NORMAL>", page);
        Assert.DoesNotContain("<test>", page);
        Assert.Contains("&lt;b&gt;run&lt;/b&gt;", page);
        Assert.Contains("OPACITY&quot;&#39;", page);
    }

    [Fact]
    public void Evaluate_report_without_epochs_writes_no_epoch_plots_and_removes_stale_ones()
    {
        // A train report first, then an evaluate report into the same folder: the folder must not mix the two.
        TrainingReport.Write(ReportInputs.Binary(epochs: 3), _directory);

        var written = TrainingReport.Write(ReportInputs.Binary(epochs: 0), _directory);

        Assert.Equal(new[] { TrainingReport.RocFile, TrainingReport.ConfusionFile, TrainingReport.PageFile }, written.Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(_directory, TrainingReport.LossFile)));
        Assert.False(File.Exists(Path.Combine(_directory, TrainingReport.AucFile)));
        string page = File.ReadAllText(written[^1]);
        Assert.DoesNotContain("loss.png", page);
        Assert.DoesNotContain("auc.png", page);
        Assert.DoesNotContain("<h2>Epochs</h2>", page);
        Assert.Contains("<img src=\"roc.png\"", page);
        Assert.Contains("<img src=\"confusion.png\"", page);
    }

    [Fact]
    public void Multiclass_report_draws_a_curve_per_present_class_and_names_the_absent_one()
    {
        ReportInput input = ReportInputs.Multiclass();

        var written = TrainingReport.Write(input, _directory);

        Assert.Equal(5, written.Count);
        using (SKBitmap roc = Png.Decode(Path.Combine(_directory, TrainingReport.RocFile), PlotStyle.RocSide, PlotStyle.RocSide))
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.True(Png.Count(roc, PlotStyle.Palette[c]) > MinLinePixels, $"curve of class {c}");
            }

            Assert.True(Png.Count(roc, PlotStyle.Palette[3]) == 0, "no curve for the absent class");
        }

        AssertConfusionCells(input, Path.Combine(_directory, TrainingReport.ConfusionFile));
        string page = File.ReadAllText(written[^1]);
        Assert.Contains("AUC undefined (no curve drawn) for rare", page);
    }

    [Fact]
    public void Multilabel_report_draws_a_curve_per_defined_label_and_a_per_label_table()
    {
        ReportInput input = ReportInputs.MultiLabel();

        var written = TrainingReport.Write(input, _directory);

        Assert.Equal(5, written.Count);
        using (SKBitmap roc = Png.Decode(Path.Combine(_directory, TrainingReport.RocFile), PlotStyle.RocSide, PlotStyle.RocSide))
        {
            Assert.True(Png.Count(roc, PlotStyle.Palette[0]) > MinLinePixels, "Cardiomegaly");
            Assert.True(Png.Count(roc, PlotStyle.Palette[1]) > MinLinePixels, "Edema");
            Assert.True(Png.Count(roc, PlotStyle.Palette[2]) == 0, "Fracture is known negative only: no curve");
        }

        AssertConfusionCells(input, Path.Combine(_directory, TrainingReport.ConfusionFile));
        string page = File.ReadAllText(written[^1]);
        Assert.Contains("AUC undefined (no curve drawn) for Fracture", page);
    }

    [Fact]
    public void Epochs_without_validation_numbers_draw_the_train_loss_and_dash_the_rest()
    {
        ReportInput input = ReportInputs.Binary(epochs: 3);
        input = new ReportInput
        {
            Title = input.Title,
            Epochs = input.Epochs.Select(e => e with { ValidationLoss = double.NaN, ValidationAuc = double.NaN, ValidationAccuracy = double.NaN }).ToArray(),
            BestEpoch = 3,
            ClassNames = input.ClassNames,
            Task = input.Task,
            RocCurves = input.RocCurves,
            Confusion = input.Confusion,
        };

        var written = TrainingReport.Write(input, _directory);

        using (SKBitmap loss = Png.Decode(written[0], PlotStyle.CurveWidth, PlotStyle.CurveHeight))
        {
            Assert.True(Png.Count(loss, PlotStyle.Palette[0]) > MinLinePixels, "train loss line");
            Assert.True(Png.Count(loss, PlotStyle.Palette[1]) == 0, "no validation loss line");
        }

        Assert.Contains("<td class=\"num\">–</td>", File.ReadAllText(written[^1]));
    }

    [Fact]
    public void Numbers_are_written_in_the_invariant_culture()
    {
        CultureInfo before = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            string page = File.ReadAllText(TrainingReport.Write(ReportInputs.Binary(epochs: 2), _directory)[^1]);

            Assert.Contains("<td class=\"num\">0.7000</td>", page); // epoch 1's train loss
            Assert.DoesNotContain("0,7000", page);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = before;
        }
    }

    [Fact]
    public void Inconsistent_input_is_refused_before_anything_is_written()
    {
        ReportInput good = ReportInputs.Binary(epochs: 0);
        ReportInput ThreeNames() => Copy(good, classNames: ["a", "b", "c"]);
        Assert.Throws<ArgumentException>(() => TrainingReport.Write(ThreeNames(), _directory));
        Assert.Throws<ArgumentException>(() => TrainingReport.Write(Copy(good, rocCurves: good.RocCurves.Take(1).ToArray()), _directory));
        Assert.Throws<ArgumentException>(() => TrainingReport.Write(Copy(good, classNames: ["NORMAL", "other"]), _directory)); // not the confusion's rows
        Assert.Throws<ArgumentException>(() => TrainingReport.Write(Copy(good, bestEpoch: 4), _directory));

        // A multi-label report with a class matrix: the plot would label its columns as classes.
        ReportInput multi = ReportInputs.MultiLabel();
        ReportInput multiclass = ReportInputs.Multiclass();
        Assert.Throws<ArgumentException>(() => TrainingReport.Write(
            new ReportInput { Title = "t", ClassNames = multiclass.ClassNames, Task = TaskKind.MultiLabel, RocCurves = multiclass.RocCurves, Confusion = multiclass.Confusion },
            _directory));
        Assert.Throws<ArgumentException>(() => TrainingReport.Write(Copy(multi, rocCurves: multi.RocCurves.Concat([null]).ToArray()), _directory));
        Assert.False(Directory.Exists(_directory));
    }

    /// <summary>The confusion plot has its computed size and its fullest cell's shade.</summary>
    private static void AssertConfusionCells(ReportInput input, string path)
    {
        ConfusionTable table = input.Confusion!;
        int[,] counts = table.Counts;
        double[,] shares = table.RowFractions();
        (int width, int height) = ConfusionPlot.Size(counts.GetLength(0), counts.GetLength(1), table.PerLabel);
        double top = shares.Cast<double>().Max();

        using SKBitmap bitmap = Png.Decode(path, width, height);
        Assert.True(Png.Count(bitmap, ConfusionPlot.Shade(top)) > 2000, $"the fullest cell's shade ({top:0.00}) fills a cell");
    }

    private static ReportInput Copy(ReportInput from, string[]? classNames = null, RocCurve?[]? rocCurves = null, int bestEpoch = 0) => new()
    {
        Title = from.Title,
        ClassNames = classNames ?? from.ClassNames,
        Task = from.Task,
        RocCurves = rocCurves ?? from.RocCurves,
        Confusion = from.Confusion,
        BestEpoch = bestEpoch,
    };
}
