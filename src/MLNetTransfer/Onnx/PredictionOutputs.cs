using System;
using System.Linq;
using Onnx;

namespace MLNetTransfer.Onnx;

/// <summary>
/// The per-row outputs ML.NET's scoring chain turns into scalar columns (see <see cref="ResNetOnnxSpec.IncludePredictionOutputs"/>),
/// and the multi-label decisions (see <see cref="ResNetOnnxSpec.PredictedLabelsName"/>).
/// Each per-row output is <c>[N]</c>, which ML.NET's OnnxTransformer reads as a vector of one per row, and the chain
/// makes it a scalar afterwards: OnnxTransformer cannot read a rank-0 output (src/MLNetTransfer/FineTuning/IdentityPerceptron.cs
/// says why), and a rank-0 output would not fit a batch of images anyway.
/// </summary>
internal static class PredictionOutputs
{
    public static void Add(GraphBuilder graph, ResNetOnnxSpec spec, ScoreValues values, long classes)
    {
        if (classes == 2)
        {
            AddBinary(graph, spec, values);
            return;
        }

        // Temperature is one positive value for a softmax, so the argmax of the calibrated logits is the argmax of the
        // scores; with test-time flip only the averaged probabilities have one row per image.
        string source = values.Flipped ? values.Score : values.Calibrated;
        string argmax = graph.AddNode("ArgMax", "predict.argmax", new[] { source }, attributes: new[] { GraphBuilder.Int("axis", 1), GraphBuilder.Int("keepdims", 0) });
        string predicted = graph.AddNode("Cast", "predict.index", new[] { argmax }, spec.PredictedIndexName, GraphBuilder.Int("to", 1));
        graph.AddOutput(predicted);
    }

    /// <summary>The multi-label decisions, bool <c>[N, K]</c>: <c>p_j &gt;= t_j</c> (one threshold broadcasts over every label).</summary>
    public static void AddLabels(GraphBuilder graph, ResNetOnnxSpec spec, string score, long labels)
    {
        var thresholds = spec.Thresholds.ToArray();
        string t = graph.AddInitializer("predict.thresholds", new long[] { thresholds.Length }, thresholds);
        string decided = graph.AddNode("GreaterOrEqual", "predict.labels", new[] { score, t }, spec.PredictedLabelsName);
        graph.AddOutput(decided, TensorProto.Types.DataType.Bool, labels);
    }

    private static void AddBinary(GraphBuilder graph, ResNetOnnxSpec spec, ScoreValues values)
    {
        string one = graph.AddInt64Scalar("predict.index1", 1);
        string zero = graph.AddInt64Scalar("predict.index0", 0);

        // Log-odds of the calibrated probability p1: l1 - l0, since p1 = sigmoid(l1 - l0); with test-time flip, of the
        // averaged probability: ln(p1a + p1b) - ln(p0a + p0b).
        string logs = values.Flipped ? TestTimeFlip.LogSummedProbabilities(graph, values.Calibrated) : values.Calibrated;
        string l1 = graph.AddNode("Gather", "predict.logit1", new[] { logs, one }, attributes: GraphBuilder.Int("axis", 1));
        string l0 = graph.AddNode("Gather", "predict.logit0", new[] { logs, zero }, attributes: GraphBuilder.Int("axis", 1));
        string diff = graph.AddNode("Sub", "predict.logodds", new[] { l1, l0 });

        // Logit = ln(p1 / p0) - ln(t / (1 - t)): >= 0 exactly when p1 >= t (up to float rounding at p1 == t), and ML.NET's
        // binary evaluator thresholds its score at 0.
        double t = spec.Thresholds[0];
        string shift = graph.AddFloatScalar("predict.threshold_logodds", (float)Math.Log(t / (1 - t)));
        string logit = graph.AddNode("Sub", "predict.logit", new[] { diff, shift }, spec.LogitName);
        string probability = graph.AddNode("Gather", "predict.probability", new[] { values.Score, one }, spec.ProbabilityName, GraphBuilder.Int("axis", 1));

        // The decision compares the probability output itself with t, so that it is p1 >= t bit for bit (positive at a
        // tie, as the threshold selection counts a score equal to the threshold as positive).
        string threshold = graph.AddFloatScalar("predict.threshold", spec.Thresholds[0]);
        string positive = graph.AddNode("GreaterOrEqual", "predict.positive", new[] { probability, threshold });
        string index = graph.AddNode("Cast", "predict.index", new[] { positive }, spec.PredictedIndexName, GraphBuilder.Int("to", 1)); // FLOAT
        graph.AddOutput(index);
        graph.AddOutput(probability);
        graph.AddOutput(logit);
    }
}
