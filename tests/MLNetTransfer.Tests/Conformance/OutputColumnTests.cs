using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetTransfer.Tests.Conformance;

/// <summary>The fitted chain adds the columns it was asked for and leaves every other input column as it was.</summary>
[Collection("NoParallelization")]
public sealed class OutputColumnTests
{
    private sealed class Rows
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";

        // Columns of the user's that happen to have the names ML.NET predictors write.
        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private sealed class Output
    {
        public float Score { get; set; }

        public bool PredictedLabel { get; set; }

        [VectorType(2)]
        public float[] Probs { get; set; } = System.Array.Empty<float>();

        public float P { get; set; }
    }

    [Fact]
    public void Input_columns_named_Score_and_PredictedLabel_survive_non_default_output_names()
    {
        using var images = new TestImages(48, seed: 5);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(images.Rows.Select(r => new Rows { ImagePath = r.ImagePath, Label = r.Label, Score = 42, PredictedLabel = true }));
        var options = TestImages.FastOptions(epochs: 1);
        options.ScoreColumnName = "Probs";
        options.PredictedLabelColumnName = "Pred";
        options.ProbabilityColumnName = "P";
        options.LogitColumnName = "L";
        var pipeline = TestImages.KeyAndImages(ml).Append(ml.Transforms.FineTuneResNet(options));
        using var model = pipeline.Fit(data);
        var scored = model.Transform(data);

        var visible = scored.Schema.Where(c => !c.IsHidden).Select(c => c.Name).ToList();
        Assert.Single(visible, "Score");
        Assert.Single(visible, "PredictedLabel");
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Score"].Type);
        Assert.Equal(BooleanDataViewType.Instance, scored.Schema["PredictedLabel"].Type);
        Assert.DoesNotContain(visible, n => n.StartsWith("MLNetTransfer.", System.StringComparison.Ordinal));
        var rows = ml.Data.CreateEnumerable<Output>(scored, reuseRowObject: false).ToList();
        Assert.All(rows, r =>
        {
            Assert.Equal(42f, r.Score);
            Assert.True(r.PredictedLabel);
            Assert.Equal(r.Probs[1], r.P);
        });

        // Without such input columns the chain leaves no Score or PredictedLabel behind.
        var plain = ml.Data.LoadFromEnumerable(images.Rows);
        var plainScored = TestImages.KeyAndImages(ml).Append(ml.Transforms.FineTuneResNet(options)).Fit(plain).Transform(plain);
        Assert.Null(plainScored.Schema.GetColumnOrNull("Score"));
        Assert.Null(plainScored.Schema.GetColumnOrNull("PredictedLabel"));
    }
}
