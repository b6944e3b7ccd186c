using System;
using System.Collections.Generic;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Evaluation;

/// <summary>
/// Expected calibration error (ECE) over 15 equal-width confidence bins, and the bins of its reliability diagram.
/// </summary>
/// <remarks>
/// <para>
/// Guo, Pleiss, Sun and Weinberger, "On Calibration of Modern Neural Networks", ICML 2017, equation 3 with M = 15:
/// ECE = Σ_b (|B_b| / N)·|acc(B_b) − conf(B_b)|. Bin b (0-based) holds the confidences in (b/15, (b + 1)/15]; the first
/// bin also holds 0. Edges are computed as b/15.0.
/// </para>
/// <para>
/// Single-label (binary and multiclass softmax): the confidence of a row is its largest probability and it is right
/// when that class (the first one on a tie, as numpy's argmax) is the label: the top-label ECE of the paper.
/// Multi-label: each label's probability is binned against its known 0/1 target, so the bin's "accuracy" is the
/// frequency of positives; the ECE is the mean over the labels that have a known target of each label's ECE, and the
/// reliability bins pool every known (row, label) pair.
/// </para>
/// </remarks>
internal static class CalibrationError
{
    /// <summary>The number of bins (Guo et al.'s M).</summary>
    public const int BinCount = 15;

    /// <summary>Top-label ECE of a single-label model.</summary>
    /// <param name="probabilities">Row-major [n, <paramref name="classes"/>] probabilities, each in [0, 1].</param>
    /// <param name="labels">The class of each row, in [0, classes).</param>
    /// <param name="classes">Classes (columns).</param>
    /// <exception cref="ArgumentException">The shapes disagree or a probability is outside [0, 1].</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes), or classes &lt; 2.</exception>
    public static CalibrationSummary Compute(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        int n = labels.Length;
        if (probabilities.Length != n * classes)
        {
            throw new ArgumentException($"Got {probabilities.Length} probabilities for {n} labels; need {classes} per row.", nameof(probabilities));
        }
        var bins = new Accumulator();
        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label at index {i} is {labels[i]}; labels must be in [0, {classes}).");
            }

            var row = probabilities.Slice(i * classes, classes);
            int top = 0;
            for (int c = 0; c < classes; c++)
            {
                Require(row[c], i * classes + c);
                if (row[c] > row[top])
                {
                    top = c;
                }
            }

            bins.Add(row[top], top == labels[i] ? 1 : 0);
        }

        return new CalibrationSummary(bins.Ece(), Array.Empty<double>(), bins.Bins());
    }

    /// <summary>Per-label ECE of a multi-label model (or of a binary model's positive probability, as one label).</summary>
    /// <param name="probabilities">Row-major [n, <paramref name="labels"/>] probabilities, each in [0, 1].</param>
    /// <param name="targets">Row-major [n, labels]: 1, 0, or NaN (missing, left out).</param>
    /// <param name="labels">Labels (columns).</param>
    /// <exception cref="ArgumentException">The shapes disagree, a probability is outside [0, 1], or a target is not 0, 1 or NaN.</exception>
    public static CalibrationSummary Compute(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> targets, int labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(labels);
        if (targets.Length != probabilities.Length)
        {
            throw new ArgumentException($"Got {probabilities.Length} probabilities but {targets.Length} targets; need [n, {labels}] of each.", nameof(targets));
        }

        int n = RocAuc.RowCount(probabilities.Length, labels, nameof(probabilities));

        var pooled = new Accumulator();
        var perLabel = new double[labels];
        double sum = 0;
        int defined = 0;
        for (int j = 0; j < labels; j++)
        {
            var bins = new Accumulator();
            for (int i = 0; i < n; i++)
            {
                int at = i * labels + j;
                if (RocAuc.BinaryTarget(targets[at], at, nameof(targets)) is bool positive)
                {
                    Require(probabilities[at], at);
                    bins.Add(probabilities[at], positive ? 1 : 0);
                    pooled.Add(probabilities[at], positive ? 1 : 0);
                }
            }

            perLabel[j] = bins.Ece();
            if (!double.IsNaN(perLabel[j]))
            {
                sum += perLabel[j];
                defined++;
            }
        }

        return new CalibrationSummary(defined == 0 ? double.NaN : sum / defined, perLabel, pooled.Bins());
    }

    /// <summary>The 0-based bin of a confidence in [0, 1]: (b/15, (b + 1)/15], with 0 in bin 0.</summary>
    internal static int BinOf(double confidence)
    {
        int b = Math.Clamp((int)Math.Ceiling(confidence * BinCount) - 1, 0, BinCount - 1);

        // The product can round across an edge; settle on the edges themselves.
        while (b > 0 && confidence <= Edge(b))
        {
            b--;
        }

        while (b < BinCount - 1 && confidence > Edge(b + 1))
        {
            b++;
        }

        return b;
    }

    private static double Edge(int b) => b / (double)BinCount;

    private static void Require(double probability, int index)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new ArgumentException($"Probability at index {index} is {probability}; probabilities must be in [0, 1].", "probabilities");
        }
    }

    /// <summary>Counts, confidence sums and hit sums of the 15 bins.</summary>
    private sealed class Accumulator
    {
        private readonly int[] _count = new int[BinCount];
        private readonly double[] _confidence = new double[BinCount];
        private readonly double[] _hits = new double[BinCount];
        private int _total;

        public void Add(double confidence, int hit)
        {
            int b = BinOf(confidence);
            _count[b]++;
            _confidence[b] += confidence;
            _hits[b] += hit;
            _total++;
        }

        // (|B|/N)·|acc − conf| = |Σ hits − Σ confidence| / N.
        public double Ece()
        {
            if (_total == 0)
            {
                return double.NaN;
            }

            double sum = 0;
            for (int b = 0; b < BinCount; b++)
            {
                sum += Math.Abs(_hits[b] - _confidence[b]);
            }

            return sum / _total;
        }

        public IReadOnlyList<ReliabilityBin> Bins()
        {
            var bins = new ReliabilityBin[BinCount];
            for (int b = 0; b < BinCount; b++)
            {
                bool empty = _count[b] == 0;
                bins[b] = new ReliabilityBin(Edge(b), Edge(b + 1), _count[b],
                    empty ? double.NaN : _confidence[b] / _count[b], empty ? double.NaN : _hits[b] / _count[b]);
            }

            return bins;
        }
    }
}
