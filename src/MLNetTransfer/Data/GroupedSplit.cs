using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MLNetTransfer.Data;

/// <summary>
/// Splits rows into training and validation so that no group (patient, study) is on both sides, the validation side
/// holds about the requested fraction of the rows, and each label about that fraction of its own rows (stratified).
/// Rows without a group are their own group. Deterministic from the seed. The one split of the library:
/// <see cref="ImageDataCatalog.TrainValidationSplit"/> and the fine-tuning estimator's own hold-out both call it.
/// </summary>
/// <remarks>
/// Images of one patient on both sides make validation metrics optimistic (Roberts et al., "Common pitfalls and
/// recommendations for using machine learning to detect and prognosticate for COVID-19 using chest radiographs and CT
/// scans", Nature Machine Intelligence 3, 2021). Whole groups cannot hit every target exactly, so the split minimises a
/// cost: the squared miss of the validation side's row count, weighted twice per label, plus each label's squared miss,
/// each relative to its target (a chi-square), so that a rare label counts as much as a common one. The groups, in an
/// order shuffled by the seed, first fill the validation side up to its row target without passing it, then join it
/// wherever that lowers the cost; last, single groups move across, or a validation group and a training group trade
/// places, while that lowers the cost. The row count then lands within half the largest group of the target, unlike a
/// hash of the group id (ML.NET's <c>TrainTestSplit</c> with a sampling key), whose share varies with the groups drawn.
/// </remarks>
internal static class GroupedSplit
{
    // Below this a change of cost is rounding, not an improvement; moves need a real one so that the search ends.
    private const double Tolerance = 1e-9;

    // Swaps are searched while validation groups × training groups stay under this (a few milliseconds per pass); with
    // more groups than that, groups are small next to the data and single moves fine-tune as well.
    private const long MaxSwapPairs = 250_000;

    /// <summary>Row indices of each side, without stratification.</summary>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<string?> groups, double fraction, int seed) =>
        Split(groups, null, fraction, seed);

    /// <summary>Row indices of each side, stratified by the fine-tuning rows' classes (multi-label rows are not stratified).</summary>
    public static (int[] Train, int[] Validation) Split(LabeledImageRows rows, double fraction, int seed) =>
        Split(rows.Groups, rows.Classes, fraction, seed);

