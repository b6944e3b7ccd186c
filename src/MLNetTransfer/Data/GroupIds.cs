using System;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Data;

/// <summary>
/// Group ids read from a data view's group column, the same way for the fine-tuning estimator's hold-out and for
/// <see cref="ImageDataCatalog.TrainValidationSplit"/>, so that both see the same groups.
/// </summary>
internal static class GroupIds
{
    /// <summary>Reads a text or number group column: an empty text is no group (the row is a group of its own).</summary>
    public static Func<string?> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(ReadOnlyMemory<char>))
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> value = default;
            return () =>
            {
                getter(ref value);
                return value.Length == 0 ? null : value.ToString();
            };
        }

        return raw switch
        {
            _ when raw == typeof(int) => Boxed<int>(cursor, column),
            _ when raw == typeof(long) => Boxed<long>(cursor, column),
            _ when raw == typeof(uint) => Boxed<uint>(cursor, column),
            _ when raw == typeof(ulong) => Boxed<ulong>(cursor, column),
            _ when raw == typeof(float) => Boxed<float>(cursor, column),
            _ when raw == typeof(double) => Boxed<double>(cursor, column),
            _ => throw SchemaChecks.Mismatch(column.Name, SchemaChecks.GroupExpected, column.Type),
        };
    }

    private static Func<string?> Boxed<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        };
    }
}
