using System;
using MLNetTransfer.Evaluation;

namespace MLNetTransfer.FineTuning;

/// <summary>
/// Temperature scaling for a model with the test-time flip: the exported graph divides each view's logits by T, applies
/// the softmax (or sigmoid) and averages the two views' probabilities (Onnx/ScoreHead.cs), so T minimises the log-loss
/// of that average, which <see cref="TemperatureScaling"/>'s closed-form derivatives do not cover. Golden-section search
/// on log T over the same range [<see cref="TemperatureScaling.MinTemperature"/>, <see cref="TemperatureScaling.MaxTemperature"/>].
/// </summary>
internal static class FlipAveragedTemperature
{
    private const int Iterations = 200;

    /// <summary>One T for a softmax over <paramref name="classes"/>, fitted on both views' logits (row-major [n, classes]).</summary>
    public static double Fit(float[] logits, float[] mirrored, int[] labels, int classes) =>
        Minimise(t =>
        {
            double sum = 0;
            for (int i = 0; i < labels.Length; i++)
            {
                double p = (Softmax(logits, i, classes, labels[i], t) + Softmax(mirrored, i, classes, labels[i], t)) / 2;
                sum -= Math.Log(Math.Max(p, 1e-300));
            }

            return sum / Math.Max(labels.Length, 1);
        });

    /// <summary>One T per label's sigmoid, each fitted on that label's known targets (NaN left out).</summary>
    public static double[] Fit(float[] logits, float[] mirrored, float[] targets, int labels)
    {
        var temperatures = new double[labels];
        int rows = targets.Length / labels;
        for (int j = 0; j < labels; j++)
        {
            int label = j;
            temperatures[j] = Minimise(t =>
            {
                double sum = 0;
                int known = 0;
                for (int i = 0; i < rows; i++)
                {
                    float y = targets[i * labels + label];
                    if (float.IsNaN(y))
                    {
                        continue;
                    }

                    double p = (TemperatureScaling.Sigmoid(logits[i * labels + label] / t) + TemperatureScaling.Sigmoid(mirrored[i * labels + label] / t)) / 2;
                    sum -= y == 1f ? Math.Log(Math.Max(p, 1e-300)) : Math.Log(Math.Max(1 - p, 1e-300));
                    known++;
                }

                return known == 0 ? 0 : sum / known;
            });
        }

        return temperatures;
    }

    private static double Minimise(Func<double, double> loss)
    {
        // Golden-section search on u = ln T (Kiefer 1953); the loss is smooth and, in practice, unimodal in u.
        double a = Math.Log(TemperatureScaling.MinTemperature), b = Math.Log(TemperatureScaling.MaxTemperature);
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a);
        double fc = loss(Math.Exp(c)), fd = loss(Math.Exp(d));
        for (int i = 0; i < Iterations && b - a > 1e-12; i++)
        {
            if (fc <= fd)
            {
                b = d;
                d = c;
                fd = fc;
                c = b - ratio * (b - a);
                fc = loss(Math.Exp(c));
            }
            else
            {
                a = c;
                c = d;
                fc = fd;
                d = a + ratio * (b - a);
                fd = loss(Math.Exp(d));
            }
        }

        return Math.Exp((a + b) / 2);
    }

    private static double Softmax(float[] logits, int row, int classes, int at, double t)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < classes; c++)
        {
            max = Math.Max(max, logits[row * classes + c] / t);
        }

        double sum = 0;
        for (int c = 0; c < classes; c++)
        {
            sum += Math.Exp(logits[row * classes + c] / t - max);
        }

        return Math.Exp(logits[row * classes + at] / t - max) / sum;
    }
}
