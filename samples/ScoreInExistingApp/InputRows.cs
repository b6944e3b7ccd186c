using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScoreInExistingApp;

/// <summary>
/// Rows shaped like the data the model was trained on (the input schema stored in model.zip): the image path goes into
/// one Text column, every other column gets its type's default value (empty text, a missing key, zero, an all-zero
/// vector of the right size).
/// </summary>
/// <remarks>
/// A pipeline saved with <c>ml.Model.Save(model, trainData.Schema, path)</c> starts with the transforms that ran before
/// the fine-tune step, and those ask for their input columns even at scoring time: <c>MapValueToKey("Label")</c>
/// needs a Label column, though scoring never reads it (an empty label becomes a missing key). Building the rows from the
/// stored schema therefore scores any such model without a class that mirrors the training rows.
/// </remarks>
internal sealed class InputRows : IDataView
{
    private readonly IReadOnlyList<string> _paths;
    private readonly int _pathColumn;

    public InputRows(DataViewSchema schema, int pathColumn, IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(paths);
        if (schema[pathColumn].Type is not TextDataViewType)
        {
            throw new ArgumentException($"Column '{schema[pathColumn].Name}' is {schema[pathColumn].Type}, not Text.", nameof(pathColumn));
        }

        Schema = schema;
        _pathColumn = pathColumn;
        _paths = paths;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _paths.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly InputRows _parent;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(InputRows parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _parent = parent;
            _active = new bool[parent.Schema.Count];
            foreach (var column in columnsNeeded)
            {
                _active[column.Index] = true;
            }
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 >= _parent._paths.Count)
            {
                _position = _parent._paths.Count;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            }

            if (column.Index == _parent._pathColumn)
            {
                ValueGetter<ReadOnlyMemory<char>> path = (ref ReadOnlyMemory<char> value) => value = _parent._paths[(int)_position].AsMemory();
                return path as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' is Text; it was asked for as {typeof(TValue).Name}.");
            }

            if (column.Type is VectorDataViewType vector)
            {
                var method = typeof(Cursor).GetMethod(nameof(ZeroVector), BindingFlags.NonPublic | BindingFlags.Static)!;
                var getter = method.MakeGenericMethod(vector.ItemType.RawType).Invoke(null, new object[] { vector.Size });
                return getter as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it was asked for as {typeof(TValue).Name}.");
            }

            return (ref TValue value) => value = default!;
        }

        private static ValueGetter<VBuffer<T>> ZeroVector<T>(int size) =>
            (ref VBuffer<T> value) => value = new VBuffer<T>(size, 0, Array.Empty<T>(), Array.Empty<int>());
    }
}

/// <summary>Finds the column that carries the image path.</summary>
internal static class PathColumn
{
    /// <summary>
    /// The first visible Text column of the model's input schema. In the pipelines of MLNetTransfer's samples and tests
    /// that is the column <c>LoadImages</c> reads (<c>ImagePath</c>), because the training rows list the path first. A
    /// model trained on rows whose first Text column is something else (a patient id, a string label before the path)
    /// needs the path column first, or a change here.
    /// </summary>
    public static DataViewSchema.Column? Find(DataViewSchema inputSchema) =>
        inputSchema.Where(c => !c.IsHidden && c.Type is TextDataViewType).Cast<DataViewSchema.Column?>().FirstOrDefault();
}
