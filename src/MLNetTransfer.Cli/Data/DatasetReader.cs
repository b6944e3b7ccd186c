using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Cli.Data;

/// <summary>
/// Reads a data set in one of the two layouts the command line takes: a folder per class (optionally under
/// train/, val/, test/) or a CSV file (<c>Path,Label</c>, or CheXpert-style multi-label columns).
/// </summary>
internal static class DatasetReader
{
    /// <summary>Reads the splits that <paramref name="options"/> point to and checks their labels.</summary>
    /// <param name="options">Where the data are and which columns hold what.</param>
    /// <param name="use">Training (the default) or evaluation, which decides the checks on the classes.</param>
    /// <exception cref="DataSetException">
    /// The data cannot be used as given; the message names the file or folder, the line and the column or option.
    /// </exception>
    public static LabeledDataset Read(DataSourceOptions options, DataSetUse use = DataSetUse.Training)
    {
        ArgumentNullException.ThrowIfNull(options);
        var warnings = new List<string>();
        string dataPath = Locate(options.DataPath, DataSourceOptions.DataOption);
        bool csv = IsCsvFile(dataPath, DataSourceOptions.DataOption);
        string? validationPath = Optional(options.ValidationPath, DataSourceOptions.ValidationOption, csv, dataPath);
        string? testPath = Optional(options.TestPath, DataSourceOptions.TestOption, csv, dataPath);

        (string Path, IReadOnlyList<ImageRecord> Records) train;
        (string Path, IReadOnlyList<ImageRecord> Records)? validation = null, test = null;
        if (csv)
        {
            train = (dataPath, CsvSplitReader.Read(dataPath, options));
            validation = validationPath is null ? null : (validationPath, CsvSplitReader.Read(validationPath, options));
            test = testPath is null ? null : (testPath, CsvSplitReader.Read(testPath, options));
        }
        else
        {
            RefuseCsvOnlyOptions(options, dataPath);
            var splits = FolderSplits.Locate(dataPath, warnings);
            validationPath = Override(validationPath, splits.Validation, DataSourceOptions.ValidationOption, warnings);
            testPath = Override(testPath, splits.Test, DataSourceOptions.TestOption, warnings);
            train = (splits.Train, FolderSplitReader.Read(splits.Train, DataSourceOptions.DataOption, warnings));
            validation = validationPath is null ? null : (validationPath, FolderSplitReader.Read(validationPath, SplitOption(options.ValidationPath, DataSourceOptions.ValidationOption), warnings));
            test = testPath is null ? null : (testPath, FolderSplitReader.Read(testPath, SplitOption(options.TestPath, DataSourceOptions.TestOption), warnings));
        }

        TaskKind task;
        IReadOnlyList<string> classNames;
        if (options.IsMultiLabel)
        {
            task = TaskKind.MultiLabel;
            classNames = options.LabelColumns!;
            ClassChecks.WarnSingleValuedLabels(train.Records, classNames, train.Path, warnings);
        }
        else if (use == DataSetUse.Evaluation)
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

        if (use == DataSetUse.Training && options.GroupColumn is { } group)
        {
            GroupChecks.RequireDisjoint(group, train, validation, test);
        }

        return new LabeledDataset(task, classNames, train.Records, validation?.Records, test?.Records, warnings);
    }

    private static string Locate(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new DataSetException($"{option}: no path given; pass a folder with one subfolder per class, or a CSV file.");
        }

        string full = Path.GetFullPath(path);
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            throw new DataSetException($"{option} {path}: {full} does not exist.");
        }

        return full;
    }

    private static bool IsCsvFile(string path, string option)
    {
        if (Directory.Exists(path))
        {
            return false;
        }

        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            throw new DataSetException($"{option} {path}: is a file but not a .csv file; pass a CSV file, or a folder with one subfolder per class.");
        }

        return true;
    }

    // Validation and test data come in the same form as the training data, so that one set of column options and
    // one class-folder rule read all three.
    private static string? Optional(string? path, string option, bool csv, string dataPath)
    {
        if (path is null)
        {
            return null;
        }

        string full = Locate(path, option);
        if (IsCsvFile(full, option) != csv)
        {
            throw new DataSetException(
                $"{option} {path}: is a {(csv ? "folder" : "CSV file")} but {DataSourceOptions.DataOption} {dataPath} is a {(csv ? "CSV file" : "folder")}; " +
                "give every split in the same form.");
        }

        return full;
    }

    // An explicit option wins over the data folder's own split, e.g. to validate on test/ when val/ is tiny (the
    // pediatric pneumonia set's val/ has 16 images); the warning says which folder is not read.
    private static string? Override(string? fromOption, string? fromFolder, string option, List<string> warnings)
    {
        if (fromOption is not null && fromFolder is not null
            && !string.Equals(Path.TrimEndingDirectorySeparator(fromOption), Path.TrimEndingDirectorySeparator(fromFolder), StringComparison.Ordinal))
        {
            warnings.Add($"{fromFolder} is not read: {option} {fromOption} takes its place.");
        }

        return fromOption ?? fromFolder;
    }

    private static string SplitOption(string? fromOption, string option) =>
        fromOption is null ? DataSourceOptions.DataOption : option;

    // Folders have no columns: a group or multi-label option would be silently ignored, so refuse it instead.
    private static void RefuseCsvOnlyOptions(DataSourceOptions options, string dataPath)
    {
        if (options.IsMultiLabel)
        {
            throw new DataSetException(
                $"{DataSourceOptions.LabelColumnsOption}: {DataSourceOptions.DataOption} {dataPath} is a folder, whose subfolders are single labels; " +
                "multi-label data come as a CSV file with one column per label.");
        }

        if (options.GroupColumn is not null)
        {
            throw new DataSetException(
                $"{DataSourceOptions.GroupColumnOption}: {DataSourceOptions.DataOption} {dataPath} is a folder, which has no columns; " +
                "to keep each patient's images on one side of the validation split, pass a CSV file with a patient column.");
        }
    }
}
