using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTransfer.Cli.Scoring;

/// <summary>
/// A binary model's decision as a two-slot score, [0, Logit], whose argmax is the class the model predicts: the Logit
/// is positive exactly when PredictedLabel is the positive class (ResNetFineTuneTrainer.Options.DecisionThreshold).
/// </summary>
/// <remarks>
/// For a split that holds one class only: ML.NET's binary evaluator refuses it (its AUC is undefined there), while its
/// multiclass evaluator, which predicts the argmax of the score column, counts any split. Given this column it counts
/// the model's own decisions, at whatever threshold the model was trained with, rather than the argmax of the two
/// probabilities, which is the decision only at 0.5. A tie (Logit 0) goes to class 0, as the model's decision does.
/// </remarks>
internal static class DecisionScores
{
    /// <summary>The added column.</summary>
    public const string Column = "DecisionScore";

    /// <summary><paramref name="scored"/> with <see cref="Column"/> added.</summary>
    public static IDataView Add(MLContext ml, IDataView scored) =>
        ml.Transforms.CustomMapping<LogitRow, DecisionRow>((row, decision) => decision.DecisionScore = [0f, row.Logit], contractName: null)
            .Fit(scored).Transform(scored);

    private sealed class LogitRow
    {
        public float Logit { get; set; }
    }

    private sealed class DecisionRow
    {
        [VectorType(2)]
        public float[] DecisionScore { get; set; } = [];
    }
}
