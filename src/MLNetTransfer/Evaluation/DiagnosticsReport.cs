using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Evaluation;

/// <summary>
/// Builds <see cref="DiagnosticMetrics"/> from scores and labels already read (the catalog reads them from an
/// IDataView): the decisions, the per-class diagnostics, the calibration and the bootstrap.
/// </summary>
internal static class DiagnosticsReport
{
    /// <summary>The threshold of a binary or multi-label decision when none is given.</summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary>The report of a single-label model (binary when there are two classes, multiclass otherwise).</summary>
    /// <param name="probabilities">Row-major [n, classes] probabilities in [0, 1].</param>
    /// <param name="labels">The class of each row.</param>
    /// <param name="classNames">One name per class (their count is the class count).</param>
    /// <param name="threshold">Binary: the threshold on the positive (second) class; null for <see cref="DefaultThreshold"/>. Multiclass: must be null.</param>
    /// <param name="temperature">The temperature the model applied, for the uncalibrated ECE; null when none.</param>
    /// <param name="bootstrapSamples">Bootstrap resamples; 0 for none.</param>
    /// <param name="seed">Seeds the bootstrap.</param>
    /// <param name="scoreColumn">The score column's name, for messages.</param>
    public static DiagnosticMetrics SingleLabel(float[] probabilities, int[] labels, IReadOnlyList<string> classNames, float? threshold, double? temperature,
        int bootstrapSamples, int seed, string scoreColumn)
    {
        int k = classNames.Count;
        int n = labels.Length;
        RequireProbabilities(probabilities, scoreColumn);
        bool binary = k == 2;
        if (!binary && threshold is not null)
        {
            throw new ArgumentException("A multiclass model decides by the largest probability; a threshold applies to binary and multi-label models only.", "thresholds");
        }

        float t = threshold ?? DefaultThreshold;
        var decided = new int[n];
        for (int i = 0; i < n; i++)
        {
            decided[i] = binary ? (probabilities[i * 2 + 1] >= t ? 1 : 0) : ArgMax(probabilities.AsSpan(i * k, k));
        }

        var perClass = new ClassDiagnostics[k];
        var scores = new double[n];
        var positive = new bool[n];
        for (int c = 0; c < k; c++)
        {
            int tp = 0, fp = 0, tn = 0, fn = 0;
            for (int i = 0; i < n; i++)
            {
                scores[i] = probabilities[i * k + c];
                positive[i] = labels[i] == c;
                Count(positive[i], decided[i] == c, ref tp, ref fp, ref tn, ref fn);
            }

            perClass[c] = new ClassDiagnostics(classNames[c], DeLong.Auc(scores, positive), binary && c == 1 ? t : float.NaN, tp, fp, tn, fn);
        }

        double accuracy = n == 0 ? double.NaN : Enumerable.Range(0, n).Count(i => decided[i] == labels[i]) / (double)n;
        double auc = binary ? perClass[1].Auc : RocAuc.MeanOfDefined(perClass.Select(d => d.Auc).ToArray()).Mean;
        double f1 = binary ? perClass[1].F1 : RocAuc.MeanOfDefined(perClass.Select(d => d.F1).ToArray()).Mean;

        CalibrationSummary calibration = CalibrationError.Compute(Widen(probabilities), labels, k);
        double uncalibrated = temperature is double temperatureValue
            ? CalibrationError.Compute(UncalibratedProbabilities.Softmax(probabilities, k, temperatureValue), labels, k).Ece
            : double.NaN;
        double logLoss = n == 0 ? double.NaN : LogLoss.SingleLabel(probabilities, labels, k);

        var bootstrap = bootstrapSamples == 0
            ? ReadOnlyDictionary<string, ConfidenceInterval>.Empty
            : Intervals(SingleLabelMetrics(probabilities, labels, decided, k), n, bootstrapSamples, seed, labels);
        return new DiagnosticMetrics(n, perClass, accuracy, auc, f1, calibration.Ece, uncalibrated, logLoss, calibration.Bins, bootstrap, bootstrapSamples);
    }

