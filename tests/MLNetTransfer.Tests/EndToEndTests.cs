using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests;

/// <summary>LoadImages → FineTuneResNet → MapKeyToValue, evaluated by ML.NET's evaluators, saved and loaded back.</summary>
[Collection("NoParallelization")]
public sealed class EndToEndTests
{
    private readonly ITestOutputHelper _output;

    public EndToEndTests(ITestOutputHelper output) => _output = output;

    private sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        public string PredictedLabel { get; set; } = "";

        public float Probability { get; set; }
    }

    [Fact]
    public void Binary_pipeline_trains_evaluates_saves_and_loads()
    {
        using var train = new SyntheticFolder(160, 64, seed: 1);
        using var test = new SyntheticFolder(60, 64, seed: 2);
        var ml = new MLContext(seed: 1);
        var trainData = ml.Data.LoadFromEnumerable(train.Rows);
        var testData = ml.Data.LoadFromEnumerable(test.Rows);
        // ByValue: NORMAL, OPACITY, so that key 2 (the positive class of ML.NET's binary evaluator) is OPACITY.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.LoadImages("Image", train.Root, nameof(SyntheticFolder.Row.ImagePath)))
            .Append(ml.Transforms.FineTuneResNet(new ResNetFineTuneTrainer.Options
            {
                Strategy = FreezeStrategy.FeatureExtraction,
                Grayscale = true,
                GroupColumnName = nameof(SyntheticFolder.Row.Patient),
                Augmentation = AugmentationOptions.EvalOnly(64, 56),
                Epochs = 5,
                BatchSize = 16,
                Log = m => _output.WriteLine(m),
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        using var fitted = pipeline.Fit(trainData);
        var finetune = fitted.OfType<ResNetFineTuneTransformer>().Single();
        Assert.Equal(new[] { "NORMAL", "OPACITY" }, finetune.ClassNames);
        Assert.Equal(FreezeStrategyKind.FeatureExtraction, finetune.TrainingResult.Strategy.Kind);

        // Test images live in another folder: score them through a pipeline that reads paths from there.
        var scored = fitted.Transform(LoadFrom(ml, test));
        var binary = ml.BinaryClassification.Evaluate(scored, "Label", scoreColumnName: "Logit", probabilityColumnName: "Probability", predictedLabelColumnName: "PredictedLabel");
        var multiclass = ml.MulticlassClassification.Evaluate(scored, "Label", "Score", "PredictedLabel");
        _output.WriteLine($"AUC {binary.AreaUnderRocCurve:F4}, accuracy {binary.Accuracy:P1}, macro accuracy {multiclass.MacroAccuracy:P1}");
        Assert.True(binary.AreaUnderRocCurve > 0.8, $"AUC {binary.AreaUnderRocCurve}");

        var predictions = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();
        Assert.All(predictions, p => Assert.Contains(p.PredictedLabel, new[] { "NORMAL", "OPACITY" }));
        Assert.All(predictions, p => Assert.Equal(p.Score[1], p.Probability));

        string zip = Path.Combine(train.Root, "model.zip");
        ml.Model.Save(fitted, trainData.Schema, zip);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(zip, out _);
        var reloaded = fresh.Data.CreateEnumerable<Prediction>(loaded.Transform(LoadFrom(fresh, test)), reuseRowObject: false).ToList();
        Assert.Equal(predictions.Select(p => p.Score[1]), reloaded.Select(p => p.Score[1]));
        Assert.Equal(predictions.Select(p => p.PredictedLabel), reloaded.Select(p => p.PredictedLabel));
        (loaded as IDisposable)?.Dispose();
    }

    // The test rows with absolute paths (LoadImages in the fitted chain reads relative to the training folder).
    private static IDataView LoadFrom(MLContext ml, SyntheticFolder folder) =>
        ml.Data.LoadFromEnumerable(folder.Rows.Select(r => new SyntheticFolder.Row { ImagePath = Path.Combine(folder.Root, r.ImagePath), Label = r.Label, Patient = r.Patient }));
}
