using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace MLNetTransfer.Tests.Data;

/// <summary>
/// <see cref="ImageDataCatalog.TrainValidationSplit"/> with a patient column: with 20 patients or more of uneven size, the
/// validation share lands within ±5 points of the fraction asked for, no patient is on both sides, and each label is
/// held out in about its proportion. (ML.NET's hash-based <c>TrainTestSplit</c>, which the command line used before,
/// once held out 44% for a fraction of 0.2.)
/// </summary>
public sealed class GroupedFractionTests
{
    private readonly ITestOutputHelper _output;

    public GroupedFractionTests(ITestOutputHelper output) => _output = output;

    private sealed class Row
    {
        public int Index { get; set; }

        public string Patient { get; set; } = "";

        public string Label { get; set; } = "";
    }

    // Patients with 1 to 12 images each (so the largest patient holds under 10% of the images), in a shuffled order.
    // Classes: either one per patient, or drawn per image; imbalanced, with a rare third class.
    private static List<Row> Patients(int patients, int seed, bool labelPerPatient)
    {
        var random = new Random(seed);
        string[] classes = { "NORMAL", "PNEUMONIA", "COVID" };
        double[] shares = { 0.6, 0.3, 0.1 };
        string Draw()
        {
            double u = random.NextDouble();
            return u < shares[0] ? classes[0] : u < shares[0] + shares[1] ? classes[1] : classes[2];
        }

        var rows = new List<Row>();
        for (int p = 0; p < patients; p++)
        {
            int images = 1 + random.Next(12);
            string patientLabel = Draw();
            for (int i = 0; i < images; i++)
            {
                rows.Add(new Row { Patient = $"P{p:D4}", Label = labelPerPatient ? patientLabel : Draw() });
            }
        }

        rows = rows.OrderBy(_ => random.Next()).ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].Index = i;
        }

        return rows;
    }

    [Fact]
    public void With_twenty_patients_or_more_the_share_is_within_five_points_and_labels_are_in_proportion()
    {
        var ml = new MLContext(seed: 1);
        int runs = 0;
        double worstShare = 0, stratifiedMiss = 0, unstratifiedMiss = 0, worstLabel = 0;
        int labelCases = 0;
        foreach (int patients in new[] { 20, 23, 40, 100, 250 })
        {
            foreach (bool labelPerPatient in new[] { true, false })
            {
                foreach (double fraction in new[] { 0.1, 0.15, 0.2, 0.25, 0.3, 0.5 })
                {
                    for (int seed = 1; seed <= 20; seed++)
                    {
                        var rows = Patients(patients, seed * 131 + patients, labelPerPatient);
                        var data = ml.Data.LoadFromEnumerable(rows);
                        var split = ml.Data.TrainValidationSplit(data, fraction, "Patient", "Label", seed);
                        int[] train = split.TrainSet.GetColumn<int>("Index").ToArray();
                        int[] validation = split.ValidationSet.GetColumn<int>("Index").ToArray();
                        runs++;

                        // Every row on exactly one side, each side in the data's order.
                        Assert.Equal(Enumerable.Range(0, rows.Count), train.Concat(validation).Order());
                        Assert.Equal(train.Order(), train);
                        Assert.Equal(validation.Order(), validation);

                        // No patient on both sides.
                        var trainPatients = train.Select(i => rows[i].Patient).ToHashSet();
                        var shared = validation.Select(i => rows[i].Patient).Where(trainPatients.Contains).Distinct().ToList();
                        Assert.True(shared.Count == 0, $"patients {string.Join(", ", shared)} on both sides ({patients} patients, fraction {fraction}, seed {seed})");

                        // The share asked for, within five points.
                        double share = validation.Length / (double)rows.Count;
                        worstShare = Math.Max(worstShare, Math.Abs(share - fraction));
                        Assert.True(Math.Abs(share - fraction) <= 0.05,
                            $"{validation.Length} of {rows.Count} images ({share:P1}) held out for {fraction:P0} ({patients} patients, seed {seed})");

                        // Each label in about its proportion: compared with the same split unstratified.
                        var plain = ml.Data.TrainValidationSplit(data, fraction, "Patient", labelColumnName: null, seed: seed).ValidationSet.GetColumn<int>("Index").ToHashSet();
                        var held = validation.ToHashSet();
                        foreach (var label in rows.GroupBy(r => r.Label))
                        {
                            if (label.Select(r => r.Patient).Distinct().Count() < 15)
                            {
                                continue;
                            }

                            double miss = Math.Abs(label.Count(r => held.Contains(r.Index)) / (double)label.Count() - fraction);
                            stratifiedMiss += miss;
                            unstratifiedMiss += Math.Abs(label.Count(r => plain.Contains(r.Index)) / (double)label.Count() - fraction);
                            worstLabel = Math.Max(worstLabel, miss);
                            labelCases++;
                            Assert.True(miss <= 0.10,
                                $"label {label.Key}: {label.Count(r => held.Contains(r.Index))} of {label.Count()} held out for {fraction:P0} ({patients} patients, seed {seed}, label per patient {labelPerPatient})");
                        }
                    }
                }
            }
        }

        _output.WriteLine($"{runs} splits: worst share miss {worstShare:P2}; label share miss mean {stratifiedMiss / labelCases:P2} stratified, " +
            $"{unstratifiedMiss / labelCases:P2} unstratified, worst {worstLabel:P2} ({labelCases} labels)");
        // Stratifying halves the labels' misses at least.
        Assert.True(stratifiedMiss < 0.5 * unstratifiedMiss, $"stratified miss {stratifiedMiss / labelCases:P2}, unstratified {unstratifiedMiss / labelCases:P2}");
    }

    [Fact]
    public void Rows_without_a_patient_column_split_to_the_row()
    {
        var ml = new MLContext(seed: 1);
        var rows = Patients(30, seed: 4, labelPerPatient: false);
        var data = ml.Data.LoadFromEnumerable(rows);
        foreach (double fraction in new[] { 0.1, 0.2, 0.33 })
        {
            var split = ml.Data.TrainValidationSplit(data, fraction, seed: 3);
            long held = split.ValidationSet.GetColumn<int>("Index").Count();
            Assert.InRange(held, Math.Floor(fraction * rows.Count), Math.Ceiling(fraction * rows.Count));
            Assert.Equal((long?)(rows.Count - held), split.TrainSet.GetRowCount());
        }
    }
}
