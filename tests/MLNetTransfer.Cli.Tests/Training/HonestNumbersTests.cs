using System.IO;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Training;

/// <summary>
/// The command line's figures are those of the model it saved: trained with a val/ split and no test split, train
/// evaluates the saved model.zip on the validation set, and its AUC and log-loss (nats) must equal the best epoch's
/// val_auc and val_loss to 1e-5 with calibration off, and the calibrated validation loss reported beside them with
/// calibration on. The metrics file carries the operating point, the intervals and the calibration error.
/// </summary>
[Collection("NoParallelization")]
public sealed class HonestNumbersTests : System.IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public HonestNumbersTests(ITestOutputHelper log)
    {
        _log = log;
        // 64 px images, a 48 px crop: the resize to 54 is real.
        SyntheticChestXrays.WriteSplit(Path.Combine(_folder.Root, "train"), SyntheticChestXrays.Generate(48, 64, seed: 21));
        SyntheticChestXrays.WriteSplit(Path.Combine(_folder.Root, "val"), SyntheticChestXrays.Generate(32, 64, seed: 22));
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Saved_model_on_the_validation_set_reports_the_best_epoch(bool calibrate)
    {
        string metricsPath = Path.Combine(_folder.Root, $"metrics-{calibrate}.json");
        var arguments = new[]
        {
            "train", "--data", _folder.Root, "--grayscale", "--strategy", "full", "--epochs", "2", "--batch-size", "16", "--image-size", "48",
            "--output", Path.Combine(_folder.Root, $"model-{calibrate}.zip"), "--metrics-json", metricsPath,
        };
        var run = CliProcess.Run(_log, calibrate ? arguments : arguments.Append("--no-calibration").ToArray());
        Assert.Equal(0, run.ExitCode);

        using var metrics = JsonDocument.Parse(File.ReadAllText(metricsPath));
        var m = metrics.RootElement;
        Assert.Contains("validation set", m.GetProperty("evaluated_on").GetString());
        int bestEpoch = m.GetProperty("best_epoch").GetInt32();
        var best = m.GetProperty("epochs").EnumerateArray().Single(e => e.GetProperty("epoch").GetInt32() == bestEpoch);
        Assert.Equal(best.GetProperty("val_auc").GetDouble(), m.GetProperty("auc").GetDouble(), 1e-5);
        Assert.Equal("nats", m.GetProperty("loss_unit").GetString());
        Assert.Equal(best.GetProperty("val_loss").GetDouble(), m.GetProperty("validation_log_loss_uncalibrated").GetDouble(), 1e-5);
        double expectedLoss = calibrate ? m.GetProperty("validation_log_loss").GetDouble() : best.GetProperty("val_loss").GetDouble();
        Assert.Equal(expectedLoss, m.GetProperty("log_loss").GetDouble(), 1e-5);
        Assert.Equal(calibrate, m.GetProperty("temperature").GetDouble() != 1.0);

        // The operating point chosen on validation, with its rates and their intervals.
        Assert.Equal("youden", m.GetProperty("threshold_method").GetString());
        double threshold = m.GetProperty("threshold").GetDouble();
        Assert.InRange(threshold, 0, 1);
        foreach (var rate in new[] { "sensitivity", "specificity", "ppv", "npv" })
        {
            double value = m.GetProperty(rate).GetDouble();
            var interval = m.GetProperty(rate + "_ci95").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.True(interval[0] <= value && value <= interval[1], $"{rate} {value} outside its interval [{interval[0]}, {interval[1]}]");
        }

        var auc = m.GetProperty("auc_ci95").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.True(auc[0] <= m.GetProperty("auc").GetDouble() && m.GetProperty("auc").GetDouble() <= auc[1]);
        Assert.True(m.GetProperty("ece").GetDouble() >= 0);
        Assert.True(m.GetProperty("ece_uncalibrated").GetDouble() >= 0);
        Assert.Equal(15, m.GetProperty("reliability").GetArrayLength());
    }
}
