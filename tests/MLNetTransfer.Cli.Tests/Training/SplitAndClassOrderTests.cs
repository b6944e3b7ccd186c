using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Cli.Data;
using MLNetTransfer.Cli.Training;
using MLNetTransfer.Torch.Metrics;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Training;

/// <summary>The held-out validation split (the library's TrainValidationSplit, by patient) and the binary class order.</summary>
public sealed class SplitAndClassOrderTests
{
    private static LabeledDataset Dataset(IReadOnlyList<ImageRecord> train, params string[] classes) =>
        new(classes.Length == 2 ? TaskKind.Binary : TaskKind.Multiclass, classes, train, null, null, Array.Empty<string>());

    [Fact]
    public void HeldOutSplitKeepsEachPatientOnOneSideAndLosesNoImage()
    {
        // 40 patients with 1 to 4 images each, labels mixed within a patient.
        var records = Enumerable.Range(0, 40)
            .SelectMany(p => Enumerable.Range(0, 1 + p % 4).Select(i => new ImageRecord($"/img/p{p}-{i}.png", (p + i) % 2 == 0 ? "A" : "B", null, $"P{p}", $"line {p}")))
            .ToList();
        var settings = new TrainSettings
        {
            Data = new DataSourceOptions { DataPath = "labels.csv", GroupColumn = "PatientId" },
            ValidationFraction = 0.25,
            Seed = 3,
        };
        var (train, validation) = TrainingRun.HoldOut(new MLContext(3), Dataset(records, "A", "B"), settings);

        Assert.Equal(records.Count, train.Count + validation.Count);
        Assert.Equal(records.Select(r => r.Path).Order(), train.Concat(validation).Select(r => r.Path).Order());
        var shared = train.Select(r => r.Group).Intersect(validation.Select(r => r.Group)).ToList();
        Assert.True(shared.Count == 0, $"patients on both sides: {string.Join(", ", shared)}");
        Assert.InRange(validation.Count, records.Count / 10, records.Count / 2);
    }

    [Fact]
    public void HeldOutSplitIsTheSameForTheSameSeed()
    {
        var records = Enumerable.Range(0, 50).Select(i => new ImageRecord($"/img/{i}.png", i % 2 == 0 ? "A" : "B", null, null, "")).ToList();
        var settings = new TrainSettings { Data = new DataSourceOptions { DataPath = "data" }, Seed = 9 };
        var first = TrainingRun.HoldOut(new MLContext(9), Dataset(records, "A", "B"), settings).Validation.Select(r => r.Path);
        var second = TrainingRun.HoldOut(new MLContext(9), Dataset(records, "A", "B"), settings).Validation.Select(r => r.Path);
        Assert.Equal(first, second);
    }

    [Fact]
    public void PositiveClassPutsTheFindingSecond()
    {
        var records = new[] { new ImageRecord("/a.png", "COVID", null, null, ""), new ImageRecord("/b.png", "NORMAL", null, null, "") };
        var data = Dataset(records, "COVID", "NORMAL");
        Assert.Equal(new[] { "NORMAL", "COVID" }, PositiveClass.Order(data, "COVID"));
        Assert.Equal(new[] { "COVID", "NORMAL" }, PositiveClass.Order(data, null));
        Assert.Equal(new[] { "COVID", "NORMAL" }, PositiveClass.Order(data, "NORMAL"));

        var unknown = Assert.Throws<CliException>(() => PositiveClass.Order(data, "PNEUMONIA"));
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("--positive-class", unknown.Message);
        Assert.Contains("'COVID'", unknown.Message);

        var three = Dataset(records, "A", "B", "C");
        Assert.Contains("3-class", Assert.Throws<CliException>(() => PositiveClass.Order(three, "A")).Message);
    }
}
