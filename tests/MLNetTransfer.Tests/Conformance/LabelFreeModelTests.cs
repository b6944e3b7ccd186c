using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Conformance;

/// <summary>
/// A String label goes to <c>FineTuneResNet</c> as it is: the key mapping happens inside <c>Fit</c>, so the fitted and
/// saved model scores a data view that has only the image path column (issue 15, item 6), and it trains the same model
/// as ML.NET's own <c>MapValueToKey(ByValue)</c> in front of it.
/// </summary>
[Collection("NoParallelization")]
public sealed class LabelFreeModelTests
{
    private readonly ITestOutputHelper _output;

    public LabelFreeModelTests(ITestOutputHelper output) => _output = output;

    private sealed class ModelInput
    {
        public string ImagePath { get; set; } = "";
    }

    [Fact]
    public void A_text_label_trains_as_MapValueToKey_ByValue_and_the_saved_model_scores_paths_alone()
    {
        using var images = new TestImages(24, seed: 21);
        var ml = new MLContext(seed: 1);
        var data = images.Load(ml);
        var options = TestImages.FastOptions(epochs: 1);
        options.ImageColumnName = nameof(TestImages.Row.ImagePath);

        // The label as text: no MapValueToKey in the pipeline.
        var textPipeline = ml.Transforms.FineTuneResNet(options).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        using var textModel = textPipeline.Fit(data);
        // The same with ML.NET's own key mapping in front: the same classes in the same order, so the same training.
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.FineTuneResNet(options)).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        using var keyModel = keyed.Fit(data);
        Assert.Equal(keyModel.OfType<ResNetFineTuneTransformer>().Single().ClassNames, textModel.OfType<ResNetFineTuneTransformer>().Single().ClassNames);
        Assert.Equal(new[] { "NORMAL", "OPACITY" }, textModel.OfType<ResNetFineTuneTransformer>().Single().ClassNames);

        // Saved, loaded in a fresh context and scored on the paths alone: no Label column anywhere.
        string zip = Path.Combine(images.Root, "label-free.zip");
        ml.Model.Save(textModel, data.Schema, zip);
        var fresh = new MLContext(seed: 2);
        using var loaded = (IDisposable)fresh.Model.Load(zip, out _);
        var pathsOnly = fresh.Data.LoadFromEnumerable(images.Rows.Select(r => new ModelInput { ImagePath = r.ImagePath }).ToList());
        Assert.Null(pathsOnly.Schema.GetColumnOrNull("Label"));
        var scored = ((ITransformer)loaded).Transform(pathsOnly);
        var loadedScores = EstimatorConformance.ReadVectors(scored, "Score");
        var loadedLabels = scored.GetColumn<string>("PredictedLabel").ToArray();

        var textScores = EstimatorConformance.ReadVectors(textModel.Transform(data), "Score");
        var keyScores = EstimatorConformance.ReadVectors(keyModel.Transform(data), "Score");
        var keyLabels = keyModel.Transform(data).GetColumn<string>("PredictedLabel").ToArray();
        double saved = MaxDifference(textScores, loadedScores), trained = MaxDifference(keyScores, textScores);
        _output.WriteLine($"{textScores.Length} images; max |in memory - loaded on paths alone| = {saved:E2}; max |text label - MapValueToKey label| = {trained:E2}");
        Assert.True(saved <= 1e-6, $"saved model differs by {saved}");
        Assert.True(trained <= 1e-5, $"text-label training differs from MapValueToKey(ByValue) training by {trained}");
        Assert.Equal(keyLabels, loadedLabels);
        Assert.All(loadedLabels, l => Assert.Contains(l, new[] { "NORMAL", "OPACITY" }));
    }

    [Fact]
    public void A_text_validation_set_gets_the_training_rows_mapping()
    {
        using var images = new TestImages(32, seed: 22);
        var ml = new MLContext(seed: 1);
        var options = TestImages.FastOptions(epochs: 1);
        options.ImageColumnName = nameof(TestImages.Row.ImagePath);
        options.ValidationSet = ml.Data.LoadFromEnumerable(images.Rows.Skip(24).ToList());
        using var model = ml.Transforms.FineTuneResNet(options).Fit(ml.Data.LoadFromEnumerable(images.Rows.Take(24).ToList()));
        var epoch = model.TrainingResult.Epochs.Single();
        _output.WriteLine($"validation AUC {epoch.ValidationAuc:F4}, loss {epoch.ValidationLoss:F4}");
        Assert.False(double.IsNaN(epoch.ValidationAuc), "The text validation set was not scored.");
    }

    [Fact]
    public void A_text_label_shape_gives_a_text_valued_PredictedLabel_key()
    {
        var ml = new MLContext(seed: 1);
        var options = TestImages.FastOptions();
        options.ImageColumnName = nameof(TestImages.Row.ImagePath);
        var shape = ml.Transforms.FineTuneResNet(options).GetOutputSchema(TestImages.ShapeAfter(ml));
        var predicted = shape.Single(c => c.Name == "PredictedLabel");
        Assert.True(predicted.IsKey);
        Assert.Contains(predicted.Annotations, a => a.Name == "KeyValues" && a.ItemType is TextDataViewType);
        // MapKeyToValue after it gives text, as it does after a MapValueToKey'd label.
        var back = ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").GetOutputSchema(shape);
        Assert.IsType<TextDataViewType>(back.Single(c => c.Name == "PredictedLabel").ItemType);
    }

    private static double MaxDifference(float[][] a, float[][] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => x.Zip(y, (p, q) => Math.Abs((double)p - q)).Max()).Max();
    }
}
