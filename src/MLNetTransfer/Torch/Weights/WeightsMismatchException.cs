using System.Collections.Generic;
using System;
using System.Linq;
using System.Text;

namespace MLNetTransfer;

/// <summary>Weights that do not fit the architecture: names the file and the missing, unexpected and mis-shaped keys.</summary>
public sealed class WeightsMismatchException : Exception
{
    internal WeightsMismatchException(WeightLoadReport report, string modelDescription)
        : base(Describe(report, modelDescription))
    {
        Report = report;
    }

    /// <summary>The key-by-key comparison.</summary>
    public WeightLoadReport Report { get; }

    private static string Describe(WeightLoadReport report, string modelDescription)
    {
        var sb = new StringBuilder();
        sb.Append("Weights in '").Append(report.Source).Append("' do not fit ").Append(modelDescription).Append('.');
        Append(sb, "mis-shaped", report.Misshaped);
        Append(sb, "missing from the file", report.Missing);
        Append(sb, "unexpected in the file", report.Unexpected);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string what, IReadOnlyList<string> keys)
    {
        const int shown = 8;
        if (keys.Count == 0)
        {
            return;
        }

        sb.Append(' ').Append(keys.Count).Append(" key(s) ").Append(what).Append(": ")
          .Append(string.Join(", ", keys.Take(shown)));
        if (keys.Count > shown)
        {
            sb.Append(", … (").Append(keys.Count - shown).Append(" more)");
        }

        sb.Append('.');
    }
}
