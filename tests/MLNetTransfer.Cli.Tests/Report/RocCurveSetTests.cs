using MLNetTransfer.Cli.Report;
using Xunit;

namespace MLNetTransfer.Cli.Tests.Report;

/// <summary>The report draws the library's curves as returned, picking the positive class's alone for a binary task.</summary>
public sealed class RocCurveSetTests
{
    [Fact]
    public void Binary_set_has_the_positive_class_curve_only()
    {
        float[][] scores = [[0.9f, 0.1f], [0.3f, 0.7f], [0.6f, 0.4f], [0.2f, 0.8f]];
        PerClassAucMetrics evaluated = Evaluations.PerClassAuc(scores, [0, 1, 1, 1]);
        var input = new ReportInput
        {
            Title = "binary",
            ClassNames = ["NORMAL", "OPACITY"],
            Task = TaskKind.Binary,
            RocCurves = evaluated.RocCurves,
        };

        RocCurveSet set = RocCurveSet.From(input);

        (string name, RocCurve curve) = Assert.Single(set.Curves);
        Assert.Equal("OPACITY", name);
        Assert.Same(evaluated.RocCurves[1], curve);
        Assert.Equal(3, curve.Positives);
        Assert.Equal(1.0, curve.AreaUnderCurve);
        Assert.Empty(set.Undefined);
    }

    [Fact]
    public void Classes_without_a_curve_are_named_undefined()
    {
        ReportInput input = ReportInputs.Multiclass();

        RocCurveSet set = RocCurveSet.From(input);

        Assert.Equal(new[] { "normal", "pneumonia", "covid" }, System.Linq.Enumerable.Select(set.Curves, c => c.Name));
        Assert.Equal(new[] { "rare" }, set.Undefined);
    }
}
