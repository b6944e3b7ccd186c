using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Onnx;

/// <summary>
/// Hands out the tensors of a <see cref="WeightSnapshot"/> by state_dict name with the shape the graph needs, and
/// collects every problem (missing, mis-shaped, non-finite, left over) so that one exception can name them all.
/// </summary>
internal sealed class SnapshotReader
{
    /// <summary>A dimension that may take any size in <see cref="Take"/>.</summary>
    public const long Any = -1;

    private const int MaxListed = 12;
    private readonly WeightSnapshot _weights;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<string> _problems = new();

    public SnapshotReader(WeightSnapshot weights) => _weights = weights;

    public bool HasProblems => _problems.Count > 0;

    /// <summary>
    /// The values of <paramref name="name"/> if it is present, of shape <paramref name="expected"/> (with
    /// <see cref="Any"/> for free dimensions) and finite; otherwise null, and the problem is noted.
    /// </summary>
    public WeightTensor? Take(string name, params long[] expected)
    {
        if (!_weights.TryGetValue(name, out var tensor))
        {
            _problems.Add($"{name} missing");
            return null;
        }

        _used.Add(name);
        var shape = tensor.Shape;
        if (shape.Count != expected.Length || shape.Where((d, i) => expected[i] != Any && expected[i] != d).Any())
        {
            string wanted = "[" + string.Join(", ", expected.Select(d => d == Any ? "*" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
            _problems.Add($"{name} has shape {WeightTensor.FormatShape(shape)}, expected {wanted}");
            return null;
        }

        var values = tensor.Values.Span;
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                _problems.Add($"{name} has a non-finite value ({values[i]}) at index {i}");
                return null;
            }
        }

        return tensor;
    }

    /// <summary>Whether the snapshot has a tensor <paramref name="name"/> (without marking it used).</summary>
    public bool Contains(string name) => _weights.Contains(name);

    /// <summary>Marks tensors as accounted for without reading them (their shapes cannot be checked after an earlier problem).</summary>
    public void MarkUsed(params string[] names) => _used.UnionWith(names);

    /// <summary>Notes a problem found by the caller.</summary>
    public void Report(string problem) => _problems.Add(problem);

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> listing every problem, plus the tensors that were never asked for
    /// (except BatchNorm's <c>num_batches_tracked</c> counters, which inference does not use).
    /// </summary>
    public void ThrowIfInvalid(string architecture, string? hint)
    {
        var unexpected = _weights.Names
            .Where(n => !_used.Contains(n) && !n.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .ToList();
        if (unexpected.Count > 0)
        {
            _problems.Add($"unexpected {Plural(unexpected.Count, "tensor")} (does the spec's block kind, blocks per stage or head fit?): "
                + string.Join(", ", unexpected.Take(MaxListed)) + (unexpected.Count > MaxListed ? $" and {unexpected.Count - MaxListed} more" : string.Empty));
        }

        if (_problems.Count == 0)
        {
            return;
        }

        string list = string.Join("; ", _problems.Take(MaxListed))
            + (_problems.Count > MaxListed ? $"; and {_problems.Count - MaxListed} more" : string.Empty);
        throw new ArgumentException(
            $"The weight snapshot does not fit the {architecture} spec: {list}.{(hint is null ? string.Empty : " " + hint)}", "weights");
    }

    private static string Plural(int count, string noun) => count == 1 ? $"{count} {noun}" : $"{count} {noun}s";
}
