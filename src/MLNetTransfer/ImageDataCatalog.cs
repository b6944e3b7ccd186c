using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetTransfer.Data;
using MLNetTransfer.Torch.FineTuning;

namespace MLNetTransfer;

/// <summary>
/// Reading image data sets and splitting them, on <c>mlContext.Data</c>: folders with one subfolder per class (as the
/// pediatric pneumonia set, optionally under <c>train/</c>, <c>val/</c>, <c>test/</c>), CSV files of paths and labels,
/// CheXpert-style multi-label CSVs, and a validation split that keeps each patient on one side and each label in
/// proportion.
/// </summary>
/// <remarks>
/// The loaded data views have the columns <c>ImagePath</c> (String: the image file's absolute path, for
/// <c>LoadImages</c> with no image folder or for <see cref="ResNetFineTuneTrainer.Options.ImageColumnName"/>),
/// <c>Label</c> (String: the class; for multi-label data a known-size vector of Single holding 1, 0, -1 uncertain or NaN
/// missing, with the label names as slot names) and, when the options name them, a String group column and a String
/// source column. Images are found by extension (PNG and JPEG, any case; hidden files and <c>__MACOSX</c> skipped) and
/// are not decoded here. Data mistakes throw <see cref="InvalidDataException"/> with a message that names the file or
/// folder, the line, the column and the parameter at fault.
/// </remarks>
public static class ImageDataCatalog
{
    /// <summary>
    /// Reads a folder whose subfolders are the classes (<c>NORMAL/</c>, <c>PNEUMONIA/</c>, ...); the images under each,
    /// at any depth, are its class's, in ordinal order of their paths.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="path">The folder.</param>
    /// <returns>A data view with the columns <c>ImagePath</c> and <c>Label</c> (String).</returns>
    /// <exception cref="InvalidDataException">
    /// The folder does not exist, has no class subfolders or no images, or holds <c>train/</c>, <c>val/</c> or <c>test/</c>
    /// (a tree of splits: read it with <see cref="LoadImageSplits"/>, or pass one split's folder).
    /// </exception>
    public static IDataView LoadFromImageFolder(this DataOperationsCatalog catalog, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        string folder = ImageSplitReader.Locate(path, DataParameters.Path);
        if (ImageSplitReader.IsCsvFile(folder, DataParameters.Path))
        {
            throw new InvalidDataException($"{DataParameters.Path} {path}: is a CSV file; read it with {nameof(LoadFromImageCsv)}.");
        }

        if (FolderSplits.SplitFolderIn(folder) is { } split)
        {
            throw new InvalidDataException(
                $"{folder} ({DataParameters.Path}): has '{split}/', so it is a tree of splits, not a folder of classes; " +
                $"read it with {nameof(LoadImageSplits)}, or pass the folder of one split.");
        }

        var records = FolderSplitReader.Read(folder, DataParameters.Path, new List<string>());
        return ImageRecordView.Create(catalog, records, null, null, null);
    }

    /// <summary>
    /// Lists unlabelled images to score: each file as given, and the images under each folder, at any depth, by the
    /// rule of <see cref="LoadFromImageFolder"/> (PNG and JPEG by extension, hidden files and <c>__MACOSX</c> skipped) in
    /// ordinal order of their paths; files and folders in the order given.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="paths">
    /// Image files and folders. A file is taken whatever its extension, and is not decoded here: <c>LoadImages</c>
    /// decodes it when the model is applied.
    /// </param>
    /// <returns>A data view with the one column <c>ImagePath</c> (String: the image file's absolute path).</returns>
    /// <exception cref="InvalidDataException">
    /// A path is blank or names neither a file nor a folder, or no image was found; the message names the path and
    /// <paramref name="paths"/>.
    /// </exception>
    public static IDataView LoadFromImagePaths(this DataOperationsCatalog catalog, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(paths);
        return ImageRecordView.Create(catalog, ImagePathsReader.Read(paths));
    }

