using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Data;
using Xunit;

namespace MLNetTransfer.Tests.Tasks;

/// <summary>
/// The validation split by patient (docs/pitfalls.md, "Patient leakage between splits"): no patient on both sides.
/// </summary>
public sealed class GroupedSplitTests
{
    // 40 patients with 1 to 4 images each, in an interleaved order, and a few rows without a patient.
    private static List<string?> Patients()
    {
        var random = new Random(7);
        var groups = new List<string?>();
        for (int p = 0; p < 40; p++)
        {
            int images = 1 + random.Next(4);
            for (int i = 0; i < images; i++)
            {
                groups.Add($"patient{p}");
            }
        }

        for (int i = 0; i < 6; i++)
        {
            groups.Add(null);
        }

        return groups.OrderBy(_ => random.Next()).ToList();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void No_patient_is_on_both_sides(int seed)
    {
        var groups = Patients();
        var (train, validation) = GroupedSplit.Split(groups, 0.25, seed);

        Assert.Equal(Enumerable.Range(0, groups.Count), train.Concat(validation).OrderBy(i => i));
        var trainPatients = train.Select(i => groups[i]).Where(g => g is not null).ToHashSet();
        var validationPatients = validation.Select(i => groups[i]).Where(g => g is not null).ToHashSet();
        Assert.Empty(trainPatients.Intersect(validationPatients));
        Assert.NotEmpty(trainPatients);
        Assert.NotEmpty(validationPatients);
        // About a quarter of the rows: whole patients are moved, so the share is rounded up to a patient.
        double share = validation.Length / (double)groups.Count;
        Assert.InRange(share, 0.25 - 1.0 / groups.Count, 0.25 + 4.0 / groups.Count);
        // Sorted indices, so that both sides keep the data's order.
        Assert.Equal(train.OrderBy(i => i), train);
        Assert.Equal(validation.OrderBy(i => i), validation);
    }

    [Fact]
    public void The_split_is_deterministic_and_depends_on_the_seed()
    {
        var groups = Patients();
        var a = GroupedSplit.Split(groups, 0.25, seed: 1);
        var b = GroupedSplit.Split(groups, 0.25, seed: 1);
        var c = GroupedSplit.Split(groups, 0.25, seed: 2);
        Assert.Equal(a.Validation, b.Validation);
        Assert.NotEqual(a.Validation, c.Validation);
    }

    [Fact]
    public void Rows_without_a_group_split_one_by_one()
    {
        var groups = Enumerable.Repeat<string?>(null, 20).ToList();
        var (train, validation) = GroupedSplit.Split(groups, 0.25, seed: 1);
        Assert.Equal(5, validation.Length);
        Assert.Equal(15, train.Length);
    }

    [Fact]
    public void One_group_cannot_be_split()
    {
        var groups = Enumerable.Repeat<string?>("patient0", 10).ToList();
        var e = Assert.Throws<InvalidOperationException>(() => GroupedSplit.Split(groups, 0.25, seed: 1));
        Assert.Contains("1 group", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupedSplit.Split(groups, 0, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupedSplit.Split(groups, 1, seed: 1));
    }
}
