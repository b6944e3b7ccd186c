using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.Cli.Data;

namespace MLNetTransfer.Cli.Training;

/// <summary>
/// The data view the pipeline reads: ImagePath (absolute, so the saved model's LoadImages keeps it as given), Label and
/// PatientId. The column names are the ones samples/ScoreInExistingApp expects: the first Text column is the path, and a
/// scoring app fills the others with empty values.
/// </summary>
internal static class ImageRows
{
    public const string PathColumn = "ImagePath";
    public const string LabelColumn = "Label";
    public const string GroupColumn = "PatientId";

    /// <summary>Single-label rows: the label as text, mapped to a key by the pipeline.</summary>
    internal sealed class SingleLabelRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";

        public string PatientId { get; set; } = "";
    }

    /// <summary>Multi-label rows: one target per label (1, 0, -1 uncertain, NaN missing).</summary>
    internal sealed class MultiLabelRow
    {
        public string ImagePath { get; set; } = "";

        public float[] Label { get; set; } = Array.Empty<float>();

        public string PatientId { get; set; } = "";
    }

    /// <summary>The rows as a data view; multi-label targets carry the label names as slot names.</summary>
    public static IDataView Create(MLContext ml, IReadOnlyList<ImageRecord> records, IReadOnlyList<string> classNames, bool multiLabel)
    {
        if (!multiLabel)
        {
            return ml.Data.LoadFromEnumerable(records
                .Select(r => new SingleLabelRow { ImagePath = r.Path, Label = r.Label ?? "", PatientId = r.Group ?? "" })
                .ToList());
        }

        // The label vector's size and slot names are known at run time only, so they go in through a schema definition;
        // the engine reads the label names from the slot names (LabelSchema) and writes them into the ONNX metadata.
        var definition = SchemaDefinition.Create(typeof(MultiLabelRow));
        var label = definition[nameof(MultiLabelRow.Label)];
        label.ColumnType = new VectorDataViewType(NumberDataViewType.Single, classNames.Count);
        var names = new VBuffer<ReadOnlyMemory<char>>(classNames.Count, classNames.Select(n => n.AsMemory()).ToArray());
        label.AddAnnotation("SlotNames", names, new VectorDataViewType(TextDataViewType.Instance, classNames.Count));
        return ml.Data.LoadFromEnumerable(
            records.Select(r => new MultiLabelRow { ImagePath = r.Path, Label = r.Labels ?? new float[classNames.Count], PatientId = r.Group ?? "" }).ToList(),
            definition);
    }

    /// <summary>
    /// The class names as a one-column view: MapValueToKey's keyData (which must have a single column), so the key order is
    /// exactly theirs and the positive class of a binary task is the second name.
    /// </summary>
    public static IDataView KeyData(MLContext ml, IReadOnlyList<string> classNames) =>
        ml.Data.LoadFromEnumerable(classNames.Select(c => new KeyRow { Value = c }).ToList());

    private sealed class KeyRow
    {
        public string Value { get; set; } = "";
    }
}
