using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using MLNetTransfer.Onnx.Tests.Support;
using MLNetTransfer.Torch;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Onnx.Tests;

/// <summary>The per-row outputs for ML.NET's scoring chain agree with the scores they come from.</summary>
[Collection("NoParallelization")]
public sealed class PredictionOutputTests
{
    [Fact]
    public void Binary_outputs_are_the_positive_probability_and_the_thresholded_log_odds()
    {
        using var model = TorchModels.Make(ResNetLayout.ResNet18, 2, 3, mlpHead: false, seed: 3);
        var probe = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputSize = 64, CropSize = 64 };
        var raw = RawImages.Make(6, 3, 64, seed: 4);
        using var scope = NewDisposeScope();
        var input = TorchModels.Preprocess(raw, 6, probe);
        TorchModels.CalibrateHead(model, input);
        // A threshold between the third and fourth positive probabilities, so that both decisions occur.
        var positives = TorchModels.Forward(model, input, OutputActivation.Softmax).Scores.Where((_, j) => j % 2 == 1).OrderBy(p => p).ToArray();
        float threshold = (positives[2] + positives[3]) / 2;
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2)
        {
            InputSize = 64, CropSize = 64, IncludeLogits = true, IncludePredictionOutputs = true, Thresholds = new[] { threshold },
        };
        byte[] bytes = ResNetOnnxWriter.Write(TorchModels.Snapshot(model), spec);
        Assert.Equal(0, OnnxChecker.Check(bytes, "binary-prediction-outputs").ExitCode);

        using var session = new InferenceSession(bytes);
        var o = OrtRunner.Run(session, spec.InputName, raw, new long[] { 6, 3, 64, 64 });
        var scores = o[spec.OutputName].Values;
        var logits = o[spec.LogitsName].Values;
        Assert.Equal(new long[] { 6 }, o[spec.ProbabilityName].Shape);
        for (int i = 0; i < 6; i++)
        {
            float p = scores[2 * i + 1];
            Assert.Equal(p, o[spec.ProbabilityName].Values[i]);
            float logit = logits[2 * i + 1] - logits[2 * i] - MathF.Log(threshold / (1 - threshold));
            Assert.Equal(logit, o[spec.LogitName].Values[i], 4);
            Assert.Equal(p >= threshold ? 1f : 0f, o[spec.PredictedIndexName].Values[i]);
        }

        Assert.Contains(scores.Where((_, j) => j % 2 == 1), p => p > threshold);
        Assert.Contains(scores.Where((_, j) => j % 2 == 1), p => p <= threshold);
    }

    [Fact]
    public void Multiclass_predicted_index_is_the_argmax()
    {
        using var model = TorchModels.Make(ResNetLayout.ResNet18, 4, 3, mlpHead: false, seed: 6);
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { InputSize = 64, CropSize = 64, IncludePredictionOutputs = true };
        var raw = RawImages.Make(5, 3, 64, seed: 8);
        using var scope = NewDisposeScope();
        TorchModels.CalibrateHead(model, TorchModels.Preprocess(raw, 5, spec));
        byte[] bytes = ResNetOnnxWriter.Write(TorchModels.Snapshot(model), spec);
        using var session = new InferenceSession(bytes);
        Assert.Equal(new[] { spec.OutputName, spec.PredictedIndexName }, session.OutputMetadata.Keys.ToArray());
        var o = OrtRunner.Run(session, spec.InputName, raw, new long[] { 5, 3, 64, 64 });
        var scores = o[spec.OutputName].Values;
        for (int i = 0; i < 5; i++)
        {
            var row = scores.AsSpan(4 * i, 4).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), (int)o[spec.PredictedIndexName].Values[i]);
        }
    }

    [Fact]
    public void Prediction_outputs_need_a_softmax_head()
    {
        var spec = new ResNetOnnxSpec(ResidualBlockKind.Basic, 2, 2, 2, 2) { Activation = OutputActivation.Sigmoid, IncludePredictionOutputs = true };
        var e = Assert.Throws<ArgumentException>(() => ResNetOnnxWriter.Write(new WeightSnapshot(), spec));
        Assert.Contains("IncludePredictionOutputs", e.Message);
    }
}
