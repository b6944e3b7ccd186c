using System.Collections.Generic;

namespace MLNetTransfer.Cli.Data;

/// <summary>A data set as read by <see cref="DatasetReader"/>: the task, the class names in key order, and the splits.</summary>
internal sealed class LabeledDataset
{
    public LabeledDataset(
        TaskKind task,
        IReadOnlyList<string> classNames,
        IReadOnlyList<ImageRecord> train,
        IReadOnlyList<ImageRecord>? validation,
        IReadOnlyList<ImageRecord>? test,
        IReadOnlyList<string> warnings)
    {
        Task = task;
        ClassNames = classNames;
        Train = train;
        Validation = validation;
        Test = test;
        Warnings = warnings;
    }

    /// <summary>Binary for two classes, multiclass for more, multi-label for CSV label columns.</summary>
    public TaskKind Task { get; }

    /// <summary>
    /// Single-label: the training split's classes, ordinal-sorted (or as <see cref="WithClassOrder"/> set them), which
    /// is ML.NET's key order (index 1 is the positive class of a binary task). Multi-label: the label columns in the
    /// order given, one model output each.
    /// </summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The training images.</summary>
    public IReadOnlyList<ImageRecord> Train { get; }

    /// <summary>The validation images; null when the data have no validation split (the trainer then holds some out).</summary>
    public IReadOnlyList<ImageRecord>? Validation { get; }

    /// <summary>The test images; null when the data have no test split.</summary>
    public IReadOnlyList<ImageRecord>? Test { get; }

    /// <summary>Things that did not stop reading but that the person should see: ignored files, labels without positives.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// The library's counts of images per class (or per label and value) of each split present: "train", then
    /// "validation" and "test" when the data have them, as <see cref="DatasetReader"/> sets them; empty otherwise.
    /// </summary>
    public IReadOnlyList<(string Split, ImageSplitCounts Counts)> Counts { get; init; } = [];

    /// <summary>The same data with the classes in another order, e.g. a binary task's positive class second.</summary>
    public LabeledDataset WithClassOrder(IReadOnlyList<string> classNames) => new(Task, classNames, Train, Validation, Test, Warnings) { Counts = Counts };

    /// <summary>The task, the classes and the number of images per class and split, as lines for the console.</summary>
    public string Describe() => DatasetDescription.Of(this);
}
