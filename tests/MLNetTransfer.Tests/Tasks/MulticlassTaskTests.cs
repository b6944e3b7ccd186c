using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Tests.Conformance;
using MLNetTransfer.Torch.Metrics;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Tasks;

/// <summary>Three classes (NORMAL, OPACITY, FLIPPED = NORMAL upside down) through ML.NET's multiclass evaluator.</summary>
[Collection("NoParallelization")]
public sealed class MulticlassTaskTests
{
    private readonly ITestOutputHelper _output;

    public MulticlassTaskTests(ITestOutputHelper output) => _output = output;

    private sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        public string PredictedClass { get; set; } = "";
    }

    [Fact]
    public void Three_classes_evaluate_map_back_to_strings_and_scores_sum_to_one()
    {
        using var train = new TestImages(90, seed: 21, flippedEvery: 3);
        using var test = new TestImages(30, seed: 22, flippedEvery: 3);
        var ml = new MLContext(seed: 1);
        var options = TestImages.FastOptions(epochs: 3);
        options.GroupColumnName = nameof(TestImages.Row.Patient);
        var estimator = ml.Transforms.FineTuneResNet(options);
        var pipeline = TestImages.KeyAndImages(ml)
            .Append(estimator)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
        var trainData = train.Load(ml);
        using var model = pipeline.Fit(trainData);
        var finetune = model.OfType<ResNetFineTuneTransformer>().Single();
        Assert.Equal(TaskKind.Multiclass, finetune.Task);
        Assert.Equal(new[] { "FLIPPED", "NORMAL", "OPACITY" }, finetune.ClassNames);

        var scored = model.Transform(test.Load(ml));
        // A multiclass model announces exactly what it gives: no binary columns.
        var shape = estimator.GetOutputSchema(TestImages.ShapeAfter(ml, TestImages.KeyAndImages(ml)));
        var extra = EstimatorConformance.CheckShapeAgainstSchema(shape, scored.Schema);
        Assert.Equal(new[] { "PredictedClass" }, extra);
        Assert.Null(scored.Schema.GetColumnOrNull("Probability"));
        Assert.Null(scored.Schema.GetColumnOrNull("Logit"));

        var metrics = ml.MulticlassClassification.Evaluate(scored, "Label", "Score", "PredictedLabel");
        _output.WriteLine($"micro accuracy {metrics.MicroAccuracy:P1}, macro {metrics.MacroAccuracy:P1}, log-loss {metrics.LogLoss:F3}");
        Assert.Equal(3, metrics.ConfusionMatrix.NumberOfClasses);
        Assert.Equal(3, metrics.PerClassLogLoss.Count);
        Assert.False(double.IsNaN(metrics.LogLoss));
        Assert.True(metrics.MicroAccuracy > 0.5, $"micro accuracy {metrics.MicroAccuracy} (chance is 1/3)");

        var predictions = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();
        Assert.Equal(test.Rows.Count, predictions.Count);
        foreach (var p in predictions)
        {
            Assert.Equal(3, p.Score.Length);
            Assert.Equal(1.0, p.Score.Sum(), 5);
            Assert.All(p.Score, s => Assert.InRange(s, 0f, 1f));
            Assert.Contains(p.PredictedClass, finetune.ClassNames);
            // PredictedLabel is the arg-max of Score, in the key's order.
            Assert.Equal(finetune.ClassNames[Array.IndexOf(p.Score, p.Score.Max())], p.PredictedClass);
        }
    }
}
