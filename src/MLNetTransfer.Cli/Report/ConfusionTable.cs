using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The counts a confusion plot shows, as an evaluator gave them: for single-label tasks ML.NET's confusion matrix laid
/// out [truth, predicted] in class order, for multi-label tasks the library's per-label counts laid out [label, cell]
/// with the cells TN, FP, FN, TP.
/// </summary>
/// <remarks>
/// A multi-label task's confusion is a 2×2 per label; laid out as one row per label with the cells in truth-major
/// order (negative truth: TN, FP; positive truth: FN, TP), it reads as the single-label matrices do and stays one plot
/// however many labels there are. Shading divides each cell by its row of truth, as for single-label tasks, which
/// makes the shades specificity, false-positive rate, false-negative rate and sensitivity.
/// </remarks>
internal sealed class ConfusionTable
{
    /// <summary>The column names of a per-label table.</summary>
    public static readonly IReadOnlyList<string> LabelCells = ["TN", "FP", "FN", "TP"];

    private ConfusionTable(IReadOnlyList<string> rowNames, IReadOnlyList<string> columnNames, int[,] counts, float? threshold)
    {
        RowNames = rowNames;
        ColumnNames = columnNames;
        Counts = counts;
        Threshold = threshold;
    }

    /// <summary>Classes (rows = truth) or labels, top to bottom.</summary>
    public IReadOnlyList<string> RowNames { get; }

    /// <summary>Predicted classes, or <see cref="LabelCells"/> for a per-label table.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>[row, column] counts.</summary>
    public int[,] Counts { get; }

    /// <summary>The decision threshold of a per-label table; null for a single-label matrix.</summary>
    public float? Threshold { get; }

    /// <summary>True for a multi-label task's [label, TN/FP/FN/TP] table.</summary>
    public bool PerLabel => Threshold is not null;

    /// <summary>
    /// The matrix of ML.NET's multiclass evaluator (<c>MulticlassClassification.Evaluate</c>), whose rows and columns
    /// are the classes in key order.
    /// </summary>
    public static ConfusionTable FromMulticlass(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        RequireClasses(matrix, classNames);
        int k = classNames.Count;
        var counts = new int[k, k];
        for (int truth = 0; truth < k; truth++)
        {
            for (int predicted = 0; predicted < k; predicted++)
            {
                counts[truth, predicted] = Count(matrix.Counts[truth][predicted]);
            }
        }

        return new ConfusionTable(classNames, classNames, counts, null);
    }

    /// <summary>
    /// The matrix of ML.NET's binary evaluator (<c>BinaryClassification.Evaluate</c>), which puts the positive class
    /// first ("positive", "negative"), turned into class order: the negative class (index 0) first.
    /// </summary>
    public static ConfusionTable FromBinary(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        RequireClasses(matrix, classNames);
        var counts = new int[2, 2];
        for (int truth = 0; truth < 2; truth++)
        {
            for (int predicted = 0; predicted < 2; predicted++)
            {
                counts[truth, predicted] = Count(matrix.Counts[1 - truth][1 - predicted]);
            }
        }

        return new ConfusionTable(classNames, classNames, counts, null);
    }

    /// <summary>The library's per-label counts (<c>EvaluateMultiLabelConfusion</c>).</summary>
    /// <summary>Per-label counts at each label's own threshold, from the library's diagnostics.</summary>
    public static ConfusionTable FromDiagnostics(DiagnosticMetrics diagnostics)
    {
        var perLabel = diagnostics.PerClass;
        var counts = new int[perLabel.Count, LabelCells.Count];
        for (int j = 0; j < perLabel.Count; j++)
        {
            counts[j, 0] = perLabel[j].TrueNegatives;
            counts[j, 1] = perLabel[j].FalsePositives;
            counts[j, 2] = perLabel[j].FalseNegatives;
            counts[j, 3] = perLabel[j].TruePositives;
        }

        // One threshold for all labels is shown as it is; different ones are listed with the metrics, so NaN here.
        var thresholds = perLabel.Select(c => c.Threshold).Distinct().ToList();
        return new ConfusionTable(perLabel.Select(c => c.ClassName).ToList(), LabelCells, counts, thresholds.Count == 1 ? thresholds[0] : float.NaN);
    }

    public static ConfusionTable FromMultiLabel(MultiLabelConfusionMetrics metrics)
    {
        int labels = metrics.LabelNames.Count;
        var counts = new int[labels, LabelCells.Count];
        for (int j = 0; j < labels; j++)
        {
            counts[j, 0] = metrics.TrueNegatives[j];
            counts[j, 1] = metrics.FalsePositives[j];
            counts[j, 2] = metrics.FalseNegatives[j];
            counts[j, 3] = metrics.TruePositives[j];
        }

        return new ConfusionTable(metrics.LabelNames, LabelCells, counts, metrics.Threshold);
    }

    /// <summary>
    /// Each cell over its row of truth: a single-label row, or a per-label row's negative (TN, FP) or positive (FN, TP)
    /// half. A row with no examples shades 0.
    /// </summary>
    public double[,] RowFractions()
    {
        int rows = Counts.GetLength(0);
        int columns = Counts.GetLength(1);
        int group = PerLabel ? 2 : columns;
        var fractions = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            for (int start = 0; start < columns; start += group)
            {
                int total = 0;
                for (int c = start; c < start + group; c++)
                {
                    total += Counts[r, c];
                }

                for (int c = start; c < start + group; c++)
                {
                    fractions[r, c] = total == 0 ? 0 : Counts[r, c] / (double)total;
                }
            }
        }

        return fractions;
    }

    private static void RequireClasses(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        if (matrix.NumberOfClasses != classNames.Count || matrix.Counts.Any(row => row.Count != classNames.Count))
        {
            throw new ArgumentException(
                $"The evaluator's confusion matrix has {matrix.NumberOfClasses} classes but the model names {classNames.Count} ({string.Join(", ", classNames)}).",
                nameof(matrix));
        }
    }

    // ML.NET counts in doubles (rows may carry weights); these evaluations have none, so every count is whole.
    private static int Count(double value) => checked((int)Math.Round(value));
}
