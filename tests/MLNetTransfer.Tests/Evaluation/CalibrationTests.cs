using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Evaluation;
using Xunit;
using static MLNetTransfer.Tests.Evaluation.StatisticsReferences;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// Expected calibration error and its bins equal numpy's searchsorted binning (edges included), log loss equals
/// scikit-learn's log_loss (clipping and renormalisation included), and the fitted temperatures equal scipy's bounded
/// Brent minimum of the same NLL.
/// </summary>
public sealed class CalibrationTests : IClassFixture<StatisticsReferences>
{
    private const double Tolerance = 1e-12;

    private readonly StatisticsReferences _references;

    public CalibrationTests(StatisticsReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Top_label_ece_and_bins_equal_numpy()
    {
        foreach (JsonElement c in _references.Cases("calibration_single"))
        {
            string name = c.GetProperty("name").GetString()!;
            CalibrationSummary actual = CalibrationError.Compute(Doubles(c.GetProperty("probabilities")), Ints(c.GetProperty("labels")), c.GetProperty("classes").GetInt32());

            Close(c.GetProperty("ece"), actual.Ece, Tolerance, $"{name} ece");
            AssertBins(c.GetProperty("bins"), actual.Bins, name);
        }
    }

    [Fact]
    public void Per_label_ece_and_pooled_bins_equal_numpy()
    {
        foreach (JsonElement c in _references.Cases("calibration_multi"))
        {
            string name = c.GetProperty("name").GetString()!;
            float[] targets = Floats(c.GetProperty("targets"));
            CalibrationSummary actual = CalibrationError.Compute(Doubles(c.GetProperty("probabilities")), targets, c.GetProperty("labels").GetInt32());

            Close(c.GetProperty("ece"), actual.Ece, Tolerance, $"{name} ece");
            double[] perLabel = Doubles(c.GetProperty("per_label"));
            Assert.Contains(perLabel, double.IsNaN); // the reference has a label without known targets
            for (int j = 0; j < perLabel.Length; j++)
            {
                Close(perLabel[j], actual.PerLabel[j], Tolerance, $"{name} label {j}");
            }

            AssertBins(c.GetProperty("bins"), actual.Bins, name);
        }
    }

    [Theory]
    [InlineData(0.0, 0, 0)]
    [InlineData(1 / 15.0, 0, 1)]
    [InlineData(2 / 15.0, 1, 2)]
    [InlineData(0.5, 7, 7)]
    [InlineData(14 / 15.0, 13, 14)]
    [InlineData(1.0, 14, -1)]
    public void A_confidence_on_an_edge_belongs_to_the_bin_below(double confidence, int bin, int binJustAbove)
    {
        Assert.Equal(bin, CalibrationError.BinOf(confidence));
        if (binJustAbove >= 0)
        {
            Assert.Equal(binJustAbove, CalibrationError.BinOf(Math.BitIncrement(confidence)));
        }
    }

    [Fact]
    public void Log_loss_equals_sklearn()
    {
        foreach (JsonElement c in _references.Cases("log_loss"))
        {
            string name = c.GetProperty("name").GetString()!;
            double actual = LogLoss.SingleLabel(Floats(c.GetProperty("probabilities")), Ints(c.GetProperty("labels")), c.GetProperty("classes").GetInt32());
            Close(c.GetProperty("log_loss"), actual, Tolerance, $"{name} log loss");
        }
    }

    [Fact]
    public void Softmax_temperature_equals_scipy_bounded_minimum()
    {
        foreach (JsonElement c in _references.Cases("temperature_single"))
        {
            string name = c.GetProperty("name").GetString()!;
            float[] logits = Floats(c.GetProperty("logits"));
            int[] labels = Ints(c.GetProperty("labels"));
            int classes = c.GetProperty("classes").GetInt32();

            double t = TemperatureScaling.Fit(logits, labels, classes);

            double expected = c.GetProperty("temperature").GetDouble();
            Assert.True(Math.Abs(expected - t) <= 1e-6 * expected, $"{name}: T expected {expected:R}, got {t:R}.");
            foreach (JsonElement pair in c.GetProperty("nll").EnumerateArray())
            {
                double at = pair[0].GetDouble();
                Close(pair[1].GetDouble(), TemperatureScaling.NegativeLogLikelihood(logits, labels, classes, at), 1e-12, $"{name} NLL at {at:R}");
            }

            // The fitted T is the minimum: no better NLL a little either side (unless at a bound).
            double best = TemperatureScaling.NegativeLogLikelihood(logits, labels, classes, t);
            foreach (double step in new[] { 0.999, 1.001 })
            {
                double other = t * step;
                if (other >= TemperatureScaling.MinTemperature && other <= TemperatureScaling.MaxTemperature)
                {
                    Assert.True(best <= TemperatureScaling.NegativeLogLikelihood(logits, labels, classes, other), $"{name}: NLL at {other:R} is lower");
                }
            }
        }
    }

    [Fact]
    public void Separable_logits_stop_at_the_lower_bound()
    {
        JsonElement separable = _references.Cases("temperature_single").Single(c => c.GetProperty("name").GetString() == "separable");
        Assert.Equal(TemperatureScaling.MinTemperature,
            TemperatureScaling.Fit(Floats(separable.GetProperty("logits")), Ints(separable.GetProperty("labels")), 3));
    }

    [Fact]
    public void Sigmoid_temperatures_equal_scipy_per_label_with_missing_targets_left_out()
    {
        foreach (JsonElement c in _references.Cases("temperature_multi"))
        {
            string name = c.GetProperty("name").GetString()!;
            float[] logits = Floats(c.GetProperty("logits"));
            float[] targets = Floats(c.GetProperty("targets"));
            int labels = c.GetProperty("labels").GetInt32();

            double[] t = TemperatureScaling.Fit(logits, targets, labels);

            double[] expected = Doubles(c.GetProperty("temperatures"));
            Assert.Equal(expected.Length, t.Length);
            for (int j = 0; j < expected.Length; j++)
            {
                Assert.True(Math.Abs(expected[j] - t[j]) <= 1e-6 * expected[j], $"{name} label {j}: T expected {expected[j]:R}, got {t[j]:R}.");
            }

            Assert.Equal(1.0, t[^1]); // the label with no known target
            foreach (JsonElement triple in c.GetProperty("nll").EnumerateArray())
            {
                int j = triple[0].GetInt32();
                double at = triple[1].GetDouble();
                Close(triple[2].GetDouble(), TemperatureScaling.NegativeLogLikelihood(logits, targets, labels, j, at), 1e-12, $"{name} label {j} NLL at {at:R}");
            }
        }
    }

    [Fact]
    public void Uncalibrated_probabilities_undo_the_temperature()
    {
        // softmax(z / T) stored as float, then softmax(T·log p): back to softmax(z) up to float rounding.
        float[] logits = [2.0f, -1.0f, 0.5f, 0.1f, 0.2f, 3.0f];
        const double temperature = 2.5;
        float[] calibrated = Softmax(logits, 3, temperature).Select(v => (float)v).ToArray();
        double[] recovered = UncalibratedProbabilities.Softmax(calibrated, 3, temperature);
        double[] original = Softmax(logits, 3, 1);
        for (int i = 0; i < original.Length; i++)
        {
            Assert.Equal(original[i], recovered[i], 6);
        }

        float[] sigmoid = logits.Select(z => (float)(1 / (1 + Math.Exp(-z / temperature)))).ToArray();
        double[] back = UncalibratedProbabilities.Sigmoid(sigmoid, Enumerable.Repeat(temperature, 3).ToArray());
        for (int i = 0; i < logits.Length; i++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-logits[i])), back[i], 6);
        }
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CalibrationError.Compute([0.5, 1.5], [0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationError.Compute([0.5, 0.5], [2], 2));
        Assert.Throws<ArgumentException>(() => CalibrationError.Compute([0.5], new float[] { -1f }, 1)); // uncertain targets must be mapped first
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureScaling.NegativeLogLikelihood([1f, 2f], [0], 2, 0));
        Assert.Throws<ArgumentException>(() => TemperatureScaling.Fit([1f, float.NaN], [0], 2));
    }

    private static void AssertBins(JsonElement expected, IReadOnlyList<ReliabilityBin> actual, string what)
    {
        var bins = expected.EnumerateArray().ToArray();
        Assert.Equal(15, bins.Length);
        Assert.Equal(15, actual.Count);
        for (int b = 0; b < 15; b++)
        {
            Assert.True(bins[b].GetProperty("count").GetInt32() == actual[b].Count, $"{what} bin {b}: count {actual[b].Count}");
            Close(bins[b].GetProperty("confidence"), actual[b].MeanConfidence, Tolerance, $"{what} bin {b} confidence");
            Close(bins[b].GetProperty("observed"), actual[b].Observed, Tolerance, $"{what} bin {b} observed");
            Assert.Equal(b / 15.0, actual[b].Lower);
            Assert.Equal((b + 1) / 15.0, actual[b].Upper);
        }
    }

    private static double[] Softmax(float[] logits, int classes, double temperature)
    {
        var result = new double[logits.Length];
        for (int start = 0; start < logits.Length; start += classes)
        {
            double max = logits.Skip(start).Take(classes).Max() / temperature;
            double total = 0;
            for (int c = 0; c < classes; c++)
            {
                total += result[start + c] = Math.Exp(logits[start + c] / temperature - max);
            }

            for (int c = 0; c < classes; c++)
            {
                result[start + c] /= total;
            }
        }

        return result;
    }
}
