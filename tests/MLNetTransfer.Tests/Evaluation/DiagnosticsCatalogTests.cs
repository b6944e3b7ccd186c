using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using static MLNetTransfer.Tests.Evaluation.StatisticsReferences;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Tests.Evaluation;

/// <summary>
/// EvaluateDiagnostics and CompareAuc on IDataViews equal the statistics numpy, scipy and scikit-learn compute for the
/// same scored rows (tests/reference/make_statistics_references.py): per-class AUC with DeLong's interval, confusion,
/// rates with Wilson intervals, ECE before and after temperature scaling, log loss; absent classes are NaN with a
/// reason; the bootstrap is deterministic for a seed and brackets its estimates.
/// </summary>
public sealed class DiagnosticsCatalogTests : IClassFixture<StatisticsReferences>
{
    // Sums of a few hundred terms in other orders than numpy's.
    private const double Tolerance = 1e-9;

    private readonly StatisticsReferences _references;
    private readonly MLContext _ml = new(seed: 1);

    public DiagnosticsCatalogTests(StatisticsReferences references)
    {
        _references = references;
    }

    [Fact]
    public void EvaluateDiagnostics_equals_the_reference_for_binary_multiclass_and_multi_label_data()
    {
        foreach (JsonElement c in _references.Cases("diagnostics"))
        {
            string name = c.GetProperty("name").GetString()!;
            DiagnosticMetrics metrics = _ml.MulticlassClassification.EvaluateDiagnostics(View(c), thresholds: OptionalFloats(c.GetProperty("thresholds")),
                temperatures: OptionalFloats(c.GetProperty("temperatures")));

            AssertEqual(c.GetProperty("expected"), metrics, name);
        }
    }

    [Fact]
    public void Absent_classes_are_NaN_with_a_reason()
    {
        foreach (string name in new[] { "absent_class_ties", "four_labels" })
        {
            JsonElement c = Case("diagnostics", name);
            DiagnosticMetrics metrics = _ml.MulticlassClassification.EvaluateDiagnostics(View(c), thresholds: OptionalFloats(c.GetProperty("thresholds")));

            ClassDiagnostics absent = metrics.PerClass[^1];
            Assert.Equal(0, absent.Positives);
            Assert.True(double.IsNaN(absent.Auc) && double.IsNaN(absent.Sensitivity) && !absent.AucCi95.IsDefined);
            Assert.Contains("no positive rows: the AUC is undefined", absent.UndefinedReason);
            Assert.Contains("sensitivity (no rows of this class)", absent.UndefinedReason);
            Assert.False(double.IsNaN(metrics.Auc)); // the mean is over the defined classes
        }
    }

    [Fact]
    public void A_Boolean_label_gives_what_the_key_label_gives()
    {
        JsonElement c = Case("diagnostics", "binary_default");
        int[] labels = Ints(c.GetProperty("labels"));
        float[][] scores = Rows(c, "probabilities");
        var data = _ml.Data.LoadFromEnumerable(labels.Select((l, i) => new BooleanRow { Label = l == 1, Score = scores[i] }), Definition<BooleanRow>(2));

        DiagnosticMetrics fromBoolean = _ml.MulticlassClassification.EvaluateDiagnostics(data);
        DiagnosticMetrics fromKey = _ml.MulticlassClassification.EvaluateDiagnostics(View(c));

        Assert.Equal(fromKey.PerClass.Select(d => (d.Auc, d.TruePositives, d.FalsePositives, d.Sensitivity)),
            fromBoolean.PerClass.Select(d => (d.Auc, d.TruePositives, d.FalsePositives, d.Sensitivity)));
        Assert.Equal(new[] { "False", "True" }, fromBoolean.PerClass.Select(d => d.ClassName));
    }

