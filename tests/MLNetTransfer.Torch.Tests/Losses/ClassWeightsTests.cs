using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Tests.Metrics;
using Xunit;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Torch.Tests.Losses;

/// <summary>Balanced class weights equal scikit-learn's compute_class_weight; pos_weight is negatives / positives.</summary>
public sealed class ClassWeightsTests : IClassFixture<MetricReferences>
{
    private readonly MetricReferences _references;

    public ClassWeightsTests(MetricReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Balanced_weights_equal_sklearn_compute_class_weight()
    {
        var cases = _references.Cases("class_weights");
        for (int k = 0; k < cases.Count; k++)
        {
            JsonElement c = cases[k];
            float[] weights = ClassWeights.FromFrequencies(Ints(c.GetProperty("labels")), c.GetProperty("classes").GetInt32());
            double[] expected = Doubles(c.GetProperty("weights"));
            Assert.Equal(expected.Length, weights.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                AssertClose.Relative(expected[i], weights[i], 1e-6, $"class_weights #{k}[{i}]");
            }
        }
    }

    [Fact]
    public void Positive_weights_equal_negatives_over_positives_after_the_uncertainty_policy()
    {
        var cases = _references.Cases("pos_weights");
        for (int k = 0; k < cases.Count; k++)
        {
            JsonElement c = cases[k];
            var policy = Enum.Parse<UncertaintyPolicy>(c.GetProperty("policy").GetString()!);
            float[] targets = policy.Apply(Floats(c.GetProperty("targets")));
            float[] weights = ClassWeights.PositiveWeightsFromFrequencies(targets, c.GetProperty("labels").GetInt32());
            double[] expected = Doubles(c.GetProperty("weights"));
            for (int i = 0; i < expected.Length; i++)
            {
                AssertClose.Relative(expected[i], weights[i], 1e-6, $"pos_weights {policy}[{i}]");
            }
        }
    }

    [Fact]
    public void A_class_without_examples_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => ClassWeights.FromFrequencies([0, 0, 2, 2, 0], classes: 3));
        Assert.Contains("Class 1 has no training examples", e.Message);

        var p = Assert.Throws<ArgumentException>(() => ClassWeights.PositiveWeightsFromFrequencies([1f, 0f, 0f, 0f, 1f, float.NaN], labels: 2));
        Assert.Contains("Label 1 has 0 positive", p.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassWeights.FromFrequencies([0, 3], classes: 3));
    }
}
