using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Torch.Losses;
using MLNetTransfer.Torch.Metrics;
using Xunit;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Torch.Tests.Metrics;

/// <summary>The per-epoch metrics: the right AUC for each task kind, NaN with a count where undefined.</summary>
public sealed class MetricsCalculatorTests : IClassFixture<MetricReferences>
{
    private readonly MetricReferences _references;

    public MetricsCalculatorTests(MetricReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Binary_uses_the_positive_column_and_argmax_accuracy()
    {
        // Two softmax outputs per row; the positive class is column 1.
        float[] p1 = [0.9f, 0.2f, 0.6f, 0.4f, 0.5f];
        int[] labels = [1, 0, 0, 1, 1];
        float[] probabilities = p1.SelectMany(p => new[] { 1 - p, p }).ToArray();

        ClassificationMetrics m = MetricsCalculator.Compute(TaskKind.Binary, probabilities, outputs: 2, labels);

        Assert.Equal(RocAuc.Binary(p1, labels.Select(l => l == 1).ToArray()), m.Auc);
        Assert.Equal([m.Auc], m.PerClassAuc);
        Assert.Equal(0, m.UndefinedAucCount);
        Assert.Equal(Accuracy.Argmax(probabilities, labels, 2), m.Accuracy);
    }

    [Fact]
    public void Binary_with_one_class_in_validation_reports_NaN_and_one_undefined()
    {
        ClassificationMetrics m = MetricsCalculator.Compute(TaskKind.Binary, [0.3f, 0.7f, 0.8f, 0.2f], outputs: 2, [0, 0]);
        Assert.True(double.IsNaN(m.Auc));
        Assert.Equal(1, m.UndefinedAucCount);
        Assert.Equal(0.5, m.Accuracy);
    }

    [Fact]
    public void Multiclass_and_multi_label_match_the_sklearn_references()
    {
        JsonElement mc = _references.Cases("multiclass_auc").First(c => c.GetProperty("undefined").GetInt32() == 1);
        int classes = mc.GetProperty("classes").GetInt32();
        ClassificationMetrics m = MetricsCalculator.Compute(TaskKind.Multiclass, Floats(mc.GetProperty("probabilities")), classes, Ints(mc.GetProperty("labels")));
        AssertClose.Absolute(mc.GetProperty("macro").GetDouble(), m.Auc, 1e-6, "multiclass macro");
        AssertClose.Absolute(Doubles(mc.GetProperty("per_class")), m.PerClassAuc.ToArray(), 1e-6, "multiclass per class");
        Assert.Equal(1, m.UndefinedAucCount);

        JsonElement ml = _references.Cases("multilabel_auc")[0];
        m = MetricsCalculator.ComputeMultiLabel(Floats(ml.GetProperty("scores")), Floats(ml.GetProperty("targets")), ml.GetProperty("labels").GetInt32());
        AssertClose.Absolute(ml.GetProperty("macro").GetDouble(), m.Auc, 1e-6, "multi-label macro");
        AssertClose.Absolute(ml.GetProperty("accuracy").GetDouble(), m.Accuracy, 1e-12, "multi-label accuracy");
        Assert.Equal(2, m.UndefinedAucCount);
    }

    [Fact]
    public void Uncertain_targets_mapped_by_the_policy_are_what_the_metrics_see()
    {
        float[] scores = [0.9f, 0.2f, 0.7f, 0.4f];
        float[] raw = [1f, 0f, -1f, 0f];
        Assert.Throws<ArgumentException>(() => MetricsCalculator.ComputeMultiLabel(scores, raw, labels: 1));

        ClassificationMetrics ignore = MetricsCalculator.ComputeMultiLabel(scores, UncertaintyPolicy.Ignore.Apply(raw), labels: 1);
        ClassificationMetrics ones = MetricsCalculator.ComputeMultiLabel(scores, UncertaintyPolicy.Ones.Apply(raw), labels: 1);
        ClassificationMetrics zeros = MetricsCalculator.ComputeMultiLabel(scores, UncertaintyPolicy.Zeros.Apply(raw), labels: 1);
        Assert.Equal(RocAuc.Binary([0.9f, 0.2f, 0.4f], [true, false, false]), ignore.Auc);
        Assert.Equal(RocAuc.Binary(scores, [true, false, true, false]), ones.Auc);
        Assert.Equal(RocAuc.Binary(scores, [true, false, false, false]), zeros.Auc);
    }

    [Fact]
    public void Wrong_shapes_and_kinds_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MetricsCalculator.Compute(TaskKind.Binary, new float[6], outputs: 3, [0, 1]));
        var multiLabel = Assert.Throws<ArgumentException>(() => MetricsCalculator.Compute(TaskKind.MultiLabel, new float[4], outputs: 2, [0, 1]));
        Assert.Contains(nameof(MetricsCalculator.ComputeMultiLabel), multiLabel.Message);
    }
}
