using System;
using System.Collections.Generic;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// Everything a training report shows: what was run, the numbers it gave, and the scored rows its ROC curves and
/// confusion matrix are drawn from. <c>train</c> fills the epochs; <c>evaluate</c> leaves them empty.
/// </summary>
internal sealed class ReportInput
{
    /// <summary>The page's heading, e.g. "mlnet-transfer train: resnet18 on chest-xrays".</summary>
    public required string Title { get; init; }

    /// <summary>What was run (architecture, strategy, epochs...), shown in this order.</summary>
    public IReadOnlyList<(string Name, string Value)> Settings { get; init; } = [];

    /// <summary>The headline numbers (AUC, accuracy...), already formatted, shown in this order.</summary>
    public IReadOnlyList<(string Name, string Value)> Metrics { get; init; } = [];

    /// <summary>Per-epoch metrics of a training run, in order; empty when nothing was trained (evaluate).</summary>
    public IReadOnlyList<EpochMetrics> Epochs { get; init; } = [];

    /// <summary>The epoch whose weights the model holds (1-based); 0 when none.</summary>
    public int BestEpoch { get; init; }

    /// <summary>Class names (single-label) or label names (multi-label), in score-column order.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Binary, multiclass or multi-label: decides which ROC curves and which confusion matrix are drawn.</summary>
    public required TaskKind Task { get; init; }

    /// <summary>
    /// [row][class] probabilities: softmax for single-label tasks (binary has two columns, the positive class at
    /// index 1), one sigmoid per label for multi-label tasks.
    /// </summary>
    public required float[][] Scores { get; init; }

    /// <summary>Single-label truth: each row's class index. Required for binary and multiclass tasks.</summary>
    public int[]? Labels { get; init; }

    /// <summary>
    /// Multi-label truth, [row][label]: 1, 0, or NaN for missing or uncertain (left out of that label's curve and
    /// counts). Required for multi-label tasks.
    /// </summary>
    public float[][]? MultiLabels { get; init; }

    /// <summary>
    /// Single-label predictions (class index per row), e.g. a binary threshold other than 0.5 applied; null = the
    /// argmax of <see cref="Scores"/>, a tie going to the lowest index (as <c>Accuracy.Argmax</c>).
    /// </summary>
    public int[]? Predicted { get; init; }

    /// <summary>Multi-label: a label is predicted when its score is above this (strict, as <c>Accuracy.MultiLabel</c>).</summary>
    public float DecisionThreshold { get; init; } = EvaluationCatalog.MultiLabelThreshold;

    /// <summary>Which rows were scored, e.g. "test split (100 images)"; shown with the ROC and confusion plots.</summary>
    public string EvaluatedOn { get; init; } = "";

    /// <summary>True for binary and multiclass tasks.</summary>
    public bool IsSingleLabel => Task != TaskKind.MultiLabel;

    /// <summary>Refuses input the plots would misdraw, naming the field at fault.</summary>
    /// <exception cref="ArgumentException">A shape disagrees, a label is out of range, or the truth for the task is missing.</exception>
    public void Validate()
    {
        int classes = ClassNames.Count;
        if (IsSingleLabel && classes < 2)
        {
            throw new ArgumentException($"A {Task} task needs at least two class names; got {classes}.", nameof(ClassNames));
        }

        if (Task == TaskKind.Binary && classes != 2)
        {
            throw new ArgumentException($"A binary task has exactly two classes (the positive one at index 1); got {classes}.", nameof(ClassNames));
        }

        if (classes == 0)
        {
            throw new ArgumentException("A multi-label task needs at least one label name.", nameof(ClassNames));
        }

        for (int i = 0; i < Scores.Length; i++)
        {
            RequireWidth(Scores[i], classes, i, nameof(Scores));
            if (Array.FindIndex(Scores[i], s => !float.IsFinite(s)) is int at and >= 0)
            {
                throw new ArgumentException($"Scores row {i} holds {Scores[i][at]}; scores must be finite.", nameof(Scores));
            }
        }

        if (IsSingleLabel)
        {
            ValidateSingleLabel(classes);
        }
        else
        {
            ValidateMultiLabel(classes);
        }

        if (BestEpoch < 0 || BestEpoch > 0 && !HasEpoch(BestEpoch))
        {
            throw new ArgumentException($"BestEpoch {BestEpoch} is not one of the epochs reported.", nameof(BestEpoch));
        }
    }

    private void ValidateSingleLabel(int classes)
    {
        int[] labels = Labels ?? throw new ArgumentException($"A {Task} task needs Labels (the true class of each row).", nameof(Labels));
        RequireRows(labels.Length, nameof(Labels));
        RequireClasses(labels, classes, nameof(Labels));
        if (Predicted is { } predicted)
        {
            RequireRows(predicted.Length, nameof(Predicted));
            RequireClasses(predicted, classes, nameof(Predicted));
        }
    }

    private void ValidateMultiLabel(int labels)
    {
        float[][] truth = MultiLabels ?? throw new ArgumentException("A multi-label task needs MultiLabels (1, 0 or NaN per row and label).", nameof(MultiLabels));
        RequireRows(truth.Length, nameof(MultiLabels));
        for (int i = 0; i < truth.Length; i++)
        {
            RequireWidth(truth[i], labels, i, nameof(MultiLabels));
            foreach (float target in truth[i])
            {
                if (!(target == 0f || target == 1f || float.IsNaN(target)))
                {
                    // -1 (CheXpert's uncertain) is the likely case: the caller's uncertainty policy decides what it means.
                    throw new ArgumentException(
                        $"MultiLabels row {i} holds {target}; targets must be 1, 0 or NaN (map uncertain -1 before reporting).", nameof(MultiLabels));
                }
            }
        }

        if (!(DecisionThreshold > 0 && DecisionThreshold < 1))
        {
            throw new ArgumentException($"DecisionThreshold {DecisionThreshold} must lie strictly between 0 and 1.", nameof(DecisionThreshold));
        }
    }

    private bool HasEpoch(int epoch)
    {
        foreach (EpochMetrics e in Epochs)
        {
            if (e.Epoch == epoch)
            {
                return true;
            }
        }

        return false;
    }

    private void RequireRows(int rows, string field)
    {
        if (rows != Scores.Length)
        {
            throw new ArgumentException($"{field} has {rows} rows but Scores has {Scores.Length}; need one per scored row.", field);
        }
    }

    private static void RequireWidth<T>(T[] row, int width, int index, string field)
    {
        if (row is null || row.Length != width)
        {
            throw new ArgumentException($"{field} row {index} has {row?.Length ?? 0} values; need one per class name ({width}).", field);
        }
    }

    private static void RequireClasses(int[] values, int classes, string field)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if ((uint)values[i] >= (uint)classes)
            {
                throw new ArgumentException($"{field}[{i}] is {values[i]}; class indices lie in [0, {classes}).", field);
            }
        }
    }
}
