using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Cli.Report;

/// <summary>
/// Everything a training report shows: what was run, the numbers it gave, and the ROC curves and confusion counts the
/// evaluators returned, which the report draws as they are. <c>train</c> fills the epochs; <c>evaluate</c> leaves them
/// empty.
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

    /// <summary>Binary, multiclass or multi-label: decides which ROC curves are drawn (binary: the positive class only).</summary>
    public required TaskKind Task { get; init; }

    /// <summary>
    /// The ROC curve of each class or label, in <see cref="ClassNames"/> order, as the library's evaluators return them
    /// (<c>PerClassAucMetrics.RocCurves</c>); null where the AUC is undefined.
    /// </summary>
    public required IReadOnlyList<RocCurve?> RocCurves { get; init; }

    /// <summary>The confusion counts an evaluator gave; null draws no confusion plot.</summary>
    public ConfusionTable? Confusion { get; init; }

    /// <summary>The reliability bins of the evaluated probabilities (the library's diagnostics); empty draws no reliability diagram.</summary>
    public IReadOnlyList<ReliabilityBin> Reliability { get; init; } = [];

    /// <summary>The expected calibration error over <see cref="Reliability"/>, shown on the diagram.</summary>
    public double Ece { get; init; } = double.NaN;

    /// <summary>Which rows were scored, e.g. "test split (100 images)"; shown with the ROC and confusion plots.</summary>
    public string EvaluatedOn { get; init; } = "";

    /// <summary>With <c>--bad-images skip</c>, the images left out (possibly none), listed in their own section; null without it.</summary>
    public IReadOnlyList<MLNetTransfer.Cli.Scoring.SkippedImageRow>? SkippedImages { get; init; }

    /// <summary>True for binary and multiclass tasks.</summary>
    public bool IsSingleLabel => Task != TaskKind.MultiLabel;

    /// <summary>Refuses input the plots would misdraw, naming the field at fault.</summary>
    /// <exception cref="ArgumentException">A count of classes, curves or confusion rows and columns disagrees.</exception>
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

        if (RocCurves.Count != classes)
        {
            throw new ArgumentException($"RocCurves has {RocCurves.Count} entries; need one per class name ({classes}), null where undefined.", nameof(RocCurves));
        }

        if (Confusion is { } confusion)
        {
            ValidateConfusion(confusion);
        }

        if (BestEpoch < 0 || BestEpoch > 0 && !HasEpoch(BestEpoch))
        {
            throw new ArgumentException($"BestEpoch {BestEpoch} is not one of the epochs reported.", nameof(BestEpoch));
        }
    }

    private void ValidateConfusion(ConfusionTable confusion)
    {
        if (confusion.PerLabel == IsSingleLabel)
        {
            throw new ArgumentException(
                $"Confusion is a {(confusion.PerLabel ? "per-label table" : "class matrix")}, but the task is {Task}.", nameof(Confusion));
        }

        if (!confusion.RowNames.SequenceEqual(ClassNames))
        {
            throw new ArgumentException(
                $"Confusion's rows are {string.Join(", ", confusion.RowNames)}; need the class names {string.Join(", ", ClassNames)}, in order.", nameof(Confusion));
        }

        if (confusion.Counts.GetLength(0) != confusion.RowNames.Count || confusion.Counts.GetLength(1) != confusion.ColumnNames.Count)
        {
            throw new ArgumentException(
                $"Confusion has {confusion.Counts.GetLength(0)}×{confusion.Counts.GetLength(1)} counts for {confusion.RowNames.Count} rows and {confusion.ColumnNames.Count} columns.", nameof(Confusion));
        }

        if (confusion.Counts.Cast<int>().Any(c => c < 0))
        {
            throw new ArgumentException("Confusion holds a negative count.", nameof(Confusion));
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
}
