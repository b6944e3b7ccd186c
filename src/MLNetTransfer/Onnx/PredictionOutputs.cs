using System;

namespace MLNetTransfer.Onnx;

/// <summary>
/// The per-row outputs ML.NET's scoring chain turns into scalar columns (see <see cref="ResNetOnnxSpec.IncludePredictionOutputs"/>).
/// Each is <c>[N]</c>, which ML.NET's OnnxTransformer reads as a vector of one per row, and the chain makes it a scalar
/// afterwards: OnnxTransformer cannot read a rank-0 output (src/MLNetTransfer/FineTuning/IdentityPerceptron.cs says
/// why), and a rank-0 output would not fit a batch of images anyway.
/// </summary>
internal static class PredictionOutputs
{
    public static void Add(GraphBuilder graph, ResNetOnnxSpec spec, string logits, string score, long classes)
    {
        if (classes == 2)
        {
            // Logit = l1 - l0 - ln(t / (1 - t)): > 0 exactly when p1 > t, since p1 = sigmoid(l1 - l0).
            string one = graph.AddInt64Scalar("predict.index1", 1);
            string zero = graph.AddInt64Scalar("predict.index0", 0);
            string l1 = graph.AddNode("Gather", "predict.logit1", new[] { logits, one }, attributes: GraphBuilder.Int("axis", 1));
            string l0 = graph.AddNode("Gather", "predict.logit0", new[] { logits, zero }, attributes: GraphBuilder.Int("axis", 1));
            string diff = graph.AddNode("Sub", "predict.logodds", new[] { l1, l0 });
            double t = spec.DecisionThreshold;
            string shift = graph.AddFloatScalar("predict.threshold_logodds", (float)Math.Log(t / (1 - t)));
            string logit = graph.AddNode("Sub", "predict.logit", new[] { diff, shift }, spec.LogitName);
            string probability = graph.AddNode("Gather", "predict.probability", new[] { score, one }, spec.ProbabilityName, GraphBuilder.Int("axis", 1));
            string zeroF = graph.AddFloatScalar("predict.zero", 0f);
            string positive = graph.AddNode("Greater", "predict.positive", new[] { logit, zeroF });
            string index = graph.AddNode("Cast", "predict.index", new[] { positive }, spec.PredictedIndexName, GraphBuilder.Int("to", 1)); // FLOAT
            graph.AddOutput(index);
            graph.AddOutput(probability);
            graph.AddOutput(logit);
            return;
        }

        string argmax = graph.AddNode("ArgMax", "predict.argmax", new[] { logits }, attributes: new[] { GraphBuilder.Int("axis", 1), GraphBuilder.Int("keepdims", 0) });
        string predicted = graph.AddNode("Cast", "predict.index", new[] { argmax }, spec.PredictedIndexName, GraphBuilder.Int("to", 1));
        graph.AddOutput(predicted);
    }
}