    /// <summary>
    /// The image gate that <c>FineTuneResNet</c> applies to every file of a path column before training, for files an app
    /// is about to score: null when the file is a PNG or JPEG within <paramref name="maxPixels"/> (read from its header,
    /// before decoding), at least <paramref name="minimumSide"/> on its shorter side, and decodes to its last row;
    /// otherwise why not, worded to follow the file's name (e.g. "is truncated: ...").
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="path">The image file.</param>
    /// <param name="maxPixels">The largest width x height accepted; 0 for the default, 8192 x 8192.</param>
    /// <param name="minimumSide">The smallest shorter side accepted; 0 accepts any.</param>
    public static string? FindImageProblem(this DataOperationsCatalog catalog, string path, long maxPixels = 0, int minimumSide = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPixels);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumSide);
        return ImageFileCheck.Problem(path, maxPixels == 0 ? ImageFileCheck.DefaultMaxPixels : maxPixels, minimumSide);
    }

    /// <summary>
    /// The first of <paramref name="paths"/> that ML.NET's 8-bit image loader would lose precision on, or cannot read at
    /// all: a DICOM file (by its .dcm extension or its preamble) or a 16-bit PNG (from its header). Such data are for a
    /// model trained with <see cref="ResNetFineTuneTrainer.Options.PixelReader"/>; null when every file is an 8-bit
    /// image (or not an image: the image gate names those). Reads a few header bytes of each file.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="paths">Image files.</param>
    public static string? FindFullPrecisionImage(this DataOperationsCatalog catalog, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(paths);
        return paths.FirstOrDefault(p => p.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) || PngHeader.BitDepth(p) == 16 || DicomPreamble.Has(p));
    }

    /// <summary>
    /// Reads a CSV file with a header row: a column of image paths (absolute, or relative to the CSV file's folder) and
    /// either a column of class names or CheXpert-style multi-label columns; optionally a group column.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="path">The CSV file (comma-separated).</param>
    /// <param name="options">Which columns hold what. Default: <c>Path</c> and <c>Label</c>.</param>
    /// <returns>A data view with the columns <c>ImagePath</c>, <c>Label</c> and those the options name, in the file's row order.</returns>
    /// <exception cref="InvalidDataException">
    /// The file is missing or malformed, a column is absent, or a row has a blank label or group, an unreadable
    /// multi-label value or a missing image; the message names the line and the column.
    /// </exception>
    /// <exception cref="ArgumentException">The group or source column's name is blank or taken by another column.</exception>
    public static IDataView LoadFromImageCsv(this DataOperationsCatalog catalog, string path, ImageCsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new ImageCsvOptions();
        ImageRecordView.CheckColumnNames(options);
        string file = ImageSplitReader.Locate(path, DataParameters.Path);
        if (!ImageSplitReader.IsCsvFile(file, DataParameters.Path))
        {
            throw new InvalidDataException($"{DataParameters.Path} {path}: is a folder; read it with {nameof(LoadFromImageFolder)} or {nameof(LoadImageSplits)}.");
        }

        var records = CsvSplitReader.Read(file, options);
        return ImageRecordView.Create(catalog, records, LabelNames(options), options.GroupColumnName, options.SourceColumnName);
    }

    /// <summary>
    /// Reads every split of a data set and checks them together: a folder (with <c>train/</c>, and optionally
    /// <c>val/</c> or <c>validation/</c> and <c>test/</c>, each with one subfolder per class; or just one subfolder per
    /// class, all for training) or a CSV file, plus the validation and test splits the options name.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="dataPath">The folder or CSV file.</param>
    /// <param name="options">CSV columns, further splits, training or evaluation. Default: <c>Path</c>, <c>Label</c>, for training.</param>
    /// <returns>The splits as data views (columns as <see cref="LoadFromImageCsv"/>'s), the task, the classes, the images per class and split and the warnings.</returns>
    /// <exception cref="InvalidDataException">
    /// The data cannot be used as given: as <see cref="LoadFromImageCsv"/> and <see cref="LoadFromImageFolder"/>, and for
    /// training one class only, a validation or test class that the training split lacks, or a group in two splits.
    /// </exception>
    /// <exception cref="ArgumentException">The group or source column's name is blank or taken by another column.</exception>
    public static ImageDataSplits LoadImageSplits(this DataOperationsCatalog catalog, string dataPath, ImageSplitsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new ImageSplitsOptions();
        ImageRecordView.CheckColumnNames(options);
        var read = ImageSplitReader.Read(dataPath, options);
        var labelNames = LabelNames(options);
        IDataView View(IReadOnlyList<ImageRecord> records) => ImageRecordView.Create(catalog, records, labelNames, options.GroupColumnName, options.SourceColumnName);
        ImageSplitCounts Counts(IReadOnlyList<ImageRecord> records) => ImageSplitCounts.Of(records, read.ClassNames, read.Task == TaskKind.MultiLabel);
        return new ImageDataSplits(read.Task, read.ClassNames,
            View(read.Train.Records), read.Train.Path,
            read.Validation is { } v ? View(v.Records) : null, read.Validation?.Path,
            read.Test is { } t ? View(t.Records) : null, read.Test?.Path,
            read.Warnings,
            Counts(read.Train.Records), read.Validation is { } vc ? Counts(vc.Records) : null, read.Test is { } tc ? Counts(tc.Records) : null);
    }

    /// <summary>
    /// Holds out about <paramref name="validationFraction"/> of the rows for validation, keeping every group (patient,
    /// study) on one side and each label in about its proportion on both. This is the split
    /// <see cref="ResNetFineTuneTrainer"/> makes itself when it is given no validation set: the same data, fraction,
    /// group column, label column and seed hold out the same rows (a text label and its <c>MapValueToKey</c> key split
    /// alike).
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="data">The rows; both sides keep their order and all their columns.</param>
    /// <param name="validationFraction">The share of the rows to hold out, strictly between 0 and 1. Default 0.2, as <see cref="ResNetFineTuneTrainer.Options.ValidationFraction"/>.</param>
    /// <param name="groupColumnName">
    /// A String or number column of group ids; rows that share one stay together (an empty String is no group). Null:
    /// each row is its own group.
    /// </param>
    /// <param name="labelColumnName">
    /// The label column (String, Key, Boolean or a number) to stratify by; a vector label (multi-label) and null are not
    /// stratified. Default "Label".
    /// </param>
    /// <param name="seed">The seed of the split. Default 1: the seed <see cref="ResNetFineTuneTrainer.Options.Seed"/> resolves to when neither it nor an <see cref="ResNetFineTuneTrainer.Options.Environment"/> is given, so the estimator's own hold-out is this one.</param>
    /// <returns>The training and validation rows.</returns>
    /// <remarks>
    /// Whole groups cannot always hit the fraction; the validation side's share lands within half the largest group's
    /// share of it (with 20 groups or more of comparable size, within a few points), and a label's share on the
    /// validation side close to the fraction too. ML.NET's <c>TrainTestSplit</c> with a sampling key hashes the key
    /// instead, which keeps groups together but whose share varies widely with few groups.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not strictly between 0 and 1, or a column is missing or of another type.</exception>
    /// <exception cref="InvalidOperationException">A side would be empty: too few rows or groups for the fraction.</exception>
    public static TrainValidationData TrainValidationSplit(this DataOperationsCatalog catalog, IDataView data, double validationFraction = FineTuneDefaults.ValidationFraction,
        string? groupColumnName = null, string? labelColumnName = "Label", int seed = FineTuneDefaults.Seed)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction > 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction lies strictly between 0 and 1.");
        }

        var (groups, strata) = SplitColumns.Read(data, groupColumnName, labelColumnName);
        var (train, validation) = GroupedSplit.Split(groups, strata, validationFraction, seed);
        return new TrainValidationData(new RowSubsetView(data, groups.Count, train), new RowSubsetView(data, groups.Count, validation));
    }

    private static IReadOnlyList<string>? LabelNames(ImageCsvOptions options) =>
        options.LabelColumnNames is { Count: > 0 } names ? names.ToArray() : null;
}
