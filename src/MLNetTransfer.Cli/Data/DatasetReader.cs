using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;

namespace MLNetTransfer.Cli.Data;

/// <summary>
/// Reads the data set the command line's options point to through the library's <see cref="ImageDataCatalog.LoadImageSplits"/>
/// (a folder per class, optionally under train/, val/, test/, or a CSV file), and turns its messages, which name the
/// library's parameters, into ones that name this command line's options.
/// </summary>
internal static class DatasetReader
{
    // Where each row came from ("train.csv line 12", the class folder), for the messages of evaluate and the image
    // checks. A name no CSV header is likely to have, since the group column keeps the header's name.
    private const string SourceColumn = "mlnet-transfer:source";

    /// <summary>Reads the splits that <paramref name="options"/> point to and checks their labels.</summary>
    /// <param name="options">Where the data are and which columns hold what.</param>
    /// <param name="use">Training (the default) or evaluation, which decides the checks on the classes.</param>
    /// <exception cref="DataSetException">
    /// The data cannot be used as given; the message names the file or folder, the line and the column or option.
    /// </exception>
    public static LabeledDataset Read(DataSourceOptions options, DataSetUse use = DataSetUse.Training)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ml = ProcessTempFolder.NewContext(seed: 1);
        // dicom:KEYWORD groups by a tag of each file, read after the library has listed the files (any layout).
        string? dicomTag = DicomGroups.Tag(options.GroupColumn);
        string? csvGroup = dicomTag is null ? options.GroupColumn : null;
        ImageDataSplits splits;
        try
        {
            splits = ml.Data.LoadImageSplits(options.DataPath, new ImageSplitsOptions
            {
                ImageColumnName = options.ImageColumn,
                LabelColumnName = options.LabelColumn,
                LabelColumnNames = options.LabelColumns,
                GroupColumnName = csvGroup,
                SourceColumnName = SourceColumn,
                ValidationPath = options.ValidationPath,
                TestPath = options.TestPath,
                ForEvaluation = use == DataSetUse.Evaluation,
            });
        }
        catch (InvalidDataException e)
        {
            throw new DataSetException(OptionNames.InMessage(e.Message), e);
        }

        bool multiLabel = splits.Task == TaskKind.MultiLabel;
        IReadOnlyList<ImageRecord> Records(IDataView view) => dicomTag is null
            ? DataViewRecords.Read(view, multiLabel, csvGroup, SourceColumn)
            : DicomGroups.Fill(DataViewRecords.Read(view, multiLabel, null, SourceColumn), dicomTag);
        return new LabeledDataset(
            splits.Task,
            splits.ClassNames,
            Records(splits.TrainSet),
            splits.ValidationSet is { } validation ? Records(validation) : null,
            splits.TestSet is { } test ? Records(test) : null,
            splits.Warnings.Select(OptionNames.InMessage).ToList())
        {
            Counts = Counts(splits),
        };
    }

    private static List<(string Split, ImageSplitCounts Counts)> Counts(ImageDataSplits splits)
    {
        var counts = new List<(string, ImageSplitCounts)> { ("train", splits.TrainCounts) };
        if (splits.ValidationCounts is { } validation)
        {
            counts.Add(("validation", validation));
        }

        if (splits.TestCounts is { } test)
        {
            counts.Add(("test", test));
        }

        return counts;
    }
}
