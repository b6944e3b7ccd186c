using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Torch.Metrics;
using Xunit;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Torch.Tests.Metrics;

/// <summary>Accuracy equals scikit-learn's accuracy_score on numpy's argmax / thresholded predictions.</summary>
public sealed class AccuracyTests : IClassFixture<MetricReferences>
{
    private readonly MetricReferences _references;

    public AccuracyTests(MetricReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Argmax_and_threshold_accuracy_equal_sklearn()
    {
        var cases = _references.Cases("accuracy");
        for (int k = 0; k < cases.Count; k++)
        {
            JsonElement c = cases[k];
            double expected = c.GetProperty("accuracy").GetDouble();
            double actual = c.TryGetProperty("classes", out JsonElement classes)
                ? Accuracy.Argmax(Floats(c.GetProperty("probabilities")), Ints(c.GetProperty("labels")), classes.GetInt32())
                : Accuracy.Binary(Floats(c.GetProperty("scores")), Bools(c.GetProperty("positives")), (float)c.GetProperty("threshold").GetDouble());
            AssertClose.Absolute(expected, actual, 1e-12, $"accuracy {NameOf(c, k)}");
        }
    }

    [Fact]
    public void MultiLabel_accuracy_is_the_mean_of_per_label_accuracies_over_known_targets()
    {
        JsonElement c = _references.Cases("multilabel_auc")[0];
        double actual = Accuracy.MultiLabel(Floats(c.GetProperty("scores")), Floats(c.GetProperty("targets")), c.GetProperty("labels").GetInt32());
        AssertClose.Absolute(c.GetProperty("accuracy").GetDouble(), actual, 1e-12, "multi-label accuracy");
    }

    [Fact]
    public void A_tie_goes_to_the_first_class_and_a_score_at_the_threshold_is_negative()
    {
        Assert.Equal(1.0, Accuracy.Argmax([0.5f, 0.5f], [0], classes: 2));
        Assert.Equal(0.0, Accuracy.Binary([0.5f], [true]));
        // Label 0 known and right, label 1 known twice (one right), label 2 all missing: mean of 1 and 0.5.
        float[] scores = [0.2f, 0.9f, 0.4f, 0.1f, 0.6f, 0.3f];
        float[] targets = [0f, 1f, float.NaN, float.NaN, 0f, float.NaN];
        Assert.Equal(0.75, Accuracy.MultiLabel(scores, targets, labels: 3), 12);
        Assert.True(double.IsNaN(Accuracy.MultiLabel([0.1f], [float.NaN], labels: 1)));
        Assert.True(double.IsNaN(Accuracy.Argmax([], [], classes: 3)));
    }
}