    /// <summary>The report of a multi-label model.</summary>
    /// <param name="probabilities">Row-major [n, labels] probabilities in [0, 1].</param>
    /// <param name="targets">Row-major [n, labels]: 1, 0 or NaN (missing or uncertain: left out).</param>
    /// <param name="labelNames">One name per label.</param>
    /// <param name="thresholds">One threshold per label.</param>
    /// <param name="temperatures">One temperature per label, for the uncalibrated ECE; null when none.</param>
    /// <param name="bootstrapSamples">Bootstrap resamples; 0 for none.</param>
    /// <param name="seed">Seeds the bootstrap.</param>
    /// <param name="scoreColumn">The score column's name, for messages.</param>
    public static DiagnosticMetrics MultiLabel(float[] probabilities, float[] targets, IReadOnlyList<string> labelNames, IReadOnlyList<float> thresholds,
        IReadOnlyList<double>? temperatures, int bootstrapSamples, int seed, string scoreColumn)
    {
        int labels = labelNames.Count;
        int n = probabilities.Length / labels;
        RequireProbabilities(probabilities, scoreColumn);
        var perClass = new ClassDiagnostics[labels];
        var accuracies = new double[labels];
        var logLosses = new double[labels];
        var scores = new List<double>(n);
        var positive = new List<bool>(n);
        for (int j = 0; j < labels; j++)
        {
            scores.Clear();
            positive.Clear();
            int tp = 0, fp = 0, tn = 0, fn = 0;
            for (int i = 0; i < n; i++)
            {
                int at = i * labels + j;
                if (RocAuc.BinaryTarget(targets[at], at, nameof(targets)) is bool isPositive)
                {
                    scores.Add(probabilities[at]);
                    positive.Add(isPositive);
                    Count(isPositive, probabilities[at] >= thresholds[j], ref tp, ref fp, ref tn, ref fn);
                }
            }

            perClass[j] = new ClassDiagnostics(labelNames[j], DeLong.Auc(scores.ToArray(), positive.ToArray()), thresholds[j], tp, fp, tn, fn);
            accuracies[j] = scores.Count == 0 ? double.NaN : (tp + tn) / (double)scores.Count;
            logLosses[j] = LogLoss.Label(probabilities, targets, labels, j);
        }

        CalibrationSummary calibration = CalibrationError.Compute(Widen(probabilities), targets, labels);
        double uncalibrated = temperatures is null
            ? double.NaN
            : CalibrationError.Compute(UncalibratedProbabilities.Sigmoid(probabilities, temperatures.ToArray()), targets, labels).Ece;

        var bootstrap = bootstrapSamples == 0
            ? ReadOnlyDictionary<string, ConfidenceInterval>.Empty
            : Intervals(MultiLabelMetrics(probabilities, targets, labels, thresholds), n, bootstrapSamples, seed, default);
        return new DiagnosticMetrics(n, perClass, Mean(accuracies), Mean(perClass.Select(d => d.Auc)), Mean(perClass.Select(d => d.F1)),
            calibration.Ece, uncalibrated, Mean(logLosses), calibration.Bins, bootstrap, bootstrapSamples);
    }

    private static IReadOnlyDictionary<string, ConfidenceInterval> Intervals(List<(string Key, RowMetric Metric)> metrics, int rows, int samples, int seed,
        ReadOnlySpan<int> strata)
    {
        var intervals = Evaluation.Bootstrap.PercentileIntervals(rows, metrics.Select(m => m.Metric).ToArray(), samples, seed, 0.95, strata);
        var result = new Dictionary<string, ConfidenceInterval>(StringComparer.Ordinal);
        for (int k = 0; k < metrics.Count; k++)
        {
            result[metrics[k].Key] = new ConfidenceInterval(intervals[k]);
        }

        return new ReadOnlyDictionary<string, ConfidenceInterval>(result);
    }

    // The bootstrap's metrics of a single-label model, computed as the point estimates are, on a resample of rows.
    private static List<(string, RowMetric)> SingleLabelMetrics(float[] probabilities, int[] labels, int[] decided, int k)
    {
        var keys = new float[labels.Length];
        var items = new bool[labels.Length];
        double Auc(ReadOnlySpan<int> rows, int c)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                keys[r] = probabilities[rows[r] * k + c];
                items[r] = labels[rows[r]] == c;
            }

