using MLNetTransfer.Cli.Report;
using MLNetTransfer.Torch.Metrics;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>Confusion counts: rows are truth, predictions follow the given ones, the argmax or the strict threshold.</summary>
public sealed class ConfusionCountsTests
{
    [Fact]
    public void Single_label_counts_use_the_argmax_with_ties_to_the_lowest_class_unless_predictions_are_given()
    {
        var input = new ReportInput
        {
            Title = "t",
            ClassNames = ["a", "b", "c"],
            Task = TaskKind.Multiclass,
            Scores = [[0.7f, 0.2f, 0.1f], [0.4f, 0.4f, 0.2f], [0.1f, 0.1f, 0.8f], [0.2f, 0.5f, 0.3f]],
            Labels = [0, 1, 2, 2],
        };

        Assert.Equal(new int[,] { { 1, 0, 0 }, { 1, 0, 0 }, { 0, 1, 1 } }, ConfusionCounts.SingleLabel(input));

        var given = new ReportInput { Title = "t", ClassNames = input.ClassNames, Task = input.Task, Scores = input.Scores, Labels = input.Labels, Predicted = [0, 1, 2, 2] };
        Assert.Equal(new int[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 2 } }, ConfusionCounts.SingleLabel(given));
    }

    [Fact]
    public void Per_label_counts_skip_missing_targets_and_count_a_score_at_the_threshold_as_negative()
    {
        var input = new ReportInput
        {
            Title = "t",
            ClassNames = ["x", "y"],
            Task = TaskKind.MultiLabel,
            Scores = [[0.5f, 0.9f], [0.6f, 0.1f], [0.2f, 0.7f]],
            MultiLabels = [[1f, float.NaN], [0f, 0f], [0f, 1f]],
            DecisionThreshold = 0.5f,
        };

        // x: (truth 1, score 0.5 = threshold -> negative) FN; (0, 0.6) FP; (0, 0.2) TN. y: row 0 missing; TN; TP.
        int[,] counts = ConfusionCounts.PerLabel(input);
        Assert.Equal(new int[,] { { 1, 1, 1, 0 }, { 1, 0, 0, 1 } }, counts);

        double[,] shares = ConfusionCounts.RowFractions(counts, perLabel: true);
        Assert.Equal(new double[,] { { 0.5, 0.5, 1, 0 }, { 1, 0, 0, 1 } }, shares);
    }
}
