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

/// <summary>A float-vector label: three findings per image, NaN where unknown and -1 where uncertain.</summary>
[Collection("NoParallelization")]
public sealed class MultiLabelTaskTests
{
    private const int Labels = 3;

    private readonly ITestOutputHelper _output;

    public MultiLabelTaskTests(ITestOutputHelper output) => _output = output;

    private sealed class Row
    {
        [LoadColumn(0)]
        public string ImagePath { get; set; } = "";

        [LoadColumn(1, 3)]
        [VectorType(Labels)]
        public float[] Findings { get; set; } = Array.Empty<float>();
    }

    private sealed class Prediction
    {
        [VectorType(Labels)]
        public float[] Score { get; set; } = Array.Empty<float>();

        [VectorType(Labels)]
        public bool[] PredictedLabel { get; set; } = Array.Empty<bool>();
    }

    [Fact]
    public void Float_vector_label_gives_one_probability_and_one_decision_per_label()
    {
        using var images = new TestImages(64, seed: 31, flippedEvery: 4);
        var random = new Random(3);
        // Finding 0: opacity; 1: upside down; 2: a coin flip. NaN (missing) and -1 (uncertain) sprinkled in.
        var rows = images.Rows.Select((r, i) => new Row
        {
            ImagePath = r.ImagePath,
            Findings = new[]
            {
                i % 7 == 3 ? float.NaN : i % 11 == 5 ? -1f : r.Opacity ? 1f : 0f,
                i % 9 == 4 ? float.NaN : r.Flipped ? 1f : 0f,
                i % 5 == 2 ? -1f : i % 6 == 1 ? float.NaN : random.Next(2),
            },
        }).ToList();
        Assert.Contains(rows, r => float.IsNaN(r.Findings[0]));
        Assert.Contains(rows, r => r.Findings[2] == -1f);

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = TestImages.FastOptions(epochs: 3);
        options.LabelColumnName = nameof(Row.Findings);
        var estimator = ml.Transforms.FineTuneResNet(options);
        var loadImages = ml.Transforms.LoadImages("Image", null, nameof(Row.ImagePath));
        using var model = loadImages.Append(estimator).Fit(data);
        var finetune = model.OfType<ResNetFineTuneTransformer>().Single();
        Assert.Equal(TaskKind.MultiLabel, finetune.Task);
        Assert.Equal(Labels, finetune.ClassNames.Count);

        var scored = model.Transform(data);
        // OnnxTransformer types the [batch, L] output as Vector<Single, 1, L>: L values, which bind to float[L].
        var score = Assert.IsType<VectorDataViewType>(scored.Schema["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        Assert.Equal(Labels, score.Size);
        foreach (var absent in new[] { "Probability", "Logit" })
        {
            Assert.Null(scored.Schema.GetColumnOrNull(absent));
        }

        // One decision per label, at the label's operating threshold chosen on validation data: p >= t.
        var decisions = Assert.IsType<VectorDataViewType>(scored.Schema["PredictedLabel"].Type);
        Assert.Equal(BooleanDataViewType.Instance, decisions.ItemType);
        Assert.Equal(Labels, decisions.Size);
        var thresholds = finetune.Calibration.Thresholds;
        Assert.Equal(Labels, thresholds.Count);

        // The shape says the same before any data is read.
        var shape = estimator.GetOutputSchema(ml.Data.CreateTextLoader<Row>().Append(loadImages).GetOutputSchema());
        Assert.Empty(EstimatorConformance.CheckShapeAgainstSchema(shape, scored.Schema));
        Assert.Contains(shape, c => c.Name == "PredictedLabel" && c.ItemType == BooleanDataViewType.Instance);

        var predictions = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();
        Assert.Equal(rows.Count, predictions.Count);
        Assert.All(predictions, p =>
        {
            Assert.Equal(Labels, p.Score.Length);
            Assert.All(p.Score, s => Assert.InRange(s, 0f, 1f));
            Assert.Equal(p.Score.Select((s, j) => s >= (float)thresholds[j]), p.PredictedLabel);
        });
        // Sigmoids, not a softmax: the probabilities of a row need not sum to 1.
        Assert.Contains(predictions, p => Math.Abs(p.Score.Sum() - 1f) > 1e-3);
        _output.WriteLine($"first row: [{string.Join(", ", predictions[0].Score.Select(s => s.ToString("F3")))}], validation AUC {finetune.TrainingResult.Epochs[^1].ValidationAuc:F3}");
    }
}
