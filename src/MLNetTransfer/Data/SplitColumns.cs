using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Data;

/// <summary>
/// The group and label of each row of a data view, as <see cref="GroupedSplit"/> takes them. Labels become stratum
/// numbers by equality only, so that a text label and the key that <c>MapValueToKey</c> makes of it split the same way.
/// </summary>
internal static class SplitColumns
{
    /// <summary>Reads the group and label columns (either may be null) in row order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of a type that cannot be read (ML.NET's wording).</exception>
    public static (List<string?> Groups, List<int>? Strata) Read(IDataView data, string? groupColumn, string? labelColumn)
    {
        var schema = data.Schema;
        var columns = new List<DataViewSchema.Column>();
        DataViewSchema.Column? group = null, label = null;
        if (groupColumn is not null)
        {
            SchemaChecks.CheckGroup(schema, groupColumn);
            group = schema[groupColumn];
            columns.Add(group.Value);
        }

        // A vector label (multi-label targets) is not stratified: each row has many labels at once.
        if (labelColumn is not null)
        {
            var column = SchemaChecks.Find(schema, labelColumn);
            if (column.Type is not VectorDataViewType)
            {
                label = column;
                columns.Add(column);
            }
        }

        var groups = new List<string?>();
        List<int>? strata = label is null ? null : new List<int>();
        using var cursor = data.GetRowCursor(columns);
        var readGroup = group is { } g ? GroupIds.Getter(cursor, g) : null;
        var readLabel = label is { } l ? Stratum(cursor, l) : null;
        while (cursor.MoveNext())
        {
            groups.Add(readGroup?.Invoke());
            strata?.Add(readLabel!());
        }

        return (groups, strata);
    }

    // Equal values get equal numbers, numbered by first appearance.
    private static Func<int> Stratum(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        Func<object> read = raw switch
        {
            _ when raw == typeof(ReadOnlyMemory<char>) => Boxed<ReadOnlyMemory<char>>(cursor, column, v => v.ToString()),
            _ when raw == typeof(bool) => Boxed<bool>(cursor, column, v => v),
            _ when raw == typeof(byte) => Boxed<byte>(cursor, column, v => v),
            _ when raw == typeof(ushort) => Boxed<ushort>(cursor, column, v => v),
            _ when raw == typeof(uint) => Boxed<uint>(cursor, column, v => v),
            _ when raw == typeof(ulong) => Boxed<ulong>(cursor, column, v => v),
            _ when raw == typeof(int) => Boxed<int>(cursor, column, v => v),
            _ when raw == typeof(long) => Boxed<long>(cursor, column, v => v),
            _ when raw == typeof(float) => Boxed<float>(cursor, column, v => v),
            _ when raw == typeof(double) => Boxed<double>(cursor, column, v => v),
            _ => throw SchemaChecks.Mismatch(column.Name, "a label of String, Key, Boolean or a number (or a vector, which is not stratified)", column.Type),
        };
        var numbers = new Dictionary<object, int>();
        return () =>
        {
            object value = read();
            if (!numbers.TryGetValue(value, out int n))
            {
                numbers[value] = n = numbers.Count;
            }

            return n;
        };
    }

    private static Func<object> Boxed<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, object> box)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return box(value);
        };
    }
}
