namespace MLNetTransfer.Cli.Report;

/// <summary>
/// The counts a confusion plot shows: for single-label tasks a [truth, predicted] matrix, for multi-label tasks a
/// [label, cell] table whose cells are TN, FP, FN, TP at the decision threshold.
/// </summary>
/// <remarks>
/// A multi-label task's confusion is a 2×2 per label; laid out as one row per label with the cells in truth-major
/// order (negative truth: TN, FP; positive truth: FN, TP), it reads as the single-label matrices do and stays one plot
/// however many labels there are. Shading divides each cell by its row of truth, as for single-label tasks, which
/// makes the shades specificity, false-positive rate, false-negative rate and sensitivity.
/// </remarks>
internal static class ConfusionCounts
{
    /// <summary>The column names of <see cref="PerLabel"/>'s table.</summary>
    public static readonly string[] LabelCells = ["TN", "FP", "FN", "TP"];

    /// <summary>[truth, predicted] counts of a validated single-label input; predictions default to the argmax.</summary>
    public static int[,] SingleLabel(ReportInput input)
    {
        int classes = input.ClassNames.Count;
        var counts = new int[classes, classes];
        int[] labels = input.Labels!;
        for (int i = 0; i < labels.Length; i++)
        {
            int predicted = input.Predicted?[i] ?? Argmax(input.Scores[i]);
            counts[labels[i], predicted]++;
        }

        return counts;
    }

    /// <summary>[label, TN/FP/FN/TP] counts of a validated multi-label input over its known targets.</summary>
    public static int[,] PerLabel(ReportInput input)
    {
        int labels = input.ClassNames.Count;
        var counts = new int[labels, LabelCells.Length];
        float[][] truth = input.MultiLabels!;
        for (int i = 0; i < truth.Length; i++)
        {
            for (int j = 0; j < labels; j++)
            {
                float target = truth[i][j];
                if (float.IsNaN(target))
                {
                    continue;
                }

                // Strict >, the rule of Accuracy.MultiLabel, so the counts agree with the reported accuracy.
                bool predicted = input.Scores[i][j] > input.DecisionThreshold;
                int cell = (target == 1f ? 2 : 0) + (predicted ? 1 : 0);
                counts[j, cell]++;
            }
        }

        return counts;
    }

    /// <summary>
    /// Each cell over its row of truth: a single-label row, or a multi-label row's negative (TN, FP) or positive
    /// (FN, TP) half. A row with no examples shades 0.
    /// </summary>
    public static double[,] RowFractions(int[,] counts, bool perLabel)
    {
        int rows = counts.GetLength(0);
        int columns = counts.GetLength(1);
        int group = perLabel ? 2 : columns;
        var fractions = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            for (int start = 0; start < columns; start += group)
            {
                int total = 0;
                for (int c = start; c < start + group; c++)
                {
                    total += counts[r, c];
                }

                for (int c = start; c < start + group; c++)
                {
                    fractions[r, c] = total == 0 ? 0 : counts[r, c] / (double)total;
                }
            }
        }

        return fractions;
    }

    /// <summary>The first index of the largest score (a tie goes to the lowest, as numpy's argmax).</summary>
    private static int Argmax(float[] row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }

        return best;
    }
}
