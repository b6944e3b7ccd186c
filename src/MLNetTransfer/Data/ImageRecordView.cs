using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Data;

/// <summary>
/// Records as the data view the loaders return: <c>ImagePath</c> (String, absolute, so that the saved model's
/// <c>LoadImages</c> keeps it as given), <c>Label</c> (String, or a known-size vector of Single whose slot names are the
/// label names) and the group and source columns the options name.
/// </summary>
internal static class ImageRecordView
{
    /// <summary>The image path column of every loaded view.</summary>
    public const string ImagePathColumn = "ImagePath";

    /// <summary>The label column of every loaded view.</summary>
    public const string LabelColumn = "Label";

    /// <summary>The rows of a view of images to score, which have no label.</summary>
    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    /// <summary>The rows of a single-label view.</summary>
    private sealed class SingleLabelRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";

        public string Group { get; set; } = "";

        public string Source { get; set; } = "";
    }

    /// <summary>The rows of a multi-label view: one target per label (1, 0, -1 uncertain, NaN missing).</summary>
    private sealed class MultiLabelRow
    {
        public string ImagePath { get; set; } = "";

        public float[] Label { get; set; } = Array.Empty<float>();

        public string Group { get; set; } = "";

        public string Source { get; set; } = "";
    }

    /// <summary>Checks that the group and source column names do not collide with the fixed columns or each other.</summary>
    /// <exception cref="ArgumentException">Two output columns would share a name.</exception>
    public static void CheckColumnNames(ImageCsvOptions options)
    {
        var taken = new List<(string Name, string What)> { (ImagePathColumn, "the image path column"), (LabelColumn, "the label column") };
        foreach (var (name, parameter) in new[] { (options.GroupColumnName, DataParameters.GroupColumn), (options.SourceColumnName, nameof(ImageCsvOptions.SourceColumnName)) })
        {
            if (name is null)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"{parameter} is blank; leave it null for no such column.", parameter);
            }

            if (taken.FirstOrDefault(t => t.Name == name) is { Name: not null } clash)
            {
                throw new ArgumentException($"{parameter} '{name}' is the name of {clash.What} of the data view already; choose another name.", parameter);
            }

            taken.Add((name, $"the {parameter} column"));
        }
    }

    /// <summary>The records as a data view.</summary>
    /// <param name="catalog">Where the view is made.</param>
    /// <param name="records">The rows, in this order.</param>
    /// <param name="labelNames">The multi-label columns (the vector's size and slot names); null for single-label records.</param>
    /// <param name="groupColumn">The name of the group column; null for none.</param>
    /// <param name="sourceColumn">The name of the source column; null for none.</param>
    public static IDataView Create(DataOperationsCatalog catalog, IReadOnlyList<ImageRecord> records, IReadOnlyList<string>? labelNames,
        string? groupColumn, string? sourceColumn)
    {
        if (labelNames is null)
        {
            var definition = Definition(typeof(SingleLabelRow), groupColumn, sourceColumn);
            return catalog.LoadFromEnumerable(
                records.Select(r => new SingleLabelRow { ImagePath = r.Path, Label = r.Label ?? "", Group = r.Group ?? "", Source = r.Source }).ToList(),
                definition);
        }

        // The label vector's size and slot names are known at run time only, so they go in through the schema definition;
        // the fine-tuning estimator reads the label names from the slot names.
        var multi = Definition(typeof(MultiLabelRow), groupColumn, sourceColumn);
        var label = multi[nameof(MultiLabelRow.Label)];
        label.ColumnType = new VectorDataViewType(NumberDataViewType.Single, labelNames.Count);
        var names = new VBuffer<ReadOnlyMemory<char>>(labelNames.Count, labelNames.Select(n => n.AsMemory()).ToArray());
        label.AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, labelNames.Count));
        return catalog.LoadFromEnumerable(
            records.Select(r => new MultiLabelRow { ImagePath = r.Path, Label = r.Labels ?? new float[labelNames.Count], Group = r.Group ?? "", Source = r.Source }).ToList(),
            multi);
    }

    /// <summary>Image paths, in this order, as a view with the one column <c>ImagePath</c>.</summary>
    public static IDataView Create(DataOperationsCatalog catalog, IReadOnlyList<string> imagePaths) =>
        catalog.LoadFromEnumerable(imagePaths.Select(p => new PathRow { ImagePath = p }).ToList());

    // The group and source members become columns of the names asked for, or are left out.
    private static SchemaDefinition Definition(Type row, string? groupColumn, string? sourceColumn)
    {
        var definition = SchemaDefinition.Create(row);
        Name(definition, "Group", groupColumn);
        Name(definition, "Source", sourceColumn);
        return definition;
    }

    private static void Name(SchemaDefinition definition, string member, string? column)
    {
        var entry = definition.Single(c => c.MemberName == member);
        if (column is null)
        {
            definition.Remove(entry);
        }
        else
        {
            entry.ColumnName = column;
        }
    }
}
