using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Cli.Data;

/// <summary>The rows of a data view that <see cref="ImageDataCatalog"/> loaded, as the command line's records, in row order.</summary>
internal static class DataViewRecords
{
    public const string PathColumn = "ImagePath";
    public const string LabelColumn = "Label";

    /// <param name="view">A view with the loader's ImagePath and Label columns.</param>
    /// <param name="multiLabel">Whether Label is a vector of targets rather than a class name.</param>
    /// <param name="groupColumn">The group column, if the data have one.</param>
    /// <param name="sourceColumn">The column that says where each row came from.</param>
    public static List<ImageRecord> Read(IDataView view, bool multiLabel, string? groupColumn, string sourceColumn)
    {
        var schema = view.Schema;
        var columns = new List<DataViewSchema.Column> { schema[PathColumn], schema[LabelColumn], schema[sourceColumn] };
        if (groupColumn is not null)
        {
            columns.Add(schema[groupColumn]);
        }

        var records = new List<ImageRecord>();
        using var cursor = view.GetRowCursor(columns);
        var path = Text(cursor, schema[PathColumn]);
        var source = Text(cursor, schema[sourceColumn]);
        var group = groupColumn is null ? null : Text(cursor, schema[groupColumn]);
        var label = multiLabel ? null : Text(cursor, schema[LabelColumn]);
        var targets = multiLabel ? cursor.GetGetter<VBuffer<float>>(schema[LabelColumn]) : null;
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            float[]? labels = null;
            if (targets is not null)
            {
                targets(ref buffer);
                labels = buffer.DenseValues().ToArray();
            }

            records.Add(new ImageRecord(path(), label?.Invoke(), labels, group?.Invoke(), source()));
        }

        return records;
    }

    private static Func<string> Text(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        return () =>
        {
            getter(ref value);
            return value.ToString();
        };
    }
}
