using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNetTransfer.Onnx.Tests.Support;
using Xunit;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>
/// Operating thresholds: a class or label is predicted positive exactly when its probability p &gt;= t, including
/// when p equals t (the threshold is taken from a probability the graph itself output, so the tie is exact).
/// </summary>
public sealed class ThresholdTests
{
    private const int Count = 8;
    private const int Size = 64;
    private static readonly float[] _raw = RawImages.Make(Count, 3, Size, seed: 31);

    [Fact]
    public void Binary_decisions_are_p_at_least_t_including_a_tie()
    {
        var probe = Binary(0.5f);
        var weights = SpreadWeights.For(probe, 2, _raw, Count);
        var probabilities = Run(probe, weights)[probe.ProbabilityName].Values;
        int tie = Array.IndexOf(probabilities, probabilities.OrderBy(p => p).ElementAt(Count / 2));
        float t = probabilities[tie];

        var spec = Binary(t);
        var o = Run(spec, weights);
        var p = o[spec.ProbabilityName].Values;
        Assert.Equal(probabilities, p); // the threshold changes no score
        var logits = o[spec.LogitsName].Values;
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(p[i] >= t ? 1f : 0f, o[spec.PredictedIndexName].Values[i]);
            double logit = logits[2 * i + 1] - (double)logits[2 * i] - Math.Log(t / (1.0 - t));
            Assert.Equal(logit, o[spec.LogitName].Values[i], 1e-5);
            if (Math.Abs(p[i] - t) > 1e-5)
            {
                Assert.Equal(p[i] >= t, o[spec.LogitName].Values[i] >= 0);
            }
        }

        Assert.Equal(1f, o[spec.PredictedIndexName].Values[tie]);
        Assert.Contains(p, v => v < t);
        Assert.Contains(p, v => v > t);

        // The next float above the tie makes that row negative: the rule is >=, not >.
        var above = Binary(MathF.BitIncrement(t));
        Assert.Equal(0f, Run(above, weights)[above.PredictedIndexName].Values[tie]);
    }

    [Fact]
    public void Per_label_decisions_are_p_at_least_t_including_a_tie()
    {
        const int labels = 3;
        var probe = Multilabel(0.5f);
        var weights = SpreadWeights.For(probe, labels, _raw, Count);
        var scores = Run(probe, weights)[probe.OutputName].Values;
        var label1 = Enumerable.Range(0, Count).Select(i => scores[i * labels + 1]).OrderBy(p => p).ToArray();
        float tie = label1[Count / 2];
        var thresholds = new[] { 0.5f, tie, 0.3f };

        var spec = Multilabel(thresholds);
        using var session = new InferenceSession(ResNetOnnxWriter.Write(weights, spec));
        Assert.Equal(TensorElementType.Bool, session.OutputMetadata[spec.PredictedLabelsName!].ElementDataType);
        var o = OrtRunner.Run(session, spec.InputName, _raw, new long[] { Count, 3, Size, Size });
        Assert.Equal(new long[] { Count, labels }, o[spec.PredictedLabelsName!].Shape);
        var p = o[spec.OutputName].Values;
        var decided = o[spec.PredictedLabelsName!].Values;
        for (int j = 0; j < p.Length; j++)
        {
            Assert.Equal(p[j] >= thresholds[j % labels] ? 1f : 0f, decided[j]);
        }

        Assert.Contains(Enumerable.Range(0, Count), i => p[i * labels + 1] == tie && decided[i * labels + 1] == 1f);
        Assert.Contains(decided, d => d == 0f);
        Assert.Contains(decided, d => d == 1f);

        // One threshold applies to every label.
        var single = Multilabel(0.45f);
        var s = Run(single, weights);
        Assert.Equal(s[single.OutputName].Values.Select(v => v >= 0.45f ? 1f : 0f), s[single.PredictedLabelsName!].Values);
    }

    [Fact]
    public void Without_a_name_there_is_no_labels_output()
    {
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 1, 1, 1, 1) { InputSize = Size, CropSize = Size, Activation = OutputActivation.Sigmoid };
        using var session = new InferenceSession(ResNetOnnxWriter.Write(SyntheticWeights.For(spec, 3), spec));
        Assert.Equal(new[] { spec.OutputName }, session.OutputMetadata.Keys);
    }

    private static ResNetOnnxSpec Binary(float threshold) => new(ResidualBlockKind.Basic, 1, 1, 1, 1)
    {
        InputSize = Size, CropSize = Size, IncludeLogits = true, IncludePredictionOutputs = true, Thresholds = new[] { threshold },
    };

    private static ResNetOnnxSpec Multilabel(params float[] thresholds) => new(ResidualBlockKind.Basic, 1, 1, 1, 1)
    {
        InputSize = Size, CropSize = Size, Activation = OutputActivation.Sigmoid, PredictedLabelsName = "PredictedLabels", Thresholds = thresholds,
    };

    private static Dictionary<string, (long[] Shape, float[] Values)> Run(ResNetOnnxSpec spec, WeightSnapshot weights)
    {
        using var session = new InferenceSession(ResNetOnnxWriter.Write(weights, spec));
        return OrtRunner.Run(session, spec.InputName, _raw, new long[] { Count, 3, Size, Size });
    }
}
