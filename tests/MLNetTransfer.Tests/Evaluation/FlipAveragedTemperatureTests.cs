using System;
using System.Linq;
using MLNetTransfer.Evaluation;
using MLNetTransfer.FineTuning;
using Xunit;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// The test-time flip's temperature fit (golden section on the flip-averaged log-loss) against the plain fit (Newton on
/// 1/T, checked against scipy by the statistics references): when both views give the same logits, the averaged
/// probabilities are each view's, so both must find the same T.
/// </summary>
public sealed class FlipAveragedTemperatureTests
{
    [Fact]
    public void Identical_views_give_the_softmax_temperature_of_the_plain_fit()
    {
        var random = new Random(7);
        int rows = 200, classes = 3;
        var labels = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        // Over-confident logits: the label's logit raised, everything scaled up, so T lands well above 1.
        var logits = new float[rows * classes];
        for (int i = 0; i < rows; i++)
        {
            for (int c = 0; c < classes; c++)
            {
                logits[i * classes + c] = (float)(3 * (4 * (random.NextDouble() - 0.5) + (c == labels[i] && random.NextDouble() < 0.7 ? 6 : 0)));
            }
        }

        double plain = TemperatureScaling.Fit(logits, labels, classes);
        double flipped = FlipAveragedTemperature.Fit(logits, logits, labels, classes);
        Assert.True(plain > 1.2, $"T {plain}");
        Assert.Equal(plain, flipped, 1e-6);
    }

    [Fact]
    public void Identical_views_give_each_labels_sigmoid_temperature_of_the_plain_fit()
    {
        var random = new Random(8);
        int rows = 150, labels = 2;
        var targets = new float[rows * labels];
        var logits = new float[rows * labels];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = i % 11 == 3 ? float.NaN : random.Next(2);
            logits[i] = (float)(3 * (random.NextDouble() - 0.5) + (targets[i] == 1f ? 2.5 : -2.5) * (i % 2 == 0 ? 3 : 0.5));
        }

        var plain = TemperatureScaling.Fit(logits, targets, labels);
        var flipped = FlipAveragedTemperature.Fit(logits, logits, targets, labels);
        for (int j = 0; j < labels; j++)
        {
            Assert.Equal(plain[j], flipped[j], 1e-6);
        }
    }
}
