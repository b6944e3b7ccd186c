using System;
using System.Collections.Generic;
using System.Globalization;

namespace MLNetTransfer.Bench.Training;

/// <summary>"--name value" pairs after the subcommand; every measurement states its settings on the command line.</summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public BenchArgs(string[] args, int start)
    {
        for (int i = start; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            }

            _values[args[i][2..]] = args[i + 1];
        }
    }

    public string Text(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required.");

    public bool Bool(string name, bool fallback) =>
        !_values.TryGetValue(name, out var v) ? fallback
            : bool.TryParse(v, out bool value) ? value : throw new ArgumentException($"--{name} is true or false, not '{v}'.");

    public int Int(string name, int? fallback = null) =>
        _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture)
            : fallback ?? throw new ArgumentException($"--{name} is required.");
}
