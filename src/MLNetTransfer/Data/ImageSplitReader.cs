using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>
/// Reads a data set in one of the two layouts: a folder per class (optionally under train/, val/, test/) or a CSV file
/// (<c>Path,Label</c>, or CheXpert-style multi-label columns), with the checks that turn a data mistake into a clear
/// message before any training.
/// </summary>
internal static class ImageSplitReader
{
    /// <summary>Reads the splits that <paramref name="dataPath"/> and <paramref name="options"/> point to and checks their labels.</summary>
    /// <exception cref="InvalidDataException">
    /// The data cannot be used as given; the message names the file or folder, the line and the column or parameter.
    /// </exception>
    public static ImageSplitRecords Read(string? dataPath, ImageSplitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var warnings = new List<string>();
        string data = Locate(dataPath, DataParameters.DataPath);
        bool csv = IsCsvFile(data, DataParameters.DataPath);
        string? validationPath = Optional(options.ValidationPath, DataParameters.ValidationPath, csv, data);
        string? testPath = Optional(options.TestPath, DataParameters.TestPath, csv, data);

        (string Path, IReadOnlyList<ImageRecord> Records) train;
        (string Path, IReadOnlyList<ImageRecord> Records)? validation = null, test = null;
        if (csv)
        {
            train = (data, CsvSplitReader.Read(data, options));
            validation = validationPath is null ? null : (validationPath, CsvSplitReader.Read(validationPath, options));
            test = testPath is null ? null : (testPath, CsvSplitReader.Read(testPath, options));
        }
        else
        {
            RefuseCsvOnlyOptions(options, data);
            var splits = FolderSplits.Locate(data, warnings);
            validationPath = Override(validationPath, splits.Validation, DataParameters.ValidationPath, warnings);
            testPath = Override(testPath, splits.Test, DataParameters.TestPath, warnings);
            train = (splits.Train, FolderSplitReader.Read(splits.Train, DataParameters.DataPath, warnings));
            validation = validationPath is null ? null : (validationPath, FolderSplitReader.Read(validationPath, SplitParameter(options.ValidationPath, DataParameters.ValidationPath), warnings));
            test = testPath is null ? null : (testPath, FolderSplitReader.Read(testPath, SplitParameter(options.TestPath, DataParameters.TestPath), warnings));
        }

        TaskKind task;
        IReadOnlyList<string> classNames;
        if (options.LabelColumnNames is { Count: > 0 } labelNames)
        {
            task = TaskKind.MultiLabel;
            classNames = labelNames.ToArray();
            ClassChecks.WarnSingleValuedLabels(train.Records, classNames, train.Path, warnings);
        }
        else if (options.ForEvaluation)
        {
            // Every class present in any split; the evaluation checks them against the model's classes.
            classNames = train.Records.Concat(validation?.Records ?? []).Concat(test?.Records ?? [])
                .Select(r => r.Label!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            task = classNames.Count == 2 ? TaskKind.Binary : TaskKind.Multiclass;
        }
        else
        {
            string[] classes = ClassChecks.TrainingClasses(train.Records, train.Path);
            foreach (var (split, name) in new[] { (validation, "validation"), (test, "test") })
            {
                if (split is { } s)
                {
                    ClassChecks.RequireKnownClasses(s.Records, classes, name, s.Path, warnings);
                }
            }

            task = classes.Length == 2 ? TaskKind.Binary : TaskKind.Multiclass;
            classNames = classes;
        }

        if (!options.ForEvaluation && options.GroupColumnName is { } group)
        {
            GroupChecks.RequireDisjoint(group, train, validation, test);
        }

        return new ImageSplitRecords(task, classNames, train, validation, test, warnings);
    }

    /// <summary>The absolute path of <paramref name="path"/>, which must exist.</summary>
    /// <exception cref="InvalidDataException">No path, or nothing there; the message names <paramref name="parameter"/>.</exception>
    public static string Locate(string? path, string parameter)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidDataException($"{parameter}: no path given; pass a folder with one subfolder per class, or a CSV file.");
        }

        string full = Path.GetFullPath(path);
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            throw new InvalidDataException($"{parameter} {path}: {full} does not exist.");
        }

        return full;
    }

    /// <summary>True for a CSV file, false for a folder.</summary>
    /// <exception cref="InvalidDataException">A file that is not a .csv file.</exception>
    public static bool IsCsvFile(string path, string parameter)
    {
        if (Directory.Exists(path))
        {
            return false;
        }

        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{parameter} {path}: is a file but not a .csv file; pass a CSV file, or a folder with one subfolder per class.");
        }

        return true;
    }

    // Validation and test data come in the same form as the training data, so that one set of column options and
    // one class-folder rule read all three.
    private static string? Optional(string? path, string parameter, bool csv, string dataPath)
    {
        if (path is null)
        {
            return null;
        }

        string full = Locate(path, parameter);
        if (IsCsvFile(full, parameter) != csv)
        {
            throw new InvalidDataException(
                $"{parameter} {path}: is a {(csv ? "folder" : "CSV file")} but {DataParameters.DataPath} {dataPath} is a {(csv ? "CSV file" : "folder")}; " +
                "give every split in the same form.");
        }

        return full;
    }

    // An explicit path wins over the data folder's own split, e.g. to validate on test/ when val/ is tiny (the
    // pediatric pneumonia set's val/ has 16 images); the warning says which folder is not read.
    private static string? Override(string? fromOption, string? fromFolder, string parameter, List<string> warnings)
    {
        if (fromOption is not null && fromFolder is not null
            && !string.Equals(Path.TrimEndingDirectorySeparator(fromOption), Path.TrimEndingDirectorySeparator(fromFolder), StringComparison.Ordinal))
        {
            warnings.Add($"{fromFolder} is not read: {parameter} {fromOption} takes its place.");
        }

        return fromOption ?? fromFolder;
    }

    private static string SplitParameter(string? fromOption, string parameter) =>
        fromOption is null ? DataParameters.DataPath : parameter;

    // Folders have no columns: a group or multi-label option would be silently ignored, so refuse it instead.
    private static void RefuseCsvOnlyOptions(ImageCsvOptions options, string dataPath)
    {
        if (options.LabelColumnNames is { Count: > 0 })
        {
            throw new InvalidDataException(
                $"{DataParameters.LabelColumns}: {DataParameters.DataPath} {dataPath} is a folder, whose subfolders are single labels; " +
                "multi-label data come as a CSV file with one column per label.");
        }

        if (options.GroupColumnName is not null)
        {
            throw new InvalidDataException(
                $"{DataParameters.GroupColumn}: {DataParameters.DataPath} {dataPath} is a folder, which has no columns; " +
                "to keep each patient's images on one side of the validation split, pass a CSV file with a patient column.");
        }
    }
}
