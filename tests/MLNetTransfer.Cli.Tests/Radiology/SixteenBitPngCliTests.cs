using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Radiology;

/// <summary>
/// 16-bit PNGs through the built tool (issue 14, item 3): the synthetic chest X-rays with every sample below 256, so
/// their whole signal is in the low byte, which ML.NET's 8-bit loader turns black. train reads them at full precision by
/// itself with <c>--window 0,255</c>, learns the task, and evaluate, predict on the console and predict in batches give
/// the same scores.
/// </summary>
[Collection("NoParallelization")]
public sealed class SixteenBitPngCliTests : IDisposable
{
    private const int Size = 48;
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public SixteenBitPngCliTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Low_byte_16_bit_pngs_train_at_full_precision_and_every_command_scores_the_same()
    {
        string data = _folder.PathOf("xrays");
        Write(data, "train", 64, seed: 41);
        Write(data, "test", 24, seed: 42);
        string model = _folder.PathOf("model.zip");
        string metricsPath = _folder.PathOf("metrics.json");
        var train = CliProcess.Run(_log, "train", "--data", data, "--window", "0,255", "--grayscale", "--strategy", "feature-extraction",
            "--epochs", "3", "--batch-size", "16", "--image-size", "42", "--output", model, "--metrics-json", metricsPath);
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("read at full precision by png-jpeg(window=0..255) (--pixels auto:", train.Output);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(metricsPath)))
        {
            double auc = metrics.RootElement.GetProperty("auc").GetDouble();
            _log.WriteLine($"test AUC {auc:F3}");
            Assert.True(auc >= 0.9, $"test AUC {auc}");
        }

        Assert.Equal(0, CliProcess.Run(_log, "evaluate", "--model", model, "--data", Path.Combine(data, "test")).ExitCode);
        var console = CliProcess.Run(_log, "predict", "--model", model, Path.Combine(data, "test"), "--json");
        Assert.Equal(0, console.ExitCode);
        string csv = _folder.PathOf("predictions.csv");
        Assert.Equal(0, CliProcess.Run(_log, "predict", "--model", model, Path.Combine(data, "test"), "--output", csv, "--batch-size", "7").ExitCode);

        using var json = JsonDocument.Parse(console.Output);
        var fromConsole = json.RootElement.GetProperty("predictions").EnumerateArray().ToDictionary(
            r => r.GetProperty("file").GetString()!, r => r.GetProperty("scores").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray());
        var lines = File.ReadAllLines(csv);
        Assert.Equal(24, lines.Length - 1);
        foreach (var cells in lines.Skip(1).Select(l => l.Split(',')))
        {
            // file, predicted, probability, p(NORMAL), p(OPACITY), error
            Assert.Equal(fromConsole[cells[0]], new[] { cells[3], cells[4] }.Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray());
        }
    }

    // The generator's 8-bit images as 16-bit gray PNGs with the high byte zero, in class folders.
    private static void Write(string root, string split, int count, int seed)
    {
        foreach (var image in SyntheticChestXrays.Generate(count, Size, seed, difficulty: 0.2))
        {
            string folder = Directory.CreateDirectory(Path.Combine(root, split, image.Opacity ? "OPACITY" : "NORMAL")).FullName;
            File.WriteAllBytes(Path.Combine(folder, image.Name + ".png"), PngTestWriter.Write(Size, Size, colorType: 0, bitDepth: 16, image.Pixels.Select(p => (int)p).ToArray()));
        }
    }
}
