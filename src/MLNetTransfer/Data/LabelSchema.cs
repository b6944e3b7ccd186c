using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetTransfer.FineTuning;
using MLNetTransfer.Torch.Metrics;

namespace MLNetTransfer.Data;

/// <summary>How the label column is typed.</summary>
internal enum LabelKind
{
    /// <summary>A key (from MapValueToKey): single-label, the key count is the class count.</summary>
    Key,
    /// <summary>A Boolean: binary, false = class 0, true = class 1.</summary>
    Boolean,
    /// <summary>A known-size float vector: multi-label.</summary>
    FloatVector,
}

/// <summary>
/// What the label column says about the task: its kind, the number of outputs, the class names and the values the
/// predicted label maps back to (the key's values, in key order).
/// </summary>
internal sealed class LabelSchema
{
    private readonly Array _values;

    private LabelSchema(string column, LabelKind kind, TaskKind task, int outputs, Type valueType, Array values)
    {
        ColumnName = column;
        Kind = kind;
        Task = task;
        Outputs = outputs;
        KeyValueType = valueType;
        _values = values;
        ClassNames = values.Cast<object?>().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();
    }

    public string ColumnName { get; }

    public LabelKind Kind { get; }

    public TaskKind Task { get; }

    /// <summary>Classes (single-label) or labels (multi-label).</summary>
    public int Outputs { get; }

    /// <summary>Class or label names, in output order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The raw type of the values the predicted label maps to (ReadOnlyMemory&lt;char&gt; for text keys).</summary>
    public Type KeyValueType { get; }

    /// <summary>The class values in output order, as <typeparamref name="T"/> (string for text keys).</summary>
    public T[] KeyValues<T>() => typeof(T) == typeof(string) && _values is ReadOnlyMemory<char>[] text
        ? text.Select(v => (T)(object)v.ToString()).ToArray()
        : _values.Cast<T>().ToArray();

    /// <summary>Reads the label column's type (and key values or slot names) from <paramref name="schema"/>.</summary>
    public static LabelSchema From(DataViewSchema schema, string column)
    {
        var col = SchemaChecks.Find(schema, column);
        switch (col.Type)
        {
            case KeyDataViewType key when key.RawType != typeof(uint):
                // MapValueToKey makes Key<UInt32>; a TextLoader can declare other key widths, which the readers do not take.
                throw SchemaChecks.Mismatch(column, "Key<UInt32> (MapValueToKey), Boolean, or a known-size vector of Single (multi-label)", col.Type);

            case KeyDataViewType key:
            {
                if (key.Count < 2 || key.Count > int.MaxValue)
                {
                    throw new ArgumentOutOfRangeException(nameof(schema), key.Count == 1
                        ? $"Label column '{column}' is a key of 1 value: the data has only one class. A classifier needs examples of at least two classes; add examples of the others, or check that the label column is the right one."
                        : $"Label column '{column}' is a key of {key.Count} values; a classifier needs at least two classes.");
                }

                int count = (int)key.Count;
                var (type, values) = KeyValuesOf(col, count);
                return new LabelSchema(column, LabelKind.Key, count == 2 ? TaskKind.Binary : TaskKind.Multiclass, count, type, values);
            }

            case BooleanDataViewType:
                return new LabelSchema(column, LabelKind.Boolean, TaskKind.Binary, 2, typeof(bool), new[] { false, true });

            case VectorDataViewType { ItemType: NumberDataViewType n } v when n.RawType == typeof(float) && v.IsKnownSize:
                return new LabelSchema(column, LabelKind.FloatVector, TaskKind.MultiLabel, v.Size, typeof(string), SlotNames(col, v.Size));

            default:
                throw SchemaChecks.Mismatch(column, "Key<UInt32> (MapValueToKey), Boolean, or a known-size vector of Single (multi-label)", col.Type);
        }
    }

    private static (Type, Array) KeyValuesOf(DataViewSchema.Column column, int count)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is { Type: VectorDataViewType kv })
        {
            return (kv.ItemType.RawType, KeyValueTypes.Run(kv.ItemType.RawType, column.Name, new KeyValuesReader(column)));
        }

        // A key without values: its 1-based numbers name the classes.
        return (typeof(ReadOnlyMemory<char>), Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture).AsMemory()).ToArray());
    }

    // The key's values, read with their type known only at run time (no reflection: see KeyValueTypes).
    private sealed class KeyValuesReader(DataViewSchema.Column column) : IKeyValueStep<Array>
    {
        public Array Run<T>()
        {
            VBuffer<T> values = default;
            column.GetKeyValues(ref values);
            return values.DenseValues().ToArray();
        }
    }

    private static string[] SlotNames(DataViewSchema.Column column, int size)
    {
        if (column.Annotations.Schema.GetColumnOrNull("SlotNames") is { Type: VectorDataViewType { ItemType: TextDataViewType } t } && t.Size == size)
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            column.GetSlotNames(ref names);
            return names.DenseValues().Select(v => v.ToString()).ToArray();
        }

        return Enumerable.Range(0, size).Select(i => $"label{i}").ToArray();
    }
}
