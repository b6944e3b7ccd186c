using System.Collections.Generic;

namespace MLNetTransfer;

/// <summary>What loading a state_dict into a module did, key by key (the names are state_dict keys).</summary>
public sealed class WeightLoadReport
{
    internal WeightLoadReport(
        string source,
        IReadOnlyList<string> loaded,
        IReadOnlyList<string> missing,
        IReadOnlyList<string> unexpected,
        IReadOnlyList<string> misshaped,
        IReadOnlyList<string> skipped)
    {
        Source = source;
        Loaded = loaded;
        Missing = missing;
        Unexpected = unexpected;
        Misshaped = misshaped;
        Skipped = skipped;
    }

    /// <summary>The file (or other source) the weights came from.</summary>
    public string Source { get; }

    /// <summary>Keys copied into the module.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>Keys of the module that the file lacks (they keep their initial values).</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Keys of the file that the module lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Keys present in both with different shapes, as <c>key: file [..] vs model [..]</c>.</summary>
    public IReadOnlyList<string> Misshaped { get; }

    /// <summary>Keys left alone on purpose (e.g. the head, for transfer learning).</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>True when every module key was loaded or skipped and the file had nothing else.</summary>
    public bool IsExactMatch => Missing.Count == 0 && Unexpected.Count == 0 && Misshaped.Count == 0;
}
