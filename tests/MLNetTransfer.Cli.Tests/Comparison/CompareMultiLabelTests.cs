using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Comparison;

/// <summary>
/// <c>mlnet-transfer compare</c> on two multi-label models of a CheXpert-style CSV (uncertain and missing targets left
/// out), whose labels are in opposite orders: one label's AUCs, equal to the library's CompareAuc of ML.NET's own
/// scores with the CSV's targets.
/// </summary>
[Collection("NoParallelization")]
public sealed class CompareMultiLabelTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public CompareMultiLabelTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void CompareOneLabelOfTwoMultiLabelModels()
    {
        // Opacity follows the image, with every seventh target uncertain; Device is a coin flip, every eleventh missing.
        var csv = new StringBuilder("Path,Opacity,Device\n");
        var random = new Random(5);
        var images = new List<string>();
        var targets = new List<float[]>();
        foreach (var image in SyntheticChestXrays.Generate(48, 40, seed: 11))
        {
            int n = images.Count;
            string file = _folder.PathOf(Path.Combine("images", image.Name + ".png"));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, SyntheticChestXrays.EncodePng(image));
            float opacity = n % 7 == 3 ? -1 : image.Opacity ? 1 : 0;
            float device = n % 11 == 5 ? float.NaN : random.Next(2);
            csv.Append(CultureInfo.InvariantCulture, $"{file},{opacity},{(float.IsNaN(device) ? "" : device.ToString(CultureInfo.InvariantCulture))}\n");
            images.Add(file);
            targets.Add([opacity, device]);
        }

        string data = _folder.Text("labels.csv", csv.ToString());
        string a = Train(data, "a.zip", "Opacity,Device", epochs: 1);
        string b = Train(data, "b.zip", "Device,Opacity", epochs: 2);

        var noClass = CliProcess.Run(_log, "compare", "--model", a, "--model", b, "--data", data);
        Assert.Equal(1, noClass.ExitCode);
        Assert.Contains("--class", noClass.Error);
        Assert.Contains("labels", noClass.Error);

        string jsonPath = _folder.PathOf("compare.json");
        var run = CliProcess.Run(_log, "compare", "--model", a, "--model", b, "--data", data, "--class", "Opacity", "--metrics-json", jsonPath);
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var m = json.RootElement;
        Assert.Equal("multi-label", m.GetProperty("task").GetString());
        Assert.Equal("Opacity", m.GetProperty("class").GetString());
        Assert.Equal(48, m.GetProperty("images").GetInt32());
        // Uncertain Opacity targets are left out, as the evaluators' default does.
        Assert.Equal(targets.Count(t => t[0] is 0 or 1), m.GetProperty("rows_compared").GetInt32());

        var (labelsA, scoresA) = MlNetScores.ScoreMultiLabel(a, images, 2);
        var (labelsB, scoresB) = MlNetScores.ScoreMultiLabel(b, images, 2);
        Assert.Equal(new[] { "Opacity", "Device" }, labelsA);
        Assert.Equal(new[] { "Device", "Opacity" }, labelsB);
        scoresB = MlNetScores.InOrder(labelsB, scoresB, labelsA);
        var ml = new MLContext(seed: 1);
        var expected = ml.MulticlassClassification.CompareAuc(Paired(ml, labelsA, targets, scoresA, scoresB), "ScoreA", "ScoreB", classIndex: 0);
        Assert.Equal(expected.Rows, m.GetProperty("rows_compared").GetInt32());
        Assert.Equal(expected.AucA, m.GetProperty("auc_a").GetDouble(), 12);
        Assert.Equal(expected.AucB, m.GetProperty("auc_b").GetDouble(), 12);
        Assert.Equal(expected.DeltaAuc, m.GetProperty("delta_auc").GetDouble(), 12);
        Assert.Equal(expected.PValue, m.GetProperty("p_value").GetDouble(), 9);
        var interval = m.GetProperty("delta_auc_ci95").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(expected.DeltaAucCi95.Lower, interval[0], 9);
        Assert.Equal(expected.DeltaAucCi95.Upper, interval[1], 9);
    }

    private string Train(string data, string name, string labelColumns, int epochs)
    {
        string model = _folder.PathOf(name);
        var run = CliProcess.Run(_log, "train", "--data", data, "--label-columns", labelColumns, "--grayscale", "--strategy", "feature-extraction",
            "--epochs", $"{epochs}", "--batch-size", "8", "--image-size", "32", "--output", model);
        Assert.Equal(0, run.ExitCode);
        return model;
    }

    // The targets as a vector named by the labels, and the two score vectors, per image.
    private static IDataView Paired(MLContext ml, string[] labels, IReadOnlyList<float[]> targets, float[][] a, float[][] b)
    {
        var definition = SchemaDefinition.Create(typeof(PairedRow));
        foreach (var column in new[] { nameof(PairedRow.Label), nameof(PairedRow.ScoreA), nameof(PairedRow.ScoreB) })
        {
            definition[column].ColumnType = new VectorDataViewType(NumberDataViewType.Single, labels.Length);
        }

        var names = new VBuffer<ReadOnlyMemory<char>>(labels.Length, labels.Select(l => l.AsMemory()).ToArray());
        definition[nameof(PairedRow.Label)].AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, labels.Length));
        return ml.Data.LoadFromEnumerable(targets.Select((t, i) => new PairedRow { Label = t, ScoreA = a[i], ScoreB = b[i] }).ToList(), definition);
    }

    private sealed class PairedRow
    {
        public float[] Label { get; set; } = [];

        public float[] ScoreA { get; set; } = [];

        public float[] ScoreB { get; set; } = [];
    }
}
