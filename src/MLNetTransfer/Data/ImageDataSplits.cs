using System.Collections.Generic;
using Microsoft.ML;

namespace MLNetTransfer;

/// <summary>
/// The splits of an image data set as read by <see cref="ImageDataCatalog.LoadImageSplits"/>: one data view per split,
/// with the columns <c>ImagePath</c> (String, absolute), <c>Label</c> (String; or a known-size vector of Single for
/// multi-label data) and the group and source columns the options name.
/// </summary>
public sealed class ImageDataSplits
{
    internal ImageDataSplits(TaskKind task, IReadOnlyList<string> classNames, IDataView trainSet, string trainPath,
        IDataView? validationSet, string? validationPath, IDataView? testSet, string? testPath, IReadOnlyList<string> warnings,
        ImageSplitCounts trainCounts, ImageSplitCounts? validationCounts, ImageSplitCounts? testCounts)
    {
        Task = task;
        ClassNames = classNames;
        TrainSet = trainSet;
        TrainPath = trainPath;
        ValidationSet = validationSet;
        ValidationPath = validationPath;
        TestSet = testSet;
        TestPath = testPath;
        Warnings = warnings;
        TrainCounts = trainCounts;
        ValidationCounts = validationCounts;
        TestCounts = testCounts;
    }

    /// <summary>Binary for two classes, multiclass for more, multi-label for CSV label columns.</summary>
    public TaskKind Task { get; }

    /// <summary>
    /// Single-label: the training split's classes, ordinal-sorted, which is the key order of ML.NET's
    /// <c>MapValueToKey</c> with <c>KeyOrdinality.ByValue</c> (the second class is the positive one of a binary task).
    /// Multi-label: the label columns in the order given.
    /// </summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The training images: <c>train/</c> of a folder tree, the folder itself, or the CSV file.</summary>
    public IDataView TrainSet { get; }

    /// <summary>The folder or CSV file the training images came from (absolute).</summary>
    public string TrainPath { get; }

    /// <summary>
    /// The validation images (<c>val/</c> or <c>validation/</c>, or <see cref="ImageSplitsOptions.ValidationPath"/>);
    /// null when there are none: hold some out with <see cref="ImageDataCatalog.TrainValidationSplit"/>.
    /// </summary>
    public IDataView? ValidationSet { get; }

    /// <summary>The folder or CSV file the validation images came from; null without a validation split.</summary>
    public string? ValidationPath { get; }

    /// <summary>The test images (<c>test/</c>, or <see cref="ImageSplitsOptions.TestPath"/>); null when there are none.</summary>
    public IDataView? TestSet { get; }

    /// <summary>The folder or CSV file the test images came from; null without a test split.</summary>
    public string? TestPath { get; }

    /// <summary>
    /// What did not stop reading but deserves a look: ignored files, empty class folders, a split with one class, a
    /// multi-label column without positives.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The images of <see cref="TrainSet"/> per class, or per label and value for multi-label data.</summary>
    public ImageSplitCounts TrainCounts { get; }

    /// <summary>The images of <see cref="ValidationSet"/> per class or label; null without a validation split.</summary>
    public ImageSplitCounts? ValidationCounts { get; }

    /// <summary>The images of <see cref="TestSet"/> per class or label; null without a test split.</summary>
    public ImageSplitCounts? TestCounts { get; }
}