    [Fact]
    public void CompareAuc_equals_the_pairwise_DeLong_test()
    {
        foreach (JsonElement c in _references.Cases("compare"))
        {
            string name = c.GetProperty("name").GetString()!;
            AucComparison comparison = _ml.MulticlassClassification.CompareAuc(CompareView(c), "ScoreA", "ScoreB",
                classIndex: c.GetProperty("class_index").GetInt32());

            JsonElement e = c.GetProperty("expected");
            Close(e.GetProperty("auc_a"), comparison.AucA, Tolerance, $"{name} auc_a");
            Close(e.GetProperty("auc_b"), comparison.AucB, Tolerance, $"{name} auc_b");
            Close(e.GetProperty("delta"), comparison.DeltaAuc, Tolerance, $"{name} delta");
            Close(e.GetProperty("z"), comparison.ZScore, Tolerance, $"{name} z");
            Close(e.GetProperty("p"), comparison.PValue, Tolerance, $"{name} p");
            Interval(e.GetProperty("ci"), comparison.DeltaAucCi95.Lower, comparison.DeltaAucCi95.Upper, Tolerance, $"{name} ci");
            Assert.Equal(e.GetProperty("rows").GetInt32(), comparison.Rows);
            Assert.Equal(e.GetProperty("positives").GetInt32(), comparison.Positives);
            Assert.Null(comparison.UndefinedReason);
        }
    }

