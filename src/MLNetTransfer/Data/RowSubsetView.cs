using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Data;

/// <summary>
/// The rows of a data view at given positions, in the source's order, with all its columns. ML.NET has no public
/// transform that keeps rows by position (its <c>TrainTestSplit</c> filters on a hash column it adds), so the view
/// wraps the source's sequential cursor and skips the rows it does not keep.
/// </summary>
internal sealed class RowSubsetView : IDataView
{
    private readonly IDataView _source;
    private readonly bool[] _keep;
    private readonly long _count;

    /// <param name="source">The data view; its sequential cursor must give the rows in the order the positions count them.</param>
    /// <param name="rows">The number of rows of <paramref name="source"/>.</param>
    /// <param name="positions">The 0-based positions of the rows to keep.</param>
    public RowSubsetView(IDataView source, int rows, IReadOnlyCollection<int> positions)
    {
        _source = source;
        _keep = new bool[rows];
        foreach (int position in positions)
        {
            _keep[position] = true;
        }

        _count = positions.Count;
    }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema => _source.Schema;

    /// <inheritdoc/>
    public long? GetRowCount() => _count;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_source.GetRowCursor(columnsNeeded), _keep);

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly bool[] _keep;
        private long _sourceRow = -1;
        private long _position = -1;

        public Cursor(DataViewRowCursor input, bool[] keep)
        {
            _input = input;
            _keep = keep;
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _input.Schema;

        public override bool MoveNext()
        {
            while (_input.MoveNext())
            {
                _sourceRow++;
                if (_sourceRow < _keep.Length && _keep[_sourceRow])
                {
                    _position++;
                    return true;
                }
            }

            return false;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _input.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _input.IsColumnActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
