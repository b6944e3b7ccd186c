using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Evaluation;
using Xunit;
using static MLNetTransfer.Tests.Evaluation.StatisticsReferences;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// The threshold each <see cref="ThresholdMethod"/> picks equals a brute force over every candidate in Python with exact
/// fractions, ties and unreachable targets included; degenerate inputs give NaN with a note.
/// </summary>
public sealed class ThresholdSelectionTests : IClassFixture<StatisticsReferences>
{
    private readonly StatisticsReferences _references;

    public ThresholdSelectionTests(StatisticsReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Every_method_picks_the_brute_force_threshold()
    {
        foreach (JsonElement c in _references.Cases("thresholds"))
        {
            string name = c.GetProperty("name").GetString()!;
            float[] scores = Floats(c.GetProperty("scores"));
            bool[] positives = Bools(c.GetProperty("positives"));
            foreach (JsonElement choice in c.GetProperty("choices").EnumerateArray())
            {
                var method = Enum.Parse<ThresholdMethod>(choice.GetProperty("method").GetString()!);
                double target = Value(choice.GetProperty("target"));
                string what = $"{name} {method} {target}";

                ThresholdChoice actual = ThresholdSelection.Choose(scores, positives, method, target);

                Assert.True((float)choice.GetProperty("threshold").GetDouble() == actual.Threshold, $"{what}: threshold {actual.Threshold:R}");
                Assert.Equal(
                    (choice.GetProperty("tp").GetInt32(), choice.GetProperty("fp").GetInt32(), choice.GetProperty("tn").GetInt32(), choice.GetProperty("fn").GetInt32()),
                    (actual.TruePositives, actual.FalsePositives, actual.TrueNegatives, actual.FalseNegatives));
                Assert.True(choice.GetProperty("reached").GetBoolean() == actual.TargetReached, $"{what}: reached");
                Assert.Equal(actual.TargetReached, actual.Note is null);
            }
        }
    }

    [Fact]
    public void Ties_keep_the_highest_threshold_and_an_unreachable_specificity_is_reported()
    {
        var cases = _references.Cases("thresholds").ToDictionary(c => c.GetProperty("name").GetString()!);

        // j_tie: J = 1/3 at 0.9, 0.7 and 0.4 (scores 0.9 0.8 0.7 0.6 0.4 0.2, truth 1 0 1 0 1 0); the highest wins.
        JsonElement tie = cases["j_tie"];
        ThresholdChoice youden = ThresholdSelection.Choose(Floats(tie.GetProperty("scores")), Bools(tie.GetProperty("positives")), ThresholdMethod.Youden);
        Assert.Equal(0.9f, youden.Threshold);

        // top_tie: a negative shares the highest score, so no candidate has specificity 1.
        JsonElement top = cases["top_tie"];
        ThresholdChoice specific = ThresholdSelection.Choose(Floats(top.GetProperty("scores")), Bools(top.GetProperty("positives")), ThresholdMethod.TargetSpecificity, 1.0);
        Assert.False(specific.TargetReached);
        Assert.Equal(0.9f, specific.Threshold);
        Assert.Contains("no candidate threshold reaches specificity 1", specific.Note);
    }

    [Theory]
    [InlineData(ThresholdMethod.Youden, "needs both classes")]
    [InlineData(ThresholdMethod.TargetSensitivity, "no positive rows")]
    [InlineData(ThresholdMethod.MaxF1, "no positive rows")]
    public void A_missing_class_gives_NaN_and_a_note(ThresholdMethod method, string note)
    {
        ThresholdChoice choice = ThresholdSelection.Choose([0.2f, 0.5f, 0.7f], [false, false, false], method, 0.9);

        Assert.True(float.IsNaN(choice.Threshold));
        Assert.Contains(note, choice.Note);
        Assert.Equal((0, 0, 3, 0), (choice.TruePositives, choice.FalsePositives, choice.TrueNegatives, choice.FalseNegatives));
    }

    [Fact]
    public void Targets_and_probabilities_are_checked()
    {
        Assert.Equal("target", Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdSelection.Choose([0.2f], [true], ThresholdMethod.TargetSensitivity, 1.5)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdSelection.Choose([0.2f], [true], ThresholdMethod.TargetSpecificity)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdSelection.Choose([0.2f], [true], ThresholdMethod.Fixed)).ParamName);
        Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => ThresholdSelection.Choose([float.NaN], [true], ThresholdMethod.Youden)).ParamName);
        Assert.Throws<ArgumentException>(() => ThresholdSelection.Choose([0.2f, 0.3f], [true], ThresholdMethod.Youden));
    }
}