    [Fact]
    public void CompareAuc_asks_for_a_class_index_where_the_positive_class_is_not_implied()
    {
        foreach (string name in new[] { "three_classes", "multi_label" })
        {
            var data = CompareView(Case("compare", name));
            var missing = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.CompareAuc(data, "ScoreA", "ScoreB"));
            Assert.Equal("classIndex", missing.ParamName);
            Assert.Contains("pass classIndex, 0 to 2", missing.Message);
            Assert.Equal("classIndex", Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.CompareAuc(data, "ScoreA", "ScoreB", classIndex: 3)).ParamName);
        }

        var binary = CompareView(Case("compare", "binary"));
        Assert.Contains("'Missing'", Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.CompareAuc(binary, "ScoreA", "Missing")).Message);
    }

    [Fact]
    public void Thresholds_and_temperatures_must_fit_the_task()
    {
        var binary = View(Case("diagnostics", "binary"));
        var multiclass = View(Case("diagnostics", "three_classes"));
        var multiLabel = View(Case("diagnostics", "four_labels"));
        var catalog = _ml.MulticlassClassification;

        Assert.Contains("thresholds must be null", Assert.Throws<ArgumentException>(() => catalog.EvaluateDiagnostics(multiclass, thresholds: [0.5f])).Message);
        Assert.Equal("thresholds", Assert.Throws<ArgumentException>(() => catalog.EvaluateDiagnostics(binary, thresholds: [0.5f, 0.5f])).ParamName);
        Assert.Contains("need one per label", Assert.Throws<ArgumentException>(() => catalog.EvaluateDiagnostics(multiLabel, thresholds: [0.5f])).Message);
        Assert.Equal("temperatures", Assert.Throws<ArgumentException>(() => catalog.EvaluateDiagnostics(multiclass, temperatures: [1f, 2f])).ParamName);
        Assert.Equal("temperatures", Assert.Throws<ArgumentOutOfRangeException>(() => catalog.EvaluateDiagnostics(binary, temperatures: [0f])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => catalog.EvaluateDiagnostics(binary, bootstrapSamples: -1));

        // One temperature serves every label of a multi-label model.
        Assert.False(double.IsNaN(catalog.EvaluateDiagnostics(multiLabel, temperatures: [1.5f]).ExpectedCalibrationErrorUncalibrated));
    }

    [Fact]
    public void Logits_in_the_score_column_are_refused_by_name()
    {
        var rows = new[] { new KeyRow { Label = 0, Score = [2.5f, -1f] }, new KeyRow { Label = 1, Score = [0.1f, 0.9f] } };
        var data = _ml.Data.LoadFromEnumerable(rows, Definition<KeyRow>(2, keys: 2));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.EvaluateDiagnostics(data));
        Assert.Contains("Score column 'Score' holds 2.5", error.Message);
    }

    [Theory]
    [InlineData("binary", new[] { "accuracy", "auc", "sensitivity", "specificity", "f1" })]
    [InlineData("three_classes", new[] { "accuracy", "auc", "f1" })]
    [InlineData("four_labels", new[] { "accuracy", "auc", "sensitivity", "specificity", "f1" })]
    public void Bootstrap_is_deterministic_for_a_seed_and_brackets_each_estimate(string name, string[] keys)
    {
        JsonElement c = Case("diagnostics", name);
        var data = View(c);
        var thresholds = OptionalFloats(c.GetProperty("thresholds"));

        DiagnosticMetrics first = _ml.MulticlassClassification.EvaluateDiagnostics(data, thresholds: thresholds, bootstrapSamples: 300, seed: 5);
        DiagnosticMetrics again = _ml.MulticlassClassification.EvaluateDiagnostics(data, thresholds: thresholds, bootstrapSamples: 300, seed: 5);
        DiagnosticMetrics other = _ml.MulticlassClassification.EvaluateDiagnostics(data, thresholds: thresholds, bootstrapSamples: 300, seed: 6);

        Assert.Equal(keys.Order(), first.Bootstrap.Keys.Order());
        Assert.Equal(300, first.BootstrapSamples);
        Assert.Empty(_ml.MulticlassClassification.EvaluateDiagnostics(data, thresholds: thresholds).Bootstrap);
        foreach (string key in keys)
        {
            Assert.Equal((first.Bootstrap[key].Lower, first.Bootstrap[key].Upper), (again.Bootstrap[key].Lower, again.Bootstrap[key].Upper));
            double estimate = Estimate(first, key, binary: name == "binary");
            Assert.InRange(estimate, first.Bootstrap[key].Lower, first.Bootstrap[key].Upper);
            Assert.True(first.Bootstrap[key].Upper > first.Bootstrap[key].Lower, $"{name} {key}: an interval of width 0");
        }

        Assert.NotEqual((first.Bootstrap["auc"].Lower, first.Bootstrap["auc"].Upper), (other.Bootstrap["auc"].Lower, other.Bootstrap["auc"].Upper));
    }

    [Fact]
    public void Bootstrap_and_DeLong_agree_on_the_width_of_a_binary_AUC_interval()
    {
        JsonElement c = Case("diagnostics", "binary");
        DiagnosticMetrics metrics = _ml.MulticlassClassification.EvaluateDiagnostics(View(c), thresholds: [0.4f], bootstrapSamples: 1000, seed: 3);

        // Two different estimators of the same standard error (resampling vs DeLong's placements): close, not equal.
        ConfidenceInterval delong = metrics.PerClass[1].AucCi95;
        ConfidenceInterval bootstrap = metrics.Bootstrap["auc"];
        Assert.InRange((bootstrap.Upper - bootstrap.Lower) / (delong.Upper - delong.Lower), 0.8, 1.2);
    }

    // The point estimate a bootstrap key belongs to (DiagnosticMetrics.Bootstrap's documentation).
    private static double Estimate(DiagnosticMetrics metrics, string key, bool binary) => key switch
    {
        "accuracy" => metrics.Accuracy,
        "auc" => metrics.Auc,
        "f1" => metrics.F1,
        "sensitivity" when binary => metrics.PerClass[1].Sensitivity,
        "specificity" when binary => metrics.PerClass[1].Specificity,
        "sensitivity" => metrics.PerClass.Select(d => d.Sensitivity).Where(v => !double.IsNaN(v)).Average(),
        "specificity" => metrics.PerClass.Select(d => d.Specificity).Where(v => !double.IsNaN(v)).Average(),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
    };

    private static void AssertEqual(JsonElement e, DiagnosticMetrics metrics, string name)
    {
        Assert.Equal(e.GetProperty("rows").GetInt32(), metrics.Rows);
        Close(e.GetProperty("accuracy"), metrics.Accuracy, Tolerance, $"{name} accuracy");
        Close(e.GetProperty("auc"), metrics.Auc, Tolerance, $"{name} auc");
        Close(e.GetProperty("f1"), metrics.F1, Tolerance, $"{name} f1");
        Close(e.GetProperty("ece"), metrics.ExpectedCalibrationError, Tolerance, $"{name} ece");
        Close(e.GetProperty("ece_uncalibrated"), metrics.ExpectedCalibrationErrorUncalibrated, Tolerance, $"{name} ece before temperature");
        Close(e.GetProperty("log_loss"), metrics.LogLoss, Tolerance, $"{name} log loss");

        var bins = e.GetProperty("bins").EnumerateArray().ToArray();
        Assert.Equal(bins.Length, metrics.ReliabilityBins.Count);
        for (int b = 0; b < bins.Length; b++)
        {
            Assert.Equal(bins[b].GetProperty("count").GetInt32(), metrics.ReliabilityBins[b].Count);
            Close(bins[b].GetProperty("confidence"), metrics.ReliabilityBins[b].MeanConfidence, Tolerance, $"{name} bin {b} confidence");
            Close(bins[b].GetProperty("observed"), metrics.ReliabilityBins[b].Observed, Tolerance, $"{name} bin {b} observed");
        }

        var perClass = e.GetProperty("per_class").EnumerateArray().ToArray();
        Assert.Equal(perClass.Length, metrics.PerClass.Count);
        for (int k = 0; k < perClass.Length; k++)
        {
            JsonElement x = perClass[k];
            ClassDiagnostics d = metrics.PerClass[k];
            string what = $"{name} {d.ClassName}";
            Assert.Equal(x.GetProperty("name").GetString(), d.ClassName);
            Assert.Equal((x.GetProperty("positives").GetInt32(), x.GetProperty("negatives").GetInt32()), (d.Positives, d.Negatives));
            Assert.Equal(
                (x.GetProperty("tp").GetInt32(), x.GetProperty("fp").GetInt32(), x.GetProperty("tn").GetInt32(), x.GetProperty("fn").GetInt32()),
                (d.TruePositives, d.FalsePositives, d.TrueNegatives, d.FalseNegatives));
            Close(x.GetProperty("threshold"), d.Threshold, 0, $"{what} threshold");
            Close(x.GetProperty("auc"), d.Auc, Tolerance, $"{what} auc");
            Interval(x.GetProperty("auc_ci"), d.AucCi95.Lower, d.AucCi95.Upper, Tolerance, $"{what} auc ci");
            Close(x.GetProperty("f1"), d.F1, Tolerance, $"{what} f1");
            AssertRate(x.GetProperty("sensitivity"), d.Sensitivity, d.SensitivityCi95, $"{what} sensitivity");
            AssertRate(x.GetProperty("specificity"), d.Specificity, d.SpecificityCi95, $"{what} specificity");
            AssertRate(x.GetProperty("ppv"), d.PositivePredictiveValue, d.PositivePredictiveValueCi95, $"{what} ppv");
            AssertRate(x.GetProperty("npv"), d.NegativePredictiveValue, d.NegativePredictiveValueCi95, $"{what} npv");
            Assert.True(x.GetProperty("undefined").GetBoolean() == d.UndefinedReason is not null, $"{what}: reason '{d.UndefinedReason}'");
        }
    }

    private static void AssertRate(JsonElement expected, double value, ConfidenceInterval interval, string what)
    {
        Close(expected.GetProperty("value"), value, Tolerance, what);
        Interval(expected.GetProperty("ci"), interval.Lower, interval.Upper, Tolerance, what + " ci");
        Assert.Equal(0.95, interval.Level);
    }

    private JsonElement Case(string section, string name) => _references.Cases(section).Single(c => c.GetProperty("name").GetString() == name);

    private static float[]? OptionalFloats(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : Floats(value);

    private static float[][] Rows(JsonElement c, string property) => RocReferences.Rows(Floats(c.GetProperty(property)), c.GetProperty("classes").GetInt32());

    /// <summary>The case's scored rows: a key label with the case's class names, or multi-label targets with its label names.</summary>
    private IDataView View(JsonElement c)
    {
        int classes = c.GetProperty("classes").GetInt32();
        string[] names = c.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray();
        float[][] scores = Rows(c, "probabilities");
        if (c.GetProperty("task").GetString() == "multi")
        {
            float[][] targets = Rows(c, "targets");
            return _ml.Data.LoadFromEnumerable(targets.Select((t, i) => new VectorRow { Label = t, Score = scores[i] }), Definition<VectorRow>(classes, names: names));
        }

        int[] labels = Ints(c.GetProperty("labels"));

        // LoadFromEnumerable reads a key property as a 0-based index, so the script's labels go in as they are.
        return _ml.Data.LoadFromEnumerable(labels.Select((l, i) => new KeyRow { Label = (uint)l, Score = scores[i] }), Definition<KeyRow>(classes, keys: classes, names: names));
    }

    private IDataView CompareView(JsonElement c)
    {
        int classes = c.GetProperty("classes").GetInt32();
        float[][] a = Rows(c, "a"), b = Rows(c, "b");
        if (c.GetProperty("task").GetString() == "multi")
        {
            float[][] targets = Rows(c, "targets");
            var vector = Definition<CompareVectorRow>(classes, scoreColumns: ["ScoreA", "ScoreB"]);
            return _ml.Data.LoadFromEnumerable(targets.Select((t, i) => new CompareVectorRow { Label = t, ScoreA = a[i], ScoreB = b[i] }), vector);
        }

        int[] labels = Ints(c.GetProperty("labels"));
        var key = Definition<CompareKeyRow>(classes, keys: classes, scoreColumns: ["ScoreA", "ScoreB"]);
        return _ml.Data.LoadFromEnumerable(labels.Select((l, i) => new CompareKeyRow { Label = (uint)l, ScoreA = a[i], ScoreB = b[i] }), key);
    }

    private static SchemaDefinition Definition<TRow>(int outputs, int keys = 0, string[]? names = null, string[]? scoreColumns = null)
    {
        var definition = SchemaDefinition.Create(typeof(TRow));
        foreach (string score in scoreColumns ?? ["Score"])
        {
            definition[score].ColumnType = new VectorDataViewType(NumberDataViewType.Single, outputs);
        }

        var label = definition["Label"];
        if (keys > 0)
        {
            label.ColumnType = new KeyDataViewType(typeof(uint), keys);
        }
        else if (label.ColumnType is VectorDataViewType)
        {
            label.ColumnType = new VectorDataViewType(NumberDataViewType.Single, outputs);
        }

        if (names is not null)
        {
            var text = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray());
            label.AddAnnotation(keys > 0 ? "KeyValues" : "SlotNames", text, new VectorDataViewType(TextDataViewType.Instance, names.Length));
        }

        return definition;
    }

    private sealed class KeyRow
    {
        public uint Label { get; set; }

        public float[] Score { get; set; } = [];
    }

    private sealed class BooleanRow
    {
        public bool Label { get; set; }

        public float[] Score { get; set; } = [];
    }

    private sealed class VectorRow
    {
        public float[] Label { get; set; } = [];

        public float[] Score { get; set; } = [];
    }

    private sealed class CompareKeyRow
    {
        public uint Label { get; set; }

        public float[] ScoreA { get; set; } = [];

        public float[] ScoreB { get; set; } = [];
    }

    private sealed class CompareVectorRow
    {
        public float[] Label { get; set; } = [];

        public float[] ScoreA { get; set; } = [];

        public float[] ScoreB { get; set; } = [];
    }
}
