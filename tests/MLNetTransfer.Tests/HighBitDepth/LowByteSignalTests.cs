using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Tests.Conformance;
using MLNetTransfer.Tests.Shared;
using MLNetTransfer.Torch.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.HighBitDepth;

/// <summary>
/// 16-bit images end to end (issue 14, item 3): the synthetic chest X-rays written as 16-bit PNGs whose whole signal is
/// in the low byte (every sample below 256). ML.NET's 8-bit <c>LoadImages</c> reduces every one of them to a black
/// image; with <see cref="ImageFileReader"/> (window 0..255) the task is learned, and the learned model scores the same
/// through the fitted transformer on paths and through the saved model.zip fed the float pixels of
/// <see cref="ImagePixelInput.LoadModelInput"/> in a fresh context, as an ML.NET app does.
/// </summary>
[Collection("NoParallelization")]
public sealed class LowByteSignalTests
{
    private const int Size = 64;
    private readonly ITestOutputHelper _output;

    public LowByteSignalTests(ITestOutputHelper output) => _output = output;

    private sealed class Row
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class PixelInput
    {
        [ColumnName(ResNetFineTuneTransformer.PixelsColumnName)]
        [VectorType(3 * Size * Size)]
        public float[] Pixels { get; set; } = Array.Empty<float>();
    }

    private sealed class ScoreOutput
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void A_signal_only_in_the_low_byte_is_learned_and_scores_identically_on_paths_and_from_the_saved_model()
    {
        using var folder = new TempDataFolder();
        var train = Write(folder.Root, "train", 96, seed: 31);
        var test = Write(folder.Root, "test", 40, seed: 32);
        var ml = new MLContext(seed: 1);
        var reader = new ImageFileReader(window: (0, 255));

        // What ML.NET's 8-bit loader makes of these files: one value everywhere, nothing to learn from.
        var eightBit = ml.Transforms.LoadImages("Image", null, nameof(Row.ImagePath))
            .Append(ml.Transforms.ResizeImages("Resized", Size, Size, "Image"))
            .Append(ml.Transforms.ExtractPixels("Pixels8", "Resized"))
            .Fit(ml.Data.LoadFromEnumerable(test)).Transform(ml.Data.LoadFromEnumerable(test));
        var distinct = eightBit.GetColumn<float[]>("Pixels8").SelectMany(p => p).Distinct().Count();
        Assert.Equal(1, distinct);

        var options = TestImages.FastOptions(epochs: 4);
        options.ImageColumnName = nameof(Row.ImagePath);
        options.Augmentation = AugmentationOptions.EvalOnly(Size, 56);
        options.PixelReader = reader;
        using var model = ml.Transforms.FineTuneResNet(options).Fit(ml.Data.LoadFromEnumerable(train));
        Assert.Equal("png-jpeg(window=0..255)", model.PixelReader);

        // Learned: AUC on the held-out images, by ML.NET's evaluator.
        var testView = ml.Data.LoadFromEnumerable(test);
        var scored = model.Transform(testView);
        var binaryTruth = ml.Transforms.CustomMapping<TruthIn, TruthOut>((i, o) => o.IsOpacity = i.Label == "OPACITY", null).Fit(scored).Transform(scored);
        var metrics = ml.BinaryClassification.EvaluateNonCalibrated(binaryTruth, "IsOpacity", "Logit");
        _output.WriteLine($"test AUC {metrics.AreaUnderRocCurve:F3} on {test.Count} images whose 8-bit reduction is black");
        Assert.True(metrics.AreaUnderRocCurve >= 0.9, $"test AUC {metrics.AreaUnderRocCurve}");

        // Saved, loaded in a fresh context, fed the float pixels an app computes: the very same scores.
        string zip = Path.Combine(folder.Root, "model.zip");
        ml.Model.Save(model, testView.Schema, zip);
        var input = ml.Model.LoadPixelInput(zip);
        Assert.Equal(new ModelPixelInput("png-jpeg(window=0..255)", Size), input);
        var app = new MLContext(seed: 7);
        var loaded = app.Model.Load(zip, out _);
        var pixelRows = test.Select(r => new PixelInput { Pixels = reader.LoadModelInput(r.ImagePath, input!.Size) }).ToList();
        var fromApp = app.Data.CreateEnumerable<ScoreOutput>(loaded.Transform(app.Data.LoadFromEnumerable(pixelRows)), reuseRowObject: false).Select(o => o.Score).ToArray();
        var inMemory = EstimatorConformance.ReadVectors(scored, "Score");
        using (var engine = app.Model.CreatePredictionEngine<PixelInput, ScoreOutput>(loaded))
        {
            var single = pixelRows.Select(r => engine.Predict(r).Score).ToArray();
            for (int i = 0; i < test.Count; i++)
            {
                Assert.Equal(inMemory[i], fromApp[i]);
                Assert.Equal(inMemory[i], single[i]);
            }
        }

        (loaded as IDisposable)?.Dispose();
    }

    private sealed class TruthIn
    {
        public string Label { get; set; } = "";
    }

    private sealed class TruthOut
    {
        public bool IsOpacity { get; set; }
    }

    // The generator's 8-bit images as 16-bit gray PNGs with the high byte zero: every sample is the 8-bit value.
    private static List<Row> Write(string root, string split, int count, int seed)
    {
        string folder = Directory.CreateDirectory(Path.Combine(root, split)).FullName;
        var rows = new List<Row>();
        foreach (var image in SyntheticChestXrays.Generate(count, Size, seed, difficulty: 0.2))
        {
            string path = Path.Combine(folder, image.Name + ".png");
            File.WriteAllBytes(path, PngTestWriter.Write(Size, Size, colorType: 0, bitDepth: 16, image.Pixels.Select(p => (int)p).ToArray()));
            rows.Add(new Row { ImagePath = path, Label = image.Opacity ? "OPACITY" : "NORMAL" });
        }

        return rows;
    }
}
