using System.Collections.Generic;

namespace MLNetTransfer.Cli.Data;

/// <summary>Where a data set lies and which CSV columns hold what; the data part of <c>train</c> and <c>evaluate</c>.</summary>
internal sealed class DataSourceOptions
{
    // The command line's names for these options. Errors name the option to change, so they live next to the
    // properties they stand for; the command definitions should use the same constants.
    public const string DataOption = "--data";
    public const string ImageColumnOption = "--image-column";
    public const string LabelColumnOption = "--label-column";
    public const string LabelColumnsOption = "--label-columns";
    public const string GroupColumnOption = "--group-column";
    public const string ValidationOption = "--validation";
    public const string TestOption = "--test";

    /// <summary>
    /// A folder (one subfolder per class, or <c>train/</c>, <c>val/</c>, <c>test/</c> each with one subfolder per class)
    /// or a <c>.csv</c> file.
    /// </summary>
    public required string DataPath { get; init; }

    /// <summary>The CSV column with the image paths (absolute, or relative to the CSV file's folder).</summary>
    public string ImageColumn { get; init; } = "Path";

    /// <summary>The CSV column with the class of each image, for single-label data.</summary>
    public string LabelColumn { get; init; } = "Label";

    /// <summary>
    /// CheXpert-style multi-label columns (1, 0, -1 uncertain, blank missing), in the order the model's outputs take.
    /// When given, the data set is multi-label and <see cref="LabelColumn"/> is not read.
    /// </summary>
    public IReadOnlyList<string>? LabelColumns { get; init; }

    /// <summary>The CSV column that groups images (e.g. a patient id); optional.</summary>
    public string? GroupColumn { get; init; }

    /// <summary>A validation split in the same form as <see cref="DataPath"/> (a folder of class folders, or a CSV); optional.</summary>
    public string? ValidationPath { get; init; }

    /// <summary>A test split in the same form as <see cref="DataPath"/>; optional.</summary>
    public string? TestPath { get; init; }

    /// <summary>True when <see cref="LabelColumns"/> makes the data set multi-label.</summary>
    internal bool IsMultiLabel => LabelColumns is { Count: > 0 };
}
