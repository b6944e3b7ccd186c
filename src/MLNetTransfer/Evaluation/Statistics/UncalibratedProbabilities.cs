using System;

namespace MLNetTransfer.Evaluation;

/// <summary>
/// The probabilities a model gave before its temperature scaling (<see cref="TemperatureScaling"/>), recovered from the
/// calibrated ones, so that the calibration error before and after can be reported from one scored set.
/// </summary>
/// <remarks>
/// softmax(z/T) = softmax(log p) up to a constant per row, so the logits are log p up to that constant, which the
/// softmax cancels: the uncalibrated probabilities are softmax(T·log p). For a sigmoid the logit is exactly
/// log p − log(1 − p), so they are sigmoid(T·logit p). A probability of 0 or 1 stays 0 or 1.
/// </remarks>
internal static class UncalibratedProbabilities
{
    /// <summary>softmax(T·log p) of each row of a single-label model's calibrated probabilities.</summary>
    /// <param name="probabilities">Row-major [n, <paramref name="classes"/>] calibrated probabilities in [0, 1].</param>
    /// <param name="classes">Classes (columns).</param>
    /// <param name="temperature">The model's T.</param>
    public static double[] Softmax(ReadOnlySpan<float> probabilities, int classes, double temperature)
    {
        var result = new double[probabilities.Length];
        for (int start = 0; start < probabilities.Length; start += classes)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                result[start + c] = temperature * Math.Log(probabilities[start + c]);
                max = Math.Max(max, result[start + c]);
            }

            double total = 0;
            for (int c = 0; c < classes; c++)
            {
                result[start + c] = Math.Exp(result[start + c] - max);
                total += result[start + c];
            }

            for (int c = 0; c < classes; c++)
            {
                result[start + c] /= total;
            }
        }

        return result;
    }

    /// <summary>sigmoid(T_j·logit p) of each label j of a multi-label model's calibrated probabilities.</summary>
    /// <param name="probabilities">Row-major [n, labels] calibrated probabilities in [0, 1].</param>
    /// <param name="temperatures">One T per label (labels = its length).</param>
    public static double[] Sigmoid(ReadOnlySpan<float> probabilities, ReadOnlySpan<double> temperatures)
    {
        int labels = temperatures.Length;
        var result = new double[probabilities.Length];
        for (int at = 0; at < probabilities.Length; at++)
        {
            double p = probabilities[at];
            result[at] = TemperatureScaling.Sigmoid(temperatures[at % labels] * (Math.Log(p) - Math.Log(1 - p)));
        }

        return result;
    }
}
