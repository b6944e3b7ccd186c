using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Comparison;

/// <summary>
/// <c>mlnet-transfer compare</c> (the built tool, as a separate process) on two models trained on the same tiny set with
/// different strategies, epochs and positive class: it prints the comparison and writes its keys, and every number in
/// the file is the library's CompareAuc of the two models' scores as ML.NET alone computes them (the AUCs are also
/// counted pair by pair here). Models of other classes are refused by name.
/// </summary>
[Collection("NoParallelization")]
public sealed class CompareCommandTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public CompareCommandTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void CompareWritesTheLibrarysPairedDeLongTestOfTwoModelsOnTheTestSplit()
    {
        string data = _folder.PathOf("xray");
        SyntheticChestXrays.WriteDataset(data, size: 40, train: 32, validation: 12, test: 16);
        string a = Train(data, "a.zip", "feature-extraction", epochs: 1);
        // B puts NORMAL second: compare must line its scores up with A's classes by name.
        string b = Train(data, "b.zip", "last-stages:1", epochs: 2, "--positive-class", "NORMAL");

        string jsonPath = _folder.PathOf("compare.json");
        var run = CliProcess.Run(_log, "compare", "--model", a, "--model", b, "--data", data, "--metrics-json", jsonPath);
        Assert.Equal(0, run.ExitCode);
        foreach (var line in new[] { "AUC A", "AUC B", "delta AUC (A - B)", "95% CI of delta", "p-value (paired DeLong)", "OPACITY" })
        {
            Assert.Contains(line, run.Output);
        }

        using var json = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var m = json.RootElement;
        Assert.Equal(a, m.GetProperty("model_a").GetString());
        Assert.Equal(b, m.GetProperty("model_b").GetString());
        Assert.Equal("OPACITY", m.GetProperty("class").GetString());

        // The reference: both models scored by ML.NET alone, B's slots put in A's order, compared by the library.
        var images = MlNetScores.Images(Path.Combine(data, "test"));
        Assert.Equal(images.Count, m.GetProperty("images").GetInt32());
        var (classesA, scoresA) = MlNetScores.Score(a, images);
        var (classesB, scoresB) = MlNetScores.Score(b, images);
        Assert.Equal(new[] { "NORMAL", "OPACITY" }, classesA);
        Assert.Equal(new[] { "OPACITY", "NORMAL" }, classesB);
        scoresB = MlNetScores.InOrder(classesB, scoresB, classesA);
        var ml = new MLContext(seed: 1);
        var expected = ml.MulticlassClassification.CompareAuc(Paired(ml, classesA, images, scoresA, scoresB), "ScoreA", "ScoreB");

        Assert.Equal(MlNetScores.Auc(images, scoresA, 1, "OPACITY"), m.GetProperty("auc_a").GetDouble(), 12);
        Assert.Equal(MlNetScores.Auc(images, scoresB, 1, "OPACITY"), m.GetProperty("auc_b").GetDouble(), 12);
        Assert.Equal(expected.AucA, m.GetProperty("auc_a").GetDouble(), 12);
        Assert.Equal(expected.AucB, m.GetProperty("auc_b").GetDouble(), 12);
        Assert.Equal(expected.DeltaAuc, m.GetProperty("delta_auc").GetDouble(), 12);
        Assert.Equal(expected.ZScore, m.GetProperty("z_score").GetDouble(), 9);
        Assert.Equal(expected.PValue, m.GetProperty("p_value").GetDouble(), 9);
        var interval = m.GetProperty("delta_auc_ci95").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(2, interval.Length);
        Assert.Equal(expected.DeltaAucCi95.Lower, interval[0], 9);
        Assert.Equal(expected.DeltaAucCi95.Upper, interval[1], 9);
        Assert.True(double.IsFinite(expected.PValue) && expected.PValue is > 0 and <= 1, $"p = {expected.PValue}");

        // A three-class model: refused next to a two-class one, naming both files; on its own data it needs --class.
        for (int i = 0; i < 24; i++)
        {
            _folder.Png($"three/{"ABC"[i % 3]}/{i:D2}.png", seed: 300 + i);
        }

        string threeData = _folder.PathOf("three");
        string c = Train(threeData, "c.zip", "feature-extraction", epochs: 1);
        var mismatch = CliProcess.Run(_log, "compare", "--model", a, "--model", c, "--data", data);
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("--model", mismatch.Error);
        Assert.Contains(a, mismatch.Error);
        Assert.Contains(c, mismatch.Error);

        var noClass = CliProcess.Run(_log, "compare", "--model", c, "--model", c, "--data", threeData);
        Assert.Equal(1, noClass.ExitCode);
        Assert.Contains("--class", noClass.Error);

        // A model against itself: the same AUC, a difference of 0 with no variance, so no p-value (null, and why).
        string selfPath = _folder.PathOf("self.json");
        var self = CliProcess.Run(_log, "compare", "--model", c, "--model", c, "--data", threeData, "--class", "B", "--metrics-json", selfPath);
        Assert.Equal(0, self.ExitCode);
        using var selfJson = JsonDocument.Parse(File.ReadAllText(selfPath));
        Assert.Equal("B", selfJson.RootElement.GetProperty("class").GetString());
        Assert.Equal(24, selfJson.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(0, selfJson.RootElement.GetProperty("delta_auc").GetDouble());
        Assert.Equal(JsonValueKind.Null, selfJson.RootElement.GetProperty("p_value").ValueKind);
        Assert.True(selfJson.RootElement.TryGetProperty("undefined_reason", out _));
    }

    [Fact]
    public void CompareNeedsTheModelOptionExactlyTwice()
    {
        string data = _folder.Folder("empty");
        var once = CliProcess.Run(_log, "compare", "--model", _folder.PathOf("a.zip"), "--data", data);
        Assert.Equal(1, once.ExitCode);
        Assert.Contains("--model must be given exactly twice", once.Error + once.Output);

        var missing = CliProcess.Run(_log, "compare", "--model", _folder.PathOf("a.zip"), "--model", _folder.PathOf("b.zip"), "--data", data);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("--model", missing.Error);
        Assert.Contains(_folder.PathOf("a.zip"), missing.Error);
    }

    private string Train(string data, string name, string strategy, int epochs, params string[] more)
    {
        string model = _folder.PathOf(name);
        var run = CliProcess.Run(_log, new[] { "train", "--data", data, "--grayscale", "--strategy", strategy, "--epochs", $"{epochs}",
            "--batch-size", "8", "--image-size", "32", "--output", model }.Concat(more));
        Assert.Equal(0, run.ExitCode);
        return model;
    }

    // Label as a key in the classes' order (MapValueToKey with them as key data) and the two score vectors, per image.
    private static IDataView Paired(MLContext ml, string[] classes, IReadOnlyList<(string Path, string Label)> images, float[][] a, float[][] b)
    {
        var rows = ml.Data.LoadFromEnumerable(images.Select((image, i) => new PairedRow { Label = image.Label, ScoreA = a[i], ScoreB = b[i] }).ToList(),
            PairedRow.Definition(classes.Length));
        var keys = ml.Data.LoadFromEnumerable(classes.Select(c => new KeyRow { Value = c }).ToList());
        return ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys).Fit(rows).Transform(rows);
    }

    private sealed class KeyRow
    {
        public string Value { get; set; } = "";
    }

    private sealed class PairedRow
    {
        public string Label { get; set; } = "";

        public float[] ScoreA { get; set; } = [];

        public float[] ScoreB { get; set; } = [];

        public static SchemaDefinition Definition(int size)
        {
            var definition = SchemaDefinition.Create(typeof(PairedRow));
            definition[nameof(ScoreA)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
            definition[nameof(ScoreB)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
            return definition;
        }
    }
}
