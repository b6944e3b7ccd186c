using System;
using System.Collections.Generic;
using Microsoft.ML.OnnxRuntime;

namespace MLNetTransfer.Bench.Scoring;

/// <summary>
/// ONNX Runtime sessions with settings other than its defaults, to measure what ONNX Runtime itself could still gain on
/// this CPU. The defaults, which every other ORT row uses: ORT_ENABLE_ALL (on x86 this includes the NCHWc layout
/// rewrite of the convolutions), one intra-op thread per physical core, spinning worker threads.
/// </summary>
internal sealed class OrtVariants : IDisposable
{
    /// <summary>The batch size every variant runs at.</summary>
    public const int BatchSize = 16;

    private static readonly (string Key, string Label, Action<SessionOptions> Configure)[] Settings =
    {
        ("fixed", "batch dimension fixed, denormals as zero", o =>
        {
            // Shape-specialised kernels and memory plan for one batch size; subnormal floats flushed to zero.
            o.AddFreeDimensionOverrideByName("N", BatchSize);
            o.AddSessionConfigEntry("session.set_denormal_as_zero", "1");
        }),
        ("extended", "no NCHWc layout rewrite (ORT_ENABLE_EXTENDED)", o => o.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED),
        ("onethread", "one intra-op thread", o => o.IntraOpNumThreads = 1),
    };

    private readonly List<(string Key, string Label, InferenceSession Session)> _sessions = new();

    public OrtVariants(byte[] onnx)
    {
        try
        {
            foreach (var (key, label, configure) in Settings)
            {
                using var options = new SessionOptions();
                configure(options);
                _sessions.Add((key, label, new InferenceSession(onnx, options)));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Key (for the results), label (for the table) and session of each variant.</summary>
    public IReadOnlyList<(string Key, string Label, InferenceSession Session)> Sessions => _sessions;

    public void Dispose()
    {
        foreach (var (_, _, session) in _sessions)
        {
            session.Dispose();
        }

        _sessions.Clear();
    }
}
