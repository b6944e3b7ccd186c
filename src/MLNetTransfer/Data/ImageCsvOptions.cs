using System.Collections.Generic;

namespace MLNetTransfer;

/// <summary>
/// Which columns of a CSV data set hold what, for <see cref="ImageDataCatalog.LoadFromImageCsv"/> and
/// <see cref="ImageDataCatalog.LoadImageSplits"/>. The file is comma-separated with a header row; names match the header
/// exactly first, then ignoring case.
/// </summary>
public class ImageCsvOptions
{
    /// <summary>
    /// The column of image paths, absolute or relative to the CSV file's folder (so that a data set folder can move as a
    /// whole). Default "Path".
    /// </summary>
    public string ImageColumnName { get; set; } = "Path";

    /// <summary>The column of class names, for single-label data. Not read when <see cref="LabelColumnNames"/> is set. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// CheXpert-style multi-label columns, in the order the model's outputs take: each cell holds 1 (positive), 0
    /// (negative), -1 (uncertain) or nothing (missing); 1.0, 0.0 and -1.0 also work. When set, the data are multi-label
    /// and the <c>Label</c> column of the data view is a known-size vector of Single (NaN for a blank cell) whose slot
    /// names are these names. Default null (single-label).
    /// </summary>
    public IReadOnlyList<string>? LabelColumnNames { get; set; }

    /// <summary>
    /// A patient or study id. The data view gets a String column of this name, which
    /// <see cref="ImageDataCatalog.TrainValidationSplit"/> and <see cref="ResNetFineTuneTrainer.Options.GroupColumnName"/>
    /// keep on one side of a split; every row needs a value. Default null (no group column).
    /// </summary>
    public string? GroupColumnName { get; set; }

    /// <summary>
    /// A String column of this name says where each row came from ("/data/train.csv line 12", or the class folder), for
    /// messages about single rows. Default null (no such column).
    /// </summary>
    public string? SourceColumnName { get; set; }
}
