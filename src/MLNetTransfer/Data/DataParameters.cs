namespace MLNetTransfer.Data;

/// <summary>
/// The parameter and option names that the readers' messages name, so that a person knows which setting to change; a
/// command line can map them to its own option names.
/// </summary>
internal static class DataParameters
{
    /// <summary>The data set of <see cref="ImageDataCatalog.LoadImageSplits"/>.</summary>
    public const string DataPath = "dataPath";

    /// <summary>The folder or file of <see cref="ImageDataCatalog.LoadFromImageFolder"/> and <see cref="ImageDataCatalog.LoadFromImageCsv"/>.</summary>
    public const string Path = "path";

    /// <summary>The files and folders of <see cref="ImageDataCatalog.LoadFromImagePaths"/>.</summary>
    public const string Paths = "paths";

    public const string ValidationPath = nameof(ImageSplitsOptions.ValidationPath);

    public const string TestPath = nameof(ImageSplitsOptions.TestPath);

    public const string ImageColumn = nameof(ImageCsvOptions.ImageColumnName);

    public const string LabelColumn = nameof(ImageCsvOptions.LabelColumnName);

    public const string LabelColumns = nameof(ImageCsvOptions.LabelColumnNames);

    public const string GroupColumn = nameof(ImageCsvOptions.GroupColumnName);
}
