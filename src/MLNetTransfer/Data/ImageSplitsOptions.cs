namespace MLNetTransfer;

/// <summary>
/// Options of <see cref="ImageDataCatalog.LoadImageSplits"/>: the CSV columns (when the data set is a CSV file), where
/// further splits are, and what the data are read for.
/// </summary>
public sealed class ImageSplitsOptions : ImageCsvOptions
{
    /// <summary>
    /// A validation split in the same form as the data set (a folder of class folders, or a CSV file). For a folder data
    /// set it takes the place of its own <c>val/</c> folder, with a warning. Default null.
    /// </summary>
    public string? ValidationPath { get; set; }

    /// <summary>A test split in the same form as the data set; for a folder it takes the place of its <c>test/</c>. Default null.</summary>
    public string? TestPath { get; set; }

    /// <summary>
    /// Read labelled images to evaluate a trained model rather than to train one: one class is enough,
    /// <see cref="ImageDataSplits.ClassNames"/> lists every class found in any split, and the splits are not checked
    /// against the training split's classes or groups. Default false: the training split needs two classes or more, the
    /// validation and test splits may hold only its classes, and with a group column no group may be in two splits.
    /// </summary>
    public bool ForEvaluation { get; set; }
}