            return RocAuc.Binary(keys.AsSpan(0, rows.Length), items.AsSpan(0, rows.Length));
        }

        // Per class: TP, FP, FN of the decisions on the resample.
        int[,] Counts(ReadOnlySpan<int> rows)
        {
            var counts = new int[k, 3];
            foreach (int r in rows)
            {
                if (decided[r] == labels[r])
                {
                    counts[labels[r], 0]++;
                }
                else
                {
                    counts[decided[r], 1]++;
                    counts[labels[r], 2]++;
                }
            }

            return counts;
        }

        var metrics = new List<(string, RowMetric)>
        {
            ("accuracy", rows =>
            {
                int right = 0;
                foreach (int r in rows)
                {
                    right += decided[r] == labels[r] ? 1 : 0;
                }

                return right / (double)rows.Length;
            }),
        };
        if (k == 2)
        {
            metrics.Add(("auc", rows => Auc(rows, 1)));
            metrics.Add(("sensitivity", rows =>
            {
                var c = Counts(rows);
                return c[1, 0] / (double)(c[1, 0] + c[1, 2]);
            }));
            metrics.Add(("specificity", rows =>
            {
                var c = Counts(rows);
                return c[0, 0] / (double)(c[0, 0] + c[0, 2]);
            }));
            metrics.Add(("f1", rows =>
            {
                var c = Counts(rows);
                return F1(c[1, 0], c[1, 1], c[1, 2]);
            }));
        }
        else
        {
            metrics.Add(("auc", rows =>
            {
                var perClass = new double[k];
                for (int c = 0; c < k; c++)
                {
                    perClass[c] = Auc(rows, c);
                }

                return RocAuc.MeanOfDefined(perClass).Mean;
            }));
            metrics.Add(("f1", rows =>
            {
                var c = Counts(rows);
                var perClass = new double[k];
                for (int cls = 0; cls < k; cls++)
                {
                    perClass[cls] = F1(c[cls, 0], c[cls, 1], c[cls, 2]);
                }

                return RocAuc.MeanOfDefined(perClass).Mean;
            }));
        }

        return metrics;
    }

    // The bootstrap's metrics of a multi-label model: each a mean over labels of that label's value on its known targets.
    private static List<(string, RowMetric)> MultiLabelMetrics(float[] probabilities, float[] targets, int labels, IReadOnlyList<float> thresholds)
    {
        int n = probabilities.Length / labels;
        var keys = new float[n];
        var items = new bool[n];

        // What one label gives on a resample.
        (double Accuracy, double Auc, double Sensitivity, double Specificity, double F1) Label(ReadOnlySpan<int> rows, int j)
        {
            int known = 0, tp = 0, fp = 0, tn = 0, fn = 0;
            foreach (int r in rows)
            {
                int at = r * labels + j;
                if (!float.IsNaN(targets[at]))
                {
                    bool isPositive = targets[at] == 1f;
                    keys[known] = probabilities[at];
                    items[known++] = isPositive;
                    Count(isPositive, probabilities[at] >= thresholds[j], ref tp, ref fp, ref tn, ref fn);
                }
            }

            return (known == 0 ? double.NaN : (tp + tn) / (double)known, RocAuc.Binary(keys.AsSpan(0, known), items.AsSpan(0, known)),
                tp / (double)(tp + fn), tn / (double)(tn + fp), F1(tp, fp, fn));
        }

        RowMetric MeanOver(Func<(double Accuracy, double Auc, double Sensitivity, double Specificity, double F1), double> pick) => rows =>
        {
            var values = new double[labels];
            for (int j = 0; j < labels; j++)
            {
                values[j] = pick(Label(rows, j));
            }

            return Mean(values);
        };

        return
        [
            ("accuracy", MeanOver(v => v.Accuracy)),
            ("auc", MeanOver(v => v.Auc)),
            ("sensitivity", MeanOver(v => v.Sensitivity)),
            ("specificity", MeanOver(v => v.Specificity)),
            ("f1", MeanOver(v => v.F1)),
        ];
    }

    private static void Count(bool positive, bool decidedPositive, ref int tp, ref int fp, ref int tn, ref int fn)
    {
        if (positive)
        {
            if (decidedPositive)
            {
                tp++;
            }
            else
            {
                fn++;
            }
        }
        else if (decidedPositive)
        {
            fp++;
        }
        else
        {
            tn++;
        }
    }

    private static double F1(int tp, int fp, int fn) => 2 * tp + fp + fn == 0 ? double.NaN : 2.0 * tp / (2 * tp + fp + fn);

    private static double Mean(IEnumerable<double> values) => RocAuc.MeanOfDefined(values.ToArray()).Mean;

    /// <summary>The first index of the largest value, as numpy's argmax.</summary>
    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int top = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[top])
            {
                top = c;
            }
        }

        return top;
    }

    private static double[] Widen(float[] values) => Array.ConvertAll(values, v => (double)v);

    private static void RequireProbabilities(float[] probabilities, string scoreColumn)
    {
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(probabilities), probabilities[i],
                    $"Score column '{scoreColumn}' holds {probabilities[i]} at value {i}; EvaluateDiagnostics needs probabilities in [0, 1] (the softmax or sigmoid output, not logits).");
            }
        }
    }
}
