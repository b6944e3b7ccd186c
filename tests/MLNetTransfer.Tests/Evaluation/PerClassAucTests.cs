using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>Per-class AUC equals ML.NET's own binary evaluator run class by class (one-vs-rest).</summary>
public sealed class PerClassAucTests
{
    private sealed class ScoredRow
    {
        public string Label { get; set; } = "";

        [VectorType(3)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        // ML.NET's binary evaluator insists on the column; AUC does not read it.
        public bool PredictedLabel { get; set; }
    }

    private sealed class MultiLabelRow
    {
        [VectorType(2)]
        public float[] Label { get; set; } = Array.Empty<float>();

        [VectorType(2)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void One_vs_rest_aucs_equal_mlnets_binary_evaluator_per_class()
    {
        var random = new Random(5);
        string[] names = { "a", "b", "c" };
        var rows = Enumerable.Range(0, 300).Select(_ =>
        {
            int y = random.Next(3);
            var s = Enumerable.Range(0, 3).Select(c => (float)(random.NextDouble() + (c == y ? 0.4 : 0))).ToArray();
            float sum = s.Sum();
            return new ScoredRow { Label = names[y], Score = s.Select(v => (float)Math.Round(v / sum, 2)).ToArray() }; // rounding makes ties
        }).ToList();

        var ml = new MLContext(seed: 1);
        var data = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var metrics = ml.MulticlassClassification.EvaluatePerClassAuc(data);
        Assert.Equal(names, metrics.ClassNames);
        Assert.Equal(0, metrics.UndefinedCount);
        for (int c = 0; c < 3; c++)
        {
            var binary = ml.Data.LoadFromEnumerable(rows.Select(r => new BinaryRow { Label = r.Label == names[c], Score = r.Score[c] }));
            double expected = ml.BinaryClassification.EvaluateNonCalibrated(binary).AreaUnderRocCurve;
            Assert.Equal(expected, metrics.PerClassAuc[c], 6);
        }

        Assert.Equal(metrics.PerClassAuc.Average(), metrics.MacroAuc, 12);
    }

    [Fact]
    public void Multi_label_aucs_leave_out_missing_targets_and_count_undefined_labels()
    {
        var random = new Random(7);
        var rows = Enumerable.Range(0, 200).Select(i =>
        {
            float t0 = random.Next(2);
            float s0 = (float)(random.NextDouble() * 0.8 + 0.2 * t0);
            // label 1: always 0 where known (one class only), half missing
            return new MultiLabelRow { Label = new[] { i % 5 == 0 ? float.NaN : t0, i % 2 == 0 ? float.NaN : 0f }, Score = new[] { s0, (float)random.NextDouble() } };
        }).ToList();
        var ml = new MLContext(seed: 1);
        var metrics = ml.MulticlassClassification.EvaluateMultiLabelAuc(ml.Data.LoadFromEnumerable(rows));
        Assert.True(double.IsNaN(metrics.PerClassAuc[1]));
        Assert.Equal(1, metrics.UndefinedCount);
        Assert.Equal(metrics.PerClassAuc[0], metrics.MacroAuc);

        var known = rows.Where(r => !float.IsNaN(r.Label[0])).Select(r => new BinaryRow { Label = r.Label[0] == 1f, Score = r.Score[0] });
        double expected = ml.BinaryClassification.EvaluateNonCalibrated(ml.Data.LoadFromEnumerable(known)).AreaUnderRocCurve;
        Assert.Equal(expected, metrics.PerClassAuc[0], 6);
    }
}
