using System;
using System.Linq;
using System.Text.Json;
using MLNetTransfer.Torch.Metrics;
using Xunit;
using static MLNetTransfer.Torch.Tests.Reference.ReferenceJsonFile;

namespace MLNetTransfer.Torch.Tests.Metrics;

/// <summary>ROC AUC equals scikit-learn's roc_auc_score (ties included) and is NaN, counted, where scikit-learn raises.</summary>
public sealed class RocAucTests : IClassFixture<MetricReferences>
{
    private const double Tolerance = 1e-6;

    private readonly MetricReferences _references;

    public RocAucTests(MetricReferences references)
    {
        _references = references;
    }

    [Fact]
    public void Binary_equals_sklearn_including_ties_signed_zeros_and_extremes()
    {
        var cases = _references.Cases("binary_auc");
        for (int k = 0; k < cases.Count; k++)
        {
            JsonElement c = cases[k];
            double auc = RocAuc.Binary(Floats(c.GetProperty("scores")), Bools(c.GetProperty("positives")));
            AssertClose.Absolute(c.GetProperty("auc").GetDouble(), auc, Tolerance, $"binary_auc {NameOf(c, k)}");
        }
    }

    [Fact]
    public void OneVsRest_equals_sklearn_per_class_and_macro_with_absent_classes_counted()
    {
        var cases = _references.Cases("multiclass_auc");
        for (int k = 0; k < cases.Count; k++)
        {
            JsonElement c = cases[k];
            string name = NameOf(c, k);
            int classes = c.GetProperty("classes").GetInt32();
            var (macro, perClass, undefined) = RocAuc.OneVsRest(Floats(c.GetProperty("probabilities")), Ints(c.GetProperty("labels")), classes);

            AssertClose.Absolute(Doubles(c.GetProperty("per_class")), perClass, Tolerance, $"multiclass_auc {name} per class");
            AssertClose.Absolute(Double(c.GetProperty("macro")), macro, Tolerance, $"multiclass_auc {name} macro");
            Assert.Equal(c.GetProperty("undefined").GetInt32(), undefined);
            if (c.TryGetProperty("sklearn_ovr_macro", out JsonElement sklearnMacro))
            {
                // Every class present: sklearn's own multi_class="ovr" (average=None and "macro") agrees.
                AssertClose.Absolute(Doubles(c.GetProperty("sklearn_ovr_none")), perClass, Tolerance, $"multiclass_auc {name} sklearn ovr");
                AssertClose.Absolute(sklearnMacro.GetDouble(), macro, Tolerance, $"multiclass_auc {name} sklearn macro");
            }
        }

        // The reference set really exercises the undefined path (sklearn would raise on these).
        Assert.Contains(cases, c => c.GetProperty("undefined").GetInt32() == 2);
    }

    [Fact]
    public void PerLabel_equals_sklearn_on_known_targets_and_counts_undefined_labels()
    {
        var cases = _references.Cases("multilabel_auc");
        for (int k = 0; k < cases.Count; k++)
        {
            JsonElement c = cases[k];
            string name = NameOf(c, k);
            var (perLabel, macro, undefined) = RocAuc.PerLabel(Floats(c.GetProperty("scores")), Floats(c.GetProperty("targets")), c.GetProperty("labels").GetInt32());

            AssertClose.Absolute(Doubles(c.GetProperty("per_label")), perLabel, Tolerance, $"multilabel_auc {name} per label");
            AssertClose.Absolute(c.GetProperty("macro").GetDouble(), macro, Tolerance, $"multilabel_auc {name} macro");
            Assert.Equal(c.GetProperty("undefined").GetInt32(), undefined);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Binary_is_NaN_when_only_one_class_is_present(bool onlyClass)
    {
        Assert.True(double.IsNaN(RocAuc.Binary([0.1f, 0.7f, 0.3f], [onlyClass, onlyClass, onlyClass])));
        Assert.True(double.IsNaN(RocAuc.Binary([], [])));
    }

    [Fact]
    public void OneVsRest_with_one_class_present_has_every_class_undefined_and_a_NaN_macro()
    {
        float[] probabilities = [0.7f, 0.2f, 0.1f, 0.5f, 0.3f, 0.2f];
        var (macro, perClass, undefined) = RocAuc.OneVsRest(probabilities, [1, 1], classes: 3);
        Assert.True(double.IsNaN(macro));
        Assert.All(perClass, a => Assert.True(double.IsNaN(a)));
        Assert.Equal(3, undefined);
    }

    [Fact]
    public void Only_the_order_of_the_scores_matters()
    {
        var random = new Random(7);
        float[] scores = Enumerable.Range(0, 200).Select(_ => (float)Math.Round(random.NextDouble(), 1)).ToArray();
        bool[] positives = scores.Select(s => random.NextDouble() < 0.3 + 0.4 * s).ToArray();
        float[] logits = scores.Select(s => 10 * s - 3).ToArray();
        Assert.Equal(RocAuc.Binary(scores, positives), RocAuc.Binary(logits, positives));
        // Swapping the classes and negating the scores gives the same AUC; swapping only the classes gives 1 - AUC.
        bool[] swapped = positives.Select(p => !p).ToArray();
        double auc = RocAuc.Binary(scores, positives);
        Assert.Equal(auc, RocAuc.Binary(scores.Select(s => -s).ToArray(), swapped), 12);
        Assert.Equal(1 - auc, RocAuc.Binary(scores, swapped), 12);
    }

    [Fact]
    public void Bad_inputs_are_refused_with_the_reason()
    {
        var nan = Assert.Throws<ArgumentException>(() => RocAuc.Binary([0.1f, float.NaN], [true, false]));
        Assert.Contains("index 1", nan.Message);
        Assert.Throws<ArgumentException>(() => RocAuc.Binary([0.1f, float.PositiveInfinity], [true, false]));
        Assert.Throws<ArgumentException>(() => RocAuc.Binary([0.1f, 0.2f], [true]));

        var label = Assert.Throws<ArgumentOutOfRangeException>(() => RocAuc.OneVsRest([0.5f, 0.5f, 0.5f, 0.5f], [0, 2], classes: 2));
        Assert.Contains("[0, 2)", label.Message);
        Assert.Throws<ArgumentException>(() => RocAuc.OneVsRest([0.5f, 0.5f, 0.5f], [0], classes: 2));

        var uncertain = Assert.Throws<ArgumentException>(() => RocAuc.PerLabel([0.1f, 0.9f], [-1f, 1f], labels: 1));
        Assert.Contains("UncertaintyPolicy", uncertain.Message);
        Assert.Throws<ArgumentException>(() => RocAuc.PerLabel([0.1f, 0.9f], [0.5f, 1f], labels: 1));
    }
}
