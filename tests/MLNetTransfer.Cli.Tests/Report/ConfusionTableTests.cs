using Microsoft.ML;
using MLNetTransfer.Cli.Report;
using MLNetTransfer.Cli.Scoring;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>
/// Confusion tables hold what the evaluators counted, rows = truth in class order: ML.NET's multiclass matrix (the
/// argmax), its binary matrix (positive-first, turned round), and the library's per-label counts.
/// </summary>
public sealed class ConfusionTableTests
{
    [Fact]
    public void Multiclass_matrix_counts_the_argmax_with_ties_to_the_lowest_class()
    {
        float[][] scores = [[0.7f, 0.2f, 0.1f], [0.4f, 0.4f, 0.2f], [0.1f, 0.1f, 0.8f], [0.2f, 0.5f, 0.3f]];
        int[] labels = [0, 1, 2, 2];

        var table = ConfusionTable.FromMulticlass(Evaluations.MulticlassConfusion(scores, labels), ["a", "b", "c"]);

        Assert.Equal(new int[,] { { 1, 0, 0 }, { 1, 0, 0 }, { 0, 1, 1 } }, table.Counts);
        Assert.Equal(new[] { "a", "b", "c" }, table.RowNames);
        Assert.Equal(new[] { "a", "b", "c" }, table.ColumnNames);
        Assert.False(table.PerLabel);
    }

    [Fact]
    public void Binary_matrix_is_in_class_order_and_follows_the_models_decision()
    {
        // ML.NET's binary evaluator decides by the sign of the score column, which evaluate fills with the model's Logit.
        // Truth: NORMAL, OPACITY, OPACITY, NORMAL, NORMAL.
        bool[] positives = [false, true, true, false, false];
        float[] logits = [-1.2f, 0.3f, -0.4f, 0.8f, -2f];

        var table = ConfusionTable.FromBinary(Evaluations.BinaryConfusion(positives, logits), ["NORMAL", "OPACITY"]);

        // [truth, predicted] with NORMAL first: TN 2, FP 1; FN 1, TP 1.
        Assert.Equal(new int[,] { { 2, 1 }, { 1, 1 } }, table.Counts);
    }

    [Fact]
    public void A_one_class_binary_split_is_counted_by_the_models_decision()
    {
        // Every row positive (ML.NET's binary evaluator refuses that); the Logit decides, not the larger probability.
        var ml = new MLContext(seed: 1);
        var rows = new[] { new LogitRow { Label = 1, Logit = 0.2f }, new LogitRow { Label = 1, Logit = -0.1f }, new LogitRow { Label = 1, Logit = 0f } };
        var definition = Microsoft.ML.Data.SchemaDefinition.Create(typeof(LogitRow));
        definition[nameof(LogitRow.Label)].ColumnType = new Microsoft.ML.Data.KeyDataViewType(typeof(uint), 2);
        definition[nameof(LogitRow.PredictedLabel)].ColumnType = new Microsoft.ML.Data.KeyDataViewType(typeof(uint), 2);
        var scored = DecisionScores.Add(ml, ml.Data.LoadFromEnumerable(rows, definition));

        var metrics = ml.MulticlassClassification.Evaluate(scored, "Label", DecisionScores.Column, "PredictedLabel");
        var table = ConfusionTable.FromMulticlass(metrics.ConfusionMatrix, ["NORMAL", "OPACITY"]);

        // A Logit of 0 is not above the threshold: negative, as the model decides it.
        Assert.Equal(new int[,] { { 0, 0 }, { 2, 1 } }, table.Counts);
        Assert.Equal(1 / 3.0, metrics.MicroAccuracy, 12);
    }

    [Fact]
    public void Per_label_table_lays_out_the_librarys_counts_and_shades_each_half_row()
    {
        var (_, confusion) = Evaluations.MultiLabel([[0.5f, 0.9f], [0.6f, 0.1f], [0.2f, 0.7f]], [[1f, float.NaN], [0f, 0f], [0f, 1f]], ["x", "y"], threshold: 0.5f);

        var table = ConfusionTable.FromMultiLabel(confusion);

        // x: (truth 1, score 0.5 = threshold -> negative) FN; (0, 0.6) FP; (0, 0.2) TN. y: row 0 missing; TN; TP.
        Assert.Equal(new int[,] { { 1, 1, 1, 0 }, { 1, 0, 0, 1 } }, table.Counts);
        Assert.Equal(new[] { "x", "y" }, table.RowNames);
        Assert.Equal(ConfusionTable.LabelCells, table.ColumnNames);
        Assert.True(table.PerLabel);
        Assert.Equal(0.5f, table.Threshold);

        double[,] shares = table.RowFractions();
        Assert.Equal(new double[,] { { 0.5, 0.5, 1, 0 }, { 1, 0, 0, 1 } }, shares);
    }

    private sealed class LogitRow
    {
        public uint Label { get; set; }

        public float Logit { get; set; }

        public uint PredictedLabel { get; set; }
    }
}
