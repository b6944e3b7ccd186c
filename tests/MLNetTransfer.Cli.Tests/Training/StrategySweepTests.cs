using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Cli.Tests.Comparison;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Training;

/// <summary>
/// <c>mlnet-transfer train --strategy compare</c> (the built tool, as a separate process) on a tiny set: four models,
/// one table, and a recommendation that follows the rule (the cheapest strategy whose AUC is not significantly below the
/// best's), checked here from the file's own numbers; the AUCs are those of the saved models as ML.NET alone scores them.
/// </summary>
[Collection("NoParallelization")]
public sealed class StrategySweepTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public StrategySweepTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void FourStrategiesOneTableAndTheCheapestWithinNoiseOfTheBest()
    {
        string data = _folder.PathOf("xray");
        SyntheticChestXrays.WriteDataset(data, size: 40, train: 32, validation: 12, test: 16);
        string output = _folder.PathOf("models/model.zip");
        string jsonPath = _folder.PathOf("sweep.json");
        var run = CliProcess.Run(_log, "train", "--data", data, "--grayscale", "--strategy", "compare", "--epochs", "1", "--batch-size", "8",
            "--image-size", "32", "--output", output, "--metrics-json", jsonPath);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("auto -> feature-extraction", run.Output);
        Assert.Contains("Recommended:", run.Output);

        using var json = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var m = json.RootElement;
        var rows = m.GetProperty("strategies").EnumerateArray().Select(r => new
        {
            Strategy = r.GetProperty("strategy").GetString()!,
            Resolved = r.GetProperty("resolved_strategy").GetString()!,
            Model = r.GetProperty("model").GetString()!,
            Auc = r.GetProperty("auc").GetDouble(),
            Ci = r.GetProperty("auc_ci95").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            Seconds = r.GetProperty("train_seconds").GetDouble(),
            Parameters = r.GetProperty("trainable_parameters").GetInt64(),
            P = r.GetProperty("p_value_vs_best") is { ValueKind: JsonValueKind.Number } p ? p.GetDouble() : (double?)null,
            Delta = r.GetProperty("delta_auc_vs_best").GetDouble(),
            Best = r.GetProperty("best").GetBoolean(),
        }).ToList();
        Assert.Equal(new[] { "scratch", "feature-extraction", "auto", "full" }, rows.Select(r => r.Strategy));
        Assert.Equal(new[] { "scratch", "feature-extraction", "feature-extraction", "full" }, rows.Select(r => r.Resolved));
        Assert.Equal(new[] { "model-scratch.zip", "model-feature-extraction.zip", "model-auto.zip", "model-full.zip" }, rows.Select(r => Path.GetFileName(r.Model)));
        Assert.All(rows, r => Assert.True(File.Exists(r.Model), r.Model));
        Assert.False(File.Exists(output), "the sweep writes NAME-STRATEGY.zip files only");

        // Feature extraction trains the head only; full and scratch train every parameter.
        Assert.Equal(rows[1].Parameters, rows[2].Parameters);
        Assert.True(rows[1].Parameters < rows[3].Parameters);
        Assert.Equal(rows[0].Parameters, rows[3].Parameters);
        Assert.All(rows, r =>
        {
            Assert.True(r.Seconds > 0);
            Assert.InRange(r.Auc, 0, 1);
            Assert.True(r.Ci[0] <= r.Auc && r.Auc <= r.Ci[1], $"{r.Strategy}: {r.Auc} outside [{r.Ci[0]}, {r.Ci[1]}]");
        });

        // The rule, from the file's numbers: the best has the highest AUC; the others are tested against it; of those not
        // significantly below it (p >= 0.05, or the very same AUC), the fewest parameters, then the shortest training.
        double bestAuc = rows.Max(r => r.Auc);
        var best = Assert.Single(rows, r => r.Best);
        Assert.Equal(bestAuc, best.Auc);
        Assert.Null(best.P);
        Assert.All(rows.Where(r => !r.Best), r =>
        {
            Assert.Equal(r.Auc - bestAuc, r.Delta, 12);
            Assert.True(r.P is null ? r.Delta == 0 : r.P is >= 0 and <= 1, $"{r.Strategy}: p {r.P}, delta {r.Delta}");
        });
        var qualifying = rows.Where(r => r.Best || r.P >= 0.05 || r.Delta == 0).ToList();
        var cheapest = qualifying.OrderBy(r => r.Parameters).ThenBy(r => r.Seconds).First();
        Assert.Equal(cheapest.Strategy, m.GetProperty("recommended").GetString());
        Assert.Contains(cheapest.Strategy, m.GetProperty("recommended_reason").GetString());
        Assert.Equal("OPACITY", m.GetProperty("class").GetString());
        Assert.Equal(16, m.GetProperty("evaluated_images").GetInt32());

        // Each AUC is the saved model's, on the test split, as ML.NET alone scores it (counted pair by pair here).
        var images = MlNetScores.Images(Path.Combine(data, "test"));
        foreach (var row in rows)
        {
            var (classes, scores) = MlNetScores.Score(row.Model, images);
            Assert.Equal(MlNetScores.Auc(images, scores, Array.IndexOf(classes, "OPACITY"), "OPACITY"), row.Auc, 12);
        }
    }

    [Fact]
    public void WithBadImagesSkipABrokenValidationImageIsLeftOutOfEveryFitAndOfTheComparison()
    {
        // No test split: the four models are compared on the validation set, which holds a PNG cut in half.
        string data = _folder.PathOf("xray");
        SyntheticChestXrays.WriteSplit(Path.Combine(data, "train"), SyntheticChestXrays.Generate(24, 40, 11));
        SyntheticChestXrays.WriteSplit(Path.Combine(data, "val"), SyntheticChestXrays.Generate(12, 40, 12));
        string cut = Directory.EnumerateFiles(Path.Combine(data, "val"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.WriteAllBytes(cut, File.ReadAllBytes(cut)[..(int)(new FileInfo(cut).Length / 2)]);
        string[] arguments = { "train", "--data", data, "--strategy", "compare", "--epochs", "1", "--batch-size", "8", "--image-size", "32",
            "--output", _folder.PathOf("models/model.zip"), "--metrics-json", _folder.PathOf("sweep.json") };

        var refused = CliProcess.Run(_log, arguments);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains(cut, refused.Error);

        var run = CliProcess.Run(_log, arguments.Concat(new[] { "--bad-images", "skip" }).ToArray());
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(File.ReadAllText(_folder.PathOf("sweep.json")));
        var skipped = Assert.Single(json.RootElement.GetProperty("skipped_images").EnumerateArray());
        Assert.Equal(cut, skipped.GetProperty("path").GetString());
        Assert.Equal("validation", skipped.GetProperty("split").GetString());
        Assert.Equal(11, json.RootElement.GetProperty("evaluated_images").GetInt32());
        Assert.All(json.RootElement.GetProperty("strategies").EnumerateArray(), r => Assert.InRange(r.GetProperty("auc").GetDouble(), 0, 1));
    }

    [Fact]
    public void TheSweepRefusesOptionsMeantForOneRun()
    {
        string data = _folder.Folder("none");
        var report = CliProcess.Run(_log, "train", "--data", data, "--strategy", "compare", "--report", _folder.PathOf("report"));
        Assert.Equal(1, report.ExitCode);
        Assert.Contains("--report", report.Error);
        Assert.Contains("--strategy compare", report.Error);

        var bootstrap = CliProcess.Run(_log, "train", "--data", data, "--strategy", "compare", "--bootstrap", "200");
        Assert.Equal(1, bootstrap.ExitCode);
        Assert.Contains("--bootstrap", bootstrap.Error);

        var compareClass = CliProcess.Run(_log, "train", "--data", data, "--strategy", "full", "--compare-class", "OPACITY");
        Assert.Equal(1, compareClass.ExitCode);
        Assert.Contains("--compare-class", compareClass.Error);
    }
}
