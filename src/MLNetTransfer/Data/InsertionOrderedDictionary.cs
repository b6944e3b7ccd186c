using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>
/// A read-only dictionary that enumerates its entries in the order they were added: what .NET 9's
/// <c>OrderedDictionary&lt;TKey, TValue&gt;</c> gives, for the net8.0 build too (a plain <see cref="Dictionary{TKey, TValue}"/>
/// does not promise an order).
/// </summary>
internal sealed class InsertionOrderedDictionary<TKey, TValue> : IReadOnlyDictionary<TKey, TValue>
    where TKey : notnull
{
    private readonly List<KeyValuePair<TKey, TValue>> _entries = new();
    private readonly Dictionary<TKey, TValue> _lookup;

    public InsertionOrderedDictionary(IEqualityComparer<TKey>? comparer = null) => _lookup = new Dictionary<TKey, TValue>(comparer);

    /// <summary>Adds an entry at the end; a key already present throws, as <see cref="Dictionary{TKey, TValue}.Add"/> does.</summary>
    public void Add(TKey key, TValue value)
    {
        _lookup.Add(key, value);
        _entries.Add(new KeyValuePair<TKey, TValue>(key, value));
    }

    public TValue this[TKey key] => _lookup[key];

    public IEnumerable<TKey> Keys => _entries.Select(e => e.Key);

    public IEnumerable<TValue> Values => _entries.Select(e => e.Value);

    public int Count => _entries.Count;

    public bool ContainsKey(TKey key) => _lookup.ContainsKey(key);

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => _lookup.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