    /// <summary>Row indices of each side, in row order; the validation side holds about <paramref name="fraction"/> of the rows.</summary>
    /// <param name="groups">The group of each row; null: the row is a group of its own.</param>
    /// <param name="strata">The label of each row, any number that is equal for equal labels; null: no stratification.</param>
    /// <param name="fraction">The share of the rows to hold out, strictly between 0 and 1.</param>
    /// <param name="seed">The seed of the groups' order.</param>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not strictly between 0 and 1.</exception>
    /// <exception cref="InvalidOperationException">One side would be empty (too few rows or groups for the fraction).</exception>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<string?> groups, IReadOnlyList<int>? strata, double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction lies strictly between 0 and 1.");
        }

        if (strata is not null && strata.Count != groups.Count)
        {
            throw new ArgumentException($"{strata.Count} labels for {groups.Count} rows.", nameof(strata));
        }

        var (order, rows, counts, stratumSizes) = Groups(groups, strata);
        Shuffle(order, seed);
        var state = new SplitState(fraction, groups.Count, stratumSizes);

        // First up to the row target, never past it; then wherever a group lowers the cost (which may pass the target by
        // less than the group's size); then single moves either way while one lowers the cost.
        var inValidation = new bool[order.Count];
        foreach (bool mayPassTarget in new[] { false, true })
        {
            for (int k = 0; k < order.Count; k++)
            {
                int g = order[k];
                if (!inValidation[k] && (mayPassTarget || state.Rows + rows[g].Count <= state.RowTarget) && state.Change(counts[g], rows[g].Count, +1) < -Tolerance)
                {
                    state.Move(counts[g], rows[g].Count, +1);
                    inValidation[k] = true;
                }
            }
        }

        for (int iteration = 0; iteration < order.Count; iteration++)
        {
            // The best single move, and where there are few enough pairs, the best swap of a validation group for a
            // training group: a swap can trade labels without changing the row count, which a single move of a large
            // group cannot.
            int best = -1, swapIn = -1;
            double bestChange = -Tolerance;
            var single = new double[order.Count];
            for (int k = 0; k < order.Count; k++)
            {
                int g = order[k];
                single[k] = state.Change(counts[g], rows[g].Count, inValidation[k] ? -1 : +1);
                if (single[k] < bestChange)
                {
                    (best, swapIn, bestChange) = (k, -1, single[k]);
                }
            }

            int validationGroups = inValidation.Count(v => v);
            if ((long)validationGroups * (order.Count - validationGroups) <= MaxSwapPairs)
            {
                for (int a = 0; a < order.Count; a++)
                {
                    if (!inValidation[a])
                    {
                        continue;
                    }

                    for (int b = 0; b < order.Count; b++)
                    {
                        if (inValidation[b])
                        {
                            continue;
                        }

                        double change = single[a] + single[b] + state.Interaction(counts[order[a]], rows[order[a]].Count, counts[order[b]], rows[order[b]].Count);
                        if (change < bestChange)
                        {
                            (best, swapIn, bestChange) = (a, b, change);
                        }
                    }
                }
            }

            if (best < 0)
            {
                break;
            }

            foreach (int k in swapIn < 0 ? new[] { best } : new[] { best, swapIn })
            {
                int moved = order[k];
                state.Move(counts[moved], rows[moved].Count, inValidation[k] ? -1 : +1);
                inValidation[k] = !inValidation[k];
            }
        }

        var validation = new List<int>();
        var train = new List<int>();
        for (int k = 0; k < order.Count; k++)
        {
            (inValidation[k] ? validation : train).AddRange(rows[order[k]]);
        }

        if (train.Count == 0 || validation.Count == 0)
        {
            throw new InvalidOperationException(
                $"A validation fraction of {fraction.ToString(CultureInfo.InvariantCulture)} leaves {(train.Count == 0 ? "no training" : "no validation")} rows: " +
                $"{groups.Count} rows in {order.Count} group(s).");
        }

        train.Sort();
        validation.Sort();
        return (train.ToArray(), validation.ToArray());
    }

    // Groups in first-appearance order: their rows, and how many rows of each stratum (strata numbered by first
    // appearance too, so that the same labels in another form, strings or key numbers, give the same numbers).
    private static (List<int> Order, List<List<int>> Rows, List<(int Stratum, int Count)[]> Counts, int[] StratumSizes) Groups(
        IReadOnlyList<string?> groups, IReadOnlyList<int>? strata)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new List<List<int>>();
        var stratumIndex = new Dictionary<int, int>();
        var stratumSizes = new List<int>();
        for (int i = 0; i < groups.Count; i++)
        {
            string key = groups[i] ?? "\u0001row:" + i.ToString(CultureInfo.InvariantCulture);
            if (!index.TryGetValue(key, out int g))
            {
                index[key] = g = rows.Count;
                rows.Add(new List<int>());
            }

            rows[g].Add(i);
            int label = strata?[i] ?? 0;
            if (!stratumIndex.TryGetValue(label, out int s))
            {
                stratumIndex[label] = s = stratumSizes.Count;
                stratumSizes.Add(0);
            }

            stratumSizes[s]++;
        }

        var counts = new List<(int, int)[]>(rows.Count);
        foreach (var members in rows)
        {
            var perStratum = new SortedDictionary<int, int>(); // sorted: SplitState.Interaction merges two such lists
            foreach (int i in members)
            {
                int s = stratumIndex[strata?[i] ?? 0];
                perStratum[s] = perStratum.GetValueOrDefault(s) + 1;
            }

            var list = new (int, int)[perStratum.Count];
            int n = 0;
            foreach (var (s, count) in perStratum)
            {
                list[n++] = (s, count);
            }

            counts.Add(list);
        }

        var order = new List<int>(rows.Count);
        for (int g = 0; g < rows.Count; g++)
        {
            order.Add(g);
        }

        return (order, rows, counts, stratumSizes.ToArray());
    }

    // Fisher-Yates with the seed's System.Random: the same seed gives the same order on every platform.
    private static void Shuffle(List<int> order, int seed)
    {
        var random = new Random(seed);
        for (int i = order.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>The validation side's counts and the cost of their misses.</summary>
    private sealed class SplitState
    {
        private readonly double[] _targets;
        private readonly double[] _counts;
        private readonly double _rowWeight;

        public SplitState(double fraction, int rows, int[] stratumSizes)
        {
            RowTarget = fraction * rows;
            _targets = Array.ConvertAll(stratumSizes, n => fraction * n);
            _counts = new double[stratumSizes.Length];
            _rowWeight = 2.0 * stratumSizes.Length / RowTarget;
        }

        /// <summary>The validation side's row target, fraction × rows.</summary>
        public double RowTarget { get; }

        /// <summary>Rows on the validation side.</summary>
        public int Rows { get; private set; }

        /// <summary>How the cost changes when a group with these counts joins (+1) or leaves (-1) the validation side.</summary>
        public double Change((int Stratum, int Count)[] counts, int size, int direction)
        {
            double before = Rows - RowTarget, after = before + direction * size;
            double change = _rowWeight * (after * after - before * before);
            foreach (var (s, count) in counts)
            {
                double miss = _counts[s] - _targets[s], moved = miss + direction * count;
                change += (moved * moved - miss * miss) / _targets[s];
            }

            return change;
        }

        /// <summary>
        /// The part of the cost change of moving group a out of and group b into the validation side together that the
        /// two single changes miss: the cross terms of the squares they both change.
        /// </summary>
        public double Interaction((int Stratum, int Count)[] outCounts, int outSize, (int Stratum, int Count)[] inCounts, int inSize)
        {
            double interaction = -2.0 * _rowWeight * outSize * inSize;
            int i = 0, j = 0;
            while (i < outCounts.Length && j < inCounts.Length)
            {
                if (outCounts[i].Stratum == inCounts[j].Stratum)
                {
                    interaction -= 2.0 * outCounts[i].Count * inCounts[j].Count / _targets[outCounts[i].Stratum];
                    i++;
                    j++;
                }
                else if (outCounts[i].Stratum < inCounts[j].Stratum)
                {
                    i++;
                }
                else
                {
                    j++;
                }
            }

            return interaction;
        }

        public void Move((int Stratum, int Count)[] counts, int size, int direction)
        {
            Rows += direction * size;
            foreach (var (s, count) in counts)
            {
                _counts[s] += direction * count;
            }
        }
    }
}
