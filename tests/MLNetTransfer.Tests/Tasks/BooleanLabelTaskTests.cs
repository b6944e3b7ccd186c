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

/// <summary>A Boolean label, with no MapValueToKey: binary, and ML.NET's binary evaluators accept the output.</summary>
[Collection("NoParallelization")]
public sealed class BooleanLabelTaskTests
{
    private readonly ITestOutputHelper _output;

    public BooleanLabelTaskTests(ITestOutputHelper output) => _output = output;

    private sealed class Prediction
    {
        public bool Opacity { get; set; }

        public bool PredictedOpacity { get; set; }

        public float Probability { get; set; }

        public float Logit { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void Boolean_label_trains_maps_back_to_bool_and_evaluates()
    {
        using var train = new TestImages(80, seed: 41);
        using var test = new TestImages(40, seed: 42);
        var ml = new MLContext(seed: 1);
        var options = TestImages.FastOptions(epochs: 3);
        options.LabelColumnName = nameof(TestImages.Row.Opacity);
        var estimator = ml.Transforms.FineTuneResNet(options);
        var loadImages = ml.Transforms.LoadImages("Image", null, nameof(TestImages.Row.ImagePath));
        using var model = loadImages.Append(estimator)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedOpacity", "PredictedLabel"))
            .Fit(train.Load(ml));
        var finetune = model.OfType<ResNetFineTuneTransformer>().Single();
        Assert.Equal(TaskKind.Binary, finetune.Task);
        Assert.Equal(new[] { "False", "True" }, finetune.ClassNames);

        var scored = model.Transform(test.Load(ml));
        // For a Boolean label the shape knows the task is binary: it announces Probability and Logit too.
        var shape = estimator.GetOutputSchema(TestImages.ShapeAfter(ml, loadImages));
        Assert.Contains(shape, c => c.Name == "Probability");
        Assert.Equal(new[] { "PredictedOpacity" }, EstimatorConformance.CheckShapeAgainstSchema(shape, scored.Schema));
        Assert.Equal(BooleanDataViewType.Instance, scored.Schema["PredictedOpacity"].Type);

        var nonCalibrated = ml.BinaryClassification.EvaluateNonCalibrated(scored, nameof(TestImages.Row.Opacity), scoreColumnName: "Logit", predictedLabelColumnName: "PredictedLabel");
        var calibrated = ml.BinaryClassification.Evaluate(scored, nameof(TestImages.Row.Opacity), scoreColumnName: "Logit", probabilityColumnName: "Probability", predictedLabelColumnName: "PredictedLabel");
        _output.WriteLine($"AUC {nonCalibrated.AreaUnderRocCurve:F4}, accuracy {nonCalibrated.Accuracy:P1}, log-loss {calibrated.LogLoss:F3}");
        Assert.True(nonCalibrated.AreaUnderRocCurve > 0.7, $"AUC {nonCalibrated.AreaUnderRocCurve}");
        Assert.Equal(nonCalibrated.AreaUnderRocCurve, calibrated.AreaUnderRocCurve, 9);

        var predictions = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();
        Assert.Equal(test.Rows.Select(r => r.Opacity), predictions.Select(p => p.Opacity));
        foreach (var p in predictions)
        {
            // PredictedLabel maps back to the Boolean: true exactly when the shifted log-odds are positive.
            Assert.Equal(p.Logit > 0, p.PredictedOpacity);
            Assert.Equal(p.Score[1], p.Probability);
        }

        // The accuracy ML.NET computes from PredictedLabel is the accuracy of the mapped-back Booleans.
        double accuracy = predictions.Count(p => p.PredictedOpacity == p.Opacity) / (double)predictions.Count;
        Assert.Equal(accuracy, nonCalibrated.Accuracy, 9);
    }
}
