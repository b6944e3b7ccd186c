using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Tests.Data;
using MLNetTransfer.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Cli.Tests.Training;

/// <summary>
/// For the same data, fraction and seed, <c>mlnet-transfer train</c> (the built tool, as a separate process) holds out
/// exactly the images that the library's <see cref="ImageDataCatalog.TrainValidationSplit"/> holds out of
/// <see cref="ImageDataCatalog.LoadImageSplits"/>: <c>--validation-list</c> writes them, and the metrics file counts them.
/// </summary>
[Collection("NoParallelization")]
public sealed class HeldOutRowsTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly TempDataFolder _folder = new();

    public HeldOutRowsTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_csv_with_a_patient_column_holds_out_the_same_images_as_the_library()
    {
        // 24 patients with 1 to 5 images each; the class is drawn per image.
        var random = new Random(3);
        var csv = new StringBuilder("Path,Label,PatientId\n");
        int n = 0;
        for (int patient = 0; n < 72; patient++)
        {
            for (int i = 0, count = 1 + random.Next(5); i < count && n < 72; i++, n++)
            {
                _folder.Png($"images/{n:D2}.png", seed: n + 1);
                csv.Append(CultureInfo.InvariantCulture, $"images/{n:D2}.png,{(random.Next(3) == 0 ? "OPACITY" : "NORMAL")},P{patient}\n");
            }
        }

        string data = _folder.Text("labels.csv", csv.ToString());
        string[] cli = HeldOutByTool("--data", data, "--group-column", "PatientId", "--validation-fraction", "0.2", "--seed", "5");

        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadImageSplits(data, new ImageSplitsOptions { GroupColumnName = "PatientId" }).TrainSet;
        var library = ml.Data.TrainValidationSplit(train, 0.2, "PatientId", "Label", seed: 5).ValidationSet.GetColumn<string>("ImagePath").ToArray();

        Assert.Equal(library, cli);
        Assert.InRange(cli.Length / 72.0, 0.15, 0.25);
    }

    [Fact]
    public void A_folder_without_val_holds_out_the_same_images_as_the_library()
    {
        for (int i = 0; i < 40; i++)
        {
            _folder.Png($"xray/train/{(i % 3 == 0 ? "OPACITY" : "NORMAL")}/{i:D2}.png", seed: i + 1);
        }

        _folder.Png("xray/test/NORMAL/t1.png", seed: 101);
        _folder.Png("xray/test/OPACITY/t2.png", seed: 102);
        string data = _folder.PathOf("xray");
        string[] cli = HeldOutByTool("--data", data, "--validation-fraction", "0.25", "--seed", "2");

        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadImageSplits(data).TrainSet;
        var library = ml.Data.TrainValidationSplit(train, 0.25, groupColumnName: null, labelColumnName: "Label", seed: 2).ValidationSet.GetColumn<string>("ImagePath").ToArray();

        Assert.Equal(library, cli);
        Assert.Equal(10, cli.Length);
    }

    // Trains for one short epoch with the validation list and the metrics file; returns the listed images, after checking
    // that the metrics file counts the same.
    private string[] HeldOutByTool(params string[] data)
    {
        string list = _folder.PathOf($"validation-{Guid.NewGuid():N}.txt");
        string metrics = _folder.PathOf($"metrics-{Guid.NewGuid():N}.json");
        var run = CliProcess.Run(_log, new[] { "train" }.Concat(data).Concat(new[]
        {
            "--grayscale", "--strategy", "feature-extraction", "--epochs", "1", "--batch-size", "8", "--image-size", "32",
            "--output", _folder.PathOf($"model-{Guid.NewGuid():N}.zip"), "--metrics-json", metrics, "--validation-list", list,
        }));
        Assert.Equal(0, run.ExitCode);
        string[] held = File.ReadAllLines(list);
        using var json = JsonDocument.Parse(File.ReadAllText(metrics));
        Assert.Equal(held.Length, json.RootElement.GetProperty("validation_images").GetInt32());
        Assert.All(held, path => Assert.True(Path.IsPathRooted(path) && File.Exists(path), path));
        return held;
    }
}
