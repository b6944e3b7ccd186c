using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>
/// A network's trained weights in a form that knows no deep learning library: an ordered map from PyTorch
/// <c>state_dict</c> names (<c>conv1.weight</c>, <c>layer1.0.bn1.running_mean</c>, <c>fc.bias</c>, …) to float32
/// tensors in C (row-major) order. The training side fills it from its <c>state_dict()</c>; <see cref="ResNetOnnxWriter"/>
/// reads it.
/// </summary>
/// <remarks>
/// The value arrays are kept, not copied (a ResNet152 holds 60 million floats): do not change them after adding.
/// Integer tensors such as BatchNorm's <c>num_batches_tracked</c> may be added converted to float; the writer ignores them.
/// </remarks>
internal sealed class WeightSnapshot : IEnumerable<KeyValuePair<string, WeightTensor>>
{
    private readonly List<string> _names = new();
    private readonly Dictionary<string, WeightTensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>Number of tensors.</summary>
    public int Count => _names.Count;

    /// <summary>The names, in the order they were added.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public WeightTensor this[string name] =>
        _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"The snapshot has no tensor '{name}'.");

    /// <summary>Adds a tensor; collection-initializer friendly: <c>new WeightSnapshot { { "fc.bias", [2], [0f, 0f] } }</c>.</summary>
    /// <param name="name">The state_dict key, unique within the snapshot.</param>
    /// <param name="shape">Dimensions, outermost first; empty for a scalar. Copied.</param>
    /// <param name="values">The elements in row-major order; as many as the shape's product. Kept, not copied.</param>
    /// <exception cref="ArgumentException">The name is empty or already present, or the value count does not fit the shape.</exception>
    public void Add(string name, long[] shape, float[] values) => Add(name, new WeightTensor(shape, values));

    /// <summary>Adds a tensor under <paramref name="name"/>, which must be new to the snapshot.</summary>
    public void Add(string name, WeightTensor tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_tensors.TryAdd(name, tensor))
        {
            throw new ArgumentException($"The snapshot already has a tensor '{name}'.", nameof(name));
        }

        _names.Add(name);
    }

    /// <summary>Whether a tensor called <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The tensor called <paramref name="name"/>, if present.</summary>
    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WeightTensor? tensor) =>
        _tensors.TryGetValue(name, out tensor);

    /// <summary>The tensors in the order they were added.</summary>
    public IEnumerator<KeyValuePair<string, WeightTensor>> GetEnumerator() =>
        _names.Select(n => new KeyValuePair<string, WeightTensor>(n, _tensors[n])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
