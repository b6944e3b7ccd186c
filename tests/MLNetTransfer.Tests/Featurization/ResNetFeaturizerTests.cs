using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Featurization;
using MLNetTransfer.Scoring;
using MLNetTransfer.SyntheticData;
using MLNetTransfer.Torch;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Tests.Featurization;

/// <summary>The grayscale-adapted featurizer gives TorchSharp's backbone features and feeds an ML.NET trainer.</summary>
[Collection("NoParallelization")]
public sealed class ResNetFeaturizerTests
{
    private readonly ITestOutputHelper _output;

    public ResNetFeaturizerTests(ITestOutputHelper output) => _output = output;

    private sealed class FeatureRow
    {
        [VectorType(512)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void Gray_features_equal_the_adapted_torchsharp_backbone()
    {
        using var folder = new SyntheticFolder(4, 64, seed: 9);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(folder.Rows);
        var estimator = ml.Transforms.LoadImages("Image", folder.Root, nameof(SyntheticFolder.Row.ImagePath))
            .Append(ml.Transforms.FeaturizeResNet(new ResNetFeaturizerOptions { Grayscale = true, ResizeTo = 64, CropSize = 56 }));
        using var model = estimator.Fit(data);
        var features = ml.Data.CreateEnumerable<FeatureRow>(model.Transform(data), reuseRowObject: false).Select(r => r.Features).ToList();

        using var torchModel = MLNetResNet18.Load(new PretrainedOptions { Grayscale = true });
        torchModel.eval();
        var norm = torchModel.Normalization;
        for (int i = 0; i < folder.Rows.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            // The PNG is 8-bit gray: luma of R = G = B is the value itself. Centre crop 64 → 56 (offset 4).
            var image = Torch.Data.ImageDecoder.Decode(Path.Combine(folder.Root, folder.Rows[i].ImagePath));
            var x = tensor(image.Pixels, new long[] { 1, 1, 64, 64 })[.., .., 4..60, 4..60];
            var expected = torchModel.ForwardFeatures((x - norm.Mean[0]) / norm.Std[0]).data<float>().ToArray();
            float scale = expected.Max(MathF.Abs);
            float diff = expected.Zip(features[i], (a, b) => MathF.Abs(a - b)).Max();
            _output.WriteLine($"image {i}: max |feature| {scale:G4}, max |diff| {diff:G3}");
            Assert.True(diff <= 1e-4f * scale, $"image {i}: {diff} > 1e-4 x {scale}");
        }
    }

    [Fact]
    public void Features_feed_an_mlnet_trainer_and_the_model_saves_and_loads()
    {
        using var train = new SyntheticFolder(120, 64, seed: 3);
        using var test = new SyntheticFolder(60, 64, seed: 4);
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.LoadImages("Image", null, nameof(SyntheticFolder.Row.ImagePath)))
            .Append(ml.Transforms.FeaturizeResNet(new ResNetFeaturizerOptions { Grayscale = true, ResizeTo = 64, CropSize = 56 }))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"));
        var trainData = ml.Data.LoadFromEnumerable(train.Rows.Select(r => Absolute(train, r)));
        var testData = ml.Data.LoadFromEnumerable(test.Rows.Select(r => Absolute(test, r)));
        var model = pipeline.Fit(trainData);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(testData));
        _output.WriteLine($"micro accuracy {metrics.MicroAccuracy:P1}, log loss {metrics.LogLoss:F3}");
        Assert.True(metrics.MicroAccuracy > 0.75, $"accuracy {metrics.MicroAccuracy}");

        string zip = Path.Combine(train.Root, "features.zip");
        ml.Model.Save(model, trainData.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        var again = ml.MulticlassClassification.Evaluate(loaded.Transform(testData));
        Assert.Equal(metrics.MicroAccuracy, again.MicroAccuracy);
        (loaded as IDisposable)?.Dispose();
        (model as IDisposable)?.Dispose();
    }

    [Fact]
    public void The_graph_file_lives_as_long_as_the_model_and_is_deleted_on_dispose()
    {
        using var folder = new SyntheticFolder(4, 64, seed: 9);
        var ml = new MLContext(seed: 1);
        var data = LoadedImages(ml, folder);
        var transformer = ml.Transforms.FeaturizeResNet(new ResNetFeaturizerOptions { ResizeTo = 64, CropSize = 56 }).Fit(data);
        string file = transformer.OnnxModelFilePath;
        Assert.True(File.Exists(file), file);
        Assert.Equal(transformer.OnnxModel.ToArray(), File.ReadAllBytes(file));

        // ML.NET's OnnxTransformer reads the graph again, by path, when the model is saved.
        string zip = Path.Combine(folder.Root, "features.zip");
        ml.Model.Save(transformer, data.Schema, zip);
        var before = ml.Data.CreateEnumerable<FeatureRow>(transformer.Transform(data), reuseRowObject: false).Select(r => r.Features).ToList();
        transformer.Dispose();
        Assert.False(File.Exists(file), $"{file} is still there after Dispose");

        // The saved model does not need that file.
        var loaded = ml.Model.Load(zip, out _);
        try
        {
            var after = ml.Data.CreateEnumerable<FeatureRow>(loaded.Transform(data), reuseRowObject: false).Select(r => r.Features).ToList();
            Assert.Equal(before, after);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void A_chain_that_is_never_built_deletes_its_graph_file()
    {
        using var folder = new SyntheticFolder(2, 64, seed: 9);
        var ml = new MLContext(seed: 1);
        var data = LoadedImages(ml, folder);
        byte[] onnx;
        using (var transformer = ml.Transforms.FeaturizeResNet(new ResNetFeaturizerOptions { ResizeTo = 64, CropSize = 56 }).Fit(data))
        {
            onnx = transformer.OnnxModel.ToArray();
        }

        string? file;
        using (var builder = new OnnxChainBuilder(ml, data))
        {
            builder.AddImagePreprocessing("Image", null, 64);
            // The graph's output is named MLNetTransfer.Features; asking for another fails inside ML.NET's Fit.
            Assert.ThrowsAny<Exception>(() => builder.AddOnnx(new[] { "NoSuchOutput" }, onnx, gpuDeviceId: null, fallbackToCpu: false));
            file = builder.ModelFilePath;
            Assert.True(File.Exists(file), file);
        }

        Assert.False(File.Exists(file), $"{file} is still there after the builder was disposed");
    }

    // The folder's rows with an MLImage column "Image" loaded by ML.NET's LoadImages.
    private static IDataView LoadedImages(MLContext ml, SyntheticFolder folder)
    {
        var rows = ml.Data.LoadFromEnumerable(folder.Rows);
        return ml.Transforms.LoadImages("Image", folder.Root, nameof(SyntheticFolder.Row.ImagePath)).Fit(rows).Transform(rows);
    }

    private static SyntheticFolder.Row Absolute(SyntheticFolder folder, SyntheticFolder.Row row) =>
        new() { ImagePath = Path.Combine(folder.Root, row.ImagePath), Label = row.Label, Patient = row.Patient };
}
