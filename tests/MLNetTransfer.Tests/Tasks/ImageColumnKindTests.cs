using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Tests.Conformance;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Tasks;

/// <summary>The image column as file paths (no LoadImages) and as encoded bytes (LoadRawImageBytes).</summary>
[Collection("NoParallelization")]
public sealed class ImageColumnKindTests
{
    private readonly ITestOutputHelper _output;

    public ImageColumnKindTests(ITestOutputHelper output) => _output = output;

    private sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        public string PredictedClass { get; set; } = "";
    }

    [Fact]
    public void A_path_column_relative_to_ImageFolder_trains_scores_and_saves()
    {
        using var images = new TestImages(48, seed: 51);
        foreach (var row in images.Rows)
        {
            row.ImagePath = Path.GetFileName(row.ImagePath);
        }

        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var options = TestImages.FastOptions();
        options.ImageColumnName = nameof(TestImages.Row.ImagePath);
        options.ImageFolder = images.Root;
        var estimator = ml.Transforms.FineTuneResNet(options);
        var key = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        using var model = key.Append(estimator)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"))
            .Fit(data);

        var scored = model.Transform(data);
        var shape = estimator.GetOutputSchema(TestImages.ShapeAfter(ml, key));
        EstimatorConformance.CheckShapeAgainstSchema(shape, scored.Schema);
        var predictions = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();
        Assert.Equal(images.Rows.Count, predictions.Count);
        Assert.All(predictions, p => Assert.Contains(p.PredictedClass, new[] { "NORMAL", "OPACITY" }));
        double accuracy = predictions.Zip(images.Rows).Count(x => x.First.PredictedClass == x.Second.Label) / (double)predictions.Count;
        _output.WriteLine($"training accuracy {accuracy:P1}");

        // The scoring chain loads the paths relative to the same folder, also after a round trip.
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(stream, out _);
        var reloaded = fresh.Data.CreateEnumerable<Prediction>(loaded.Transform(images.Load(fresh)), reuseRowObject: false).ToList();
        Assert.Equal(predictions.Select(p => p.Score), reloaded.Select(p => p.Score));
        (loaded as IDisposable)?.Dispose();
    }

    /// <remarks>
    /// ML.NET's LoadImages, the only built-in image decoder and the one the saved scoring chain must use, reads file
    /// paths only ("expected String, got Vector&lt;Byte&gt;"), so a model trained on encoded bytes could not score them.
    /// The estimator refuses a byte column before any training, at GetOutputSchema and at Fit, and says why.
    /// </remarks>
    [Fact]
    public void An_encoded_bytes_column_is_refused_before_training()
    {
        using var images = new TestImages(8, seed: 52);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var options = TestImages.FastOptions();
        options.ImageColumnName = "Bytes";
        var estimator = ml.Transforms.FineTuneResNet(options);
        var prefix = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadRawImageBytes("Bytes", null, nameof(TestImages.Row.ImagePath)));

        var shapeError = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TestImages.ShapeAfter(ml, prefix)));
        Assert.Contains("Schema mismatch for input column 'Bytes': expected Image or String (a file path), got VarVector<Byte>", shapeError.Message);
        Assert.Contains("LoadImages", shapeError.Message);

        var prepared = prefix.Fit(data).Transform(data);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var fitError = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(prepared));
        Assert.Contains("Schema mismatch for input column 'Bytes'", fitError.Message);
        Assert.Contains("reads file paths only", fitError.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"refused after {watch.Elapsed}");
        _output.WriteLine(fitError.Message);
    }
}
