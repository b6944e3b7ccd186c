using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Tests.Conformance;
using MLNetTransfer.Torch.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Explain;

/// <summary>
/// The network Grad-CAM rebuilds from a saved model.zip's ONNX graph is the network the model scores with: on the same
/// images, the explainer's scores equal ONNX Runtime's (through ML.NET's loaded chain) to 1e-4, for a gray network with
/// calibration and test-time flip and for an RGB network with the feature-extraction MLP head. The maps lie in [0, 1]
/// at the network's input size, and the overlay is a PNG of that size.
/// </summary>
[Collection("NoParallelization")]
public sealed class GradCamModelFileTests
{
    private readonly ITestOutputHelper _output;

    public GradCamModelFileTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Explainer_scores_equal_onnx_runtime_scores_of_the_saved_model(bool grayscale, bool featureExtraction)
    {
        using var train = new SyntheticFolder(24, 80, seed: 21);
        using var validation = new SyntheticFolder(16, 80, seed: 22);
        var ml = new MLContext(seed: 1);
        var keyData = ml.Data.LoadFromEnumerable(new[] { new KeyRow { Label = "NORMAL" }, new KeyRow { Label = "OPACITY" } });
        var prefix = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keyData);
        var trainData = Absolute(ml, train);
        var options = new ResNetFineTuneTrainer.Options
        {
            ImageColumnName = nameof(SyntheticFolder.Row.ImagePath),
            Strategy = featureExtraction ? FreezeStrategy.FeatureExtraction : FreezeStrategy.Full(),
            Grayscale = grayscale,
            Augmentation = new AugmentationOptions { ResizeTo = 64, CropSize = 56 },
            Epochs = 1,
            WarmupEpochs = 0,
            BatchSize = 16,
            ValidationSet = prefix.Fit(trainData).Transform(Absolute(ml, validation)),
            Calibrate = !featureExtraction,
            TestTimeFlip = !featureExtraction,
        };
        string zip = Path.Combine(train.Root, "model.zip");
        using (var fitted = prefix.Append(ml.Transforms.FineTuneResNet(options)).Fit(trainData))
        {
            ml.Model.Save(fitted, trainData.Schema, zip);
        }

        var app = new MLContext();
        var loaded = app.Model.Load(zip, out _);
        try
        {
            var images = validation.Rows.Take(4).Select(r => Path.Combine(validation.Root, r.ImagePath)).ToList();
            var scored = app.Data.CreateEnumerable<Scored>(
                loaded.Transform(app.Data.LoadFromEnumerable(images.Select(p => new SyntheticFolder.Row { ImagePath = p }))), reuseRowObject: false).ToList();

            long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (var explainer = app.Model.LoadGradCam(zip))
            {
                Assert.Equal(new[] { "NORMAL", "OPACITY" }, explainer.ClassNames);
                Assert.False(explainer.IsMultiLabel);
                float maxDiff = 0;
                for (int i = 0; i < images.Count; i++)
                {
                    for (int c = 0; c < 2; c++)
                    {
                        var map = explainer.Explain(images[i], c, c == 0 ? "layer3" : GradCamExplainer.DefaultStage);
                        maxDiff = Math.Max(maxDiff, Math.Abs(map.Score - scored[i].Score[c]));
                        Assert.Equal((56, 56), (map.Width, map.Height));
                        Assert.Equal(3 * 56 * 56, map.ImagePixels.Count);
                        Assert.All(map.Values, v => Assert.InRange(v, 0f, 1f));
                        Assert.True(map.Values.Max() is 0f or 1f, "the map is divided by its maximum");
                    }
                }

                _output.WriteLine($"grayscale {grayscale}, feature extraction {featureExtraction}: max |score - ONNX Runtime's| {maxDiff:E2}");
                Assert.True(maxDiff <= 1e-4f, $"max |score diff| {maxDiff}");

                var predicted = explainer.ExplainPrediction(images[0]);
                Assert.Single(predicted);
                using var png = SKBitmap.Decode(predicted[0].ToOverlayPng());
                Assert.Equal((56, 56), (png.Width, png.Height));
                var named = explainer.Explain(images[0], "OPACITY");
                Assert.Equal(1, named.ClassIndex);
                var badClass = Assert.Throws<ArgumentException>(() => explainer.Explain(images[0], "PNEUMONIA"));
                Assert.Contains("'NORMAL', 'OPACITY'", badClass.Message);
                var badStage = Assert.Throws<ArgumentException>(() => explainer.Explain(images[0], 0, "layer0"));
                Assert.Contains("layer1, layer2, layer3, layer4", badStage.Message);
            }

            Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void A_multi_label_transformer_explains_each_label_the_model_predicts()
    {
        using var images = new TestImages(32, seed: 41, flippedEvery: 3);
        var rows = images.Rows.Select(r => new LabelRow { ImagePath = r.ImagePath, Findings = new[] { r.Opacity ? 1f : 0f, r.Flipped ? 1f : 0f } }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = TestImages.FastOptions(epochs: 1);
        options.LabelColumnName = nameof(LabelRow.Findings);
        options.ImageColumnName = nameof(LabelRow.ImagePath);
        using var model = ml.Transforms.FineTuneResNet(options).Fit(data);
        Assert.Equal(TaskKind.MultiLabel, model.Task);
        var scored = ml.Data.CreateEnumerable<LabelPrediction>(model.Transform(data), reuseRowObject: false).ToList();

        using var explainer = model.CreateGradCam();
        Assert.True(explainer.IsMultiLabel);
        Assert.Equal(model.ClassNames, explainer.ClassNames);
        float maxDiff = 0;
        for (int i = 0; i < 6; i++)
        {
            var maps = explainer.ExplainPrediction(rows[i].ImagePath);
            var expected = Enumerable.Range(0, 2).Where(j => scored[i].PredictedLabel[j]).ToList();
            if (expected.Count == 0)
            {
                expected.Add(scored[i].Score[1] > scored[i].Score[0] ? 1 : 0); // none over its threshold: the top label
            }

            Assert.Equal(expected, maps.Select(m => m.ClassIndex));
            foreach (var map in maps)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(map.Score - scored[i].Score[map.ClassIndex]));
            }
        }

        _output.WriteLine($"multi-label: max |score - ONNX Runtime's| {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4f, $"max |score diff| {maxDiff}");
    }

    private sealed class LabelRow
    {
        public string ImagePath { get; set; } = "";

        [Microsoft.ML.Data.VectorType(2)]
        public float[] Findings { get; set; } = Array.Empty<float>();
    }

    private sealed class LabelPrediction
    {
        [Microsoft.ML.Data.VectorType(2)]
        public float[] Score { get; set; } = Array.Empty<float>();

        [Microsoft.ML.Data.VectorType(2)]
        public bool[] PredictedLabel { get; set; } = Array.Empty<bool>();
    }

    private static IDataView Absolute(MLContext ml, SyntheticFolder folder) =>
        ml.Data.LoadFromEnumerable(folder.Rows.Select(r => new SyntheticFolder.Row { ImagePath = Path.Combine(folder.Root, r.ImagePath), Label = r.Label, Patient = r.Patient }));

    private sealed class KeyRow
    {
        public string Label { get; set; } = "";
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
