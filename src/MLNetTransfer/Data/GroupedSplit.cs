using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>
/// Splits rows into training and validation so that no group (patient, study) is on both sides (pitfall P4: images of
/// one patient in both sets inflate validation metrics). Rows without a group are their own group. Deterministic from
/// the seed.
/// </summary>
internal static class GroupedSplit
{
    /// <summary>Row indices of each side; the validation side holds about <paramref name="fraction"/> of the rows.</summary>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<string?> groups, double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction lies strictly between 0 and 1.");
        }

        // Group ids in first-appearance order, then shuffled by the seed: a group's rows go together.
        var byGroup = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int i = 0; i < groups.Count; i++)
        {
            string key = groups[i] ?? "\u0001row:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!byGroup.TryGetValue(key, out var rows))
            {
                byGroup[key] = rows = new List<int>();
                order.Add(key);
            }

            rows.Add(i);
        }

        var random = new Random(seed);
        for (int i = order.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        int target = (int)Math.Round(groups.Count * fraction);
        var validation = new List<int>();
        var train = new List<int>();
        foreach (var key in order)
        {
            (validation.Count < target ? validation : train).AddRange(byGroup[key]);
        }

        if (train.Count == 0 || validation.Count == 0)
        {
            throw new InvalidOperationException(
                $"A validation fraction of {fraction} leaves {(train.Count == 0 ? "no training" : "no validation")} rows: {groups.Count} rows in {order.Count} group(s).");
        }

        train.Sort();
        validation.Sort();
        return (train.ToArray(), validation.ToArray());
    }
}
