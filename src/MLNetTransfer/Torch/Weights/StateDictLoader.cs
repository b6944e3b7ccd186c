using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Weights;

/// <summary>
/// Copies named tensors into a module's parameters and buffers by state_dict key, the way PyTorch's
/// <c>Module.load_state_dict</c> does: strict by default, every missing, unexpected and mis-shaped key reported by name.
/// </summary>
internal static class StateDictLoader
{
    /// <summary>
    /// Loads <paramref name="tensors"/> into <paramref name="module"/>.
    /// </summary>
    /// <param name="module">The target.</param>
    /// <param name="tensors">The file's tensors.</param>
    /// <param name="source">Where they came from, for messages.</param>
    /// <param name="strict">Throw on missing or unexpected keys (mis-shaped keys always throw, as in PyTorch).</param>
    /// <param name="skipPrefixes">Key prefixes left alone in both the module and the file (e.g. <c>fc.</c>).</param>
    /// <param name="modelDescription">Names the architecture in messages.</param>
    public static WeightLoadReport Load(
        nn.Module module,
        IReadOnlyList<StoredTensor> tensors,
        string source,
        bool strict,
        IReadOnlyCollection<string> skipPrefixes,
        string modelDescription)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(tensors);

        var target = module.state_dict();
        var byName = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!byName.TryAdd(t.Name, t))
            {
                throw new System.IO.InvalidDataException($"Weights in '{source}' hold the key '{t.Name}' twice.");
            }
        }

        bool Skip(string key) => skipPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal));

        var loaded = new List<string>();
        var missing = new List<string>();
        var misshaped = new List<string>();
        var skipped = new List<string>();
        var toCopy = new List<(Tensor Target, StoredTensor Value)>();
        foreach (var (key, tensor) in target)
        {
            if (Skip(key))
            {
                skipped.Add(key);
                continue;
            }

            if (!byName.TryGetValue(key, out var stored))
            {
                // PyTorch's _BatchNorm._load_from_state_dict (torch/nn/modules/batchnorm.py) accepts checkpoints
                // without num_batches_tracked (written before it existed) and starts the count at 0; so do we.
                if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                {
                    continue;
                }

                missing.Add(key);
                continue;
            }

            if (!stored.Shape.SequenceEqual(tensor.shape))
            {
                misshaped.Add($"{key}: file [{string.Join(", ", stored.Shape)}] vs model [{string.Join(", ", tensor.shape)}]");
                continue;
            }

            toCopy.Add((tensor, stored));
            loaded.Add(key);
        }

        var unexpected = byName.Keys.Where(k => !target.ContainsKey(k) && !Skip(k)).ToList();
        var report = new WeightLoadReport(source, loaded, missing, unexpected, misshaped, skipped);
        if (misshaped.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            throw new WeightsMismatchException(report, modelDescription);
        }

        // Copy only once everything has been checked, so a refused file leaves the module untouched.
        using (no_grad())
        {
            foreach (var (t, stored) in toCopy)
            {
                using var scope = NewDisposeScope();
                t.copy_(ToTensor(stored).to(t.dtype).to(t.device));
            }
        }

        return report;
    }

    /// <summary>A CPU tensor with the stored values (float types become float32, integers int64, bool bool).</summary>
    public static Tensor ToTensor(StoredTensor stored)
    {
        switch (stored.DType)
        {
            case StoredDType.Float32:
                return tensor(MemoryMarshal.Cast<byte, float>(stored.Data.AsSpan()).ToArray(), stored.Shape);
            case StoredDType.Float64 or StoredDType.Float16 or StoredDType.BFloat16:
                return tensor(stored.ToFloat32(), stored.Shape);
            case StoredDType.Bool:
                return tensor(stored.Data.Select(b => b != 0).ToArray(), stored.Shape);
            case StoredDType.Int64:
                return tensor(MemoryMarshal.Cast<byte, long>(stored.Data.AsSpan()).ToArray(), stored.Shape);
            default:
                // Narrower integers are exact in float32.
                return tensor(stored.ToFloat32().Select(f => (long)f).ToArray(), stored.Shape);
        }
    }
}
