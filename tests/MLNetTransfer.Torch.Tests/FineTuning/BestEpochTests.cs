using System;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Metrics;
using Xunit;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>The best-epoch rule and early stopping on their own, epoch by epoch.</summary>
public sealed class BestEpochTests
{
    [Fact]
    public void A_new_best_must_beat_the_best_by_more_than_the_min_delta_and_nan_never_does()
    {
        var state = new CheckpointState();
        Assert.True(BestEpoch.Record(state, 1, 0.50, minDelta: 0.01));
        Assert.False(BestEpoch.Record(state, 2, 0.495, minDelta: 0.01)); // better, but not by more than 0.01
        Assert.False(BestEpoch.Record(state, 3, double.NaN, minDelta: 0.01));
        Assert.Equal((1, 0.50, 2), (state.BestEpoch, state.BestScore, state.EpochsWithoutImprovement));
        Assert.True(BestEpoch.Record(state, 4, 0.40, minDelta: 0.01));
        Assert.Equal((4, 0.40, 0), (state.BestEpoch, state.BestScore, state.EpochsWithoutImprovement));
    }

    [Fact]
    public void Auc_counts_higher_as_better_and_is_nan_without_validation()
    {
        var metrics = new ClassificationMetrics(Auc: 0.8, PerClassAuc: new[] { 0.8 }, UndefinedAucCount: 0, Accuracy: 0.7);
        Assert.Equal(-0.8, BestEpoch.Score(BestModelMetric.ValidationAuc, 0.3, metrics));
        Assert.Equal(0.3, BestEpoch.Score(BestModelMetric.ValidationLoss, 0.3, metrics));
        Assert.True(double.IsNaN(BestEpoch.Score(BestModelMetric.ValidationAuc, double.NaN, null)));
        Assert.True(double.IsNaN(BestEpoch.Score(BestModelMetric.ValidationLoss, double.NaN, null)));
    }

    [Fact]
    public void An_undefined_auc_is_refused_only_when_it_decides()
    {
        var undefined = new ClassificationMetrics(double.NaN, new[] { double.NaN }, 1, 0.5);
        BestEpoch.RequireDefined(BestModelMetric.ValidationLoss, undefined);
        var e = Assert.Throws<InvalidOperationException>(() => BestEpoch.RequireDefined(BestModelMetric.ValidationAuc, undefined));
        Assert.Contains("BestModelMetric", e.Message);
        Assert.Contains("1 class(es)", e.Message);
    }

    [Theory]
    [InlineData(2, 2, 5, true, true)]    // patience reached, epochs left
    [InlineData(2, 1, 5, true, false)]   // not yet
    [InlineData(2, 2, 3, true, false)]   // the last epoch ends the run anyway: not "early"
    [InlineData(2, 2, 5, false, false)]  // without validation nothing improves or stalls
    [InlineData(null, 9, 5, true, false)] // no patience, no early stop
    public void Early_stopping_needs_patience_validation_and_epochs_left(int? patience, int withoutImprovement, int epochs, bool hasValidation, bool stops)
    {
        var state = new CheckpointState { EpochsWithoutImprovement = withoutImprovement };
        Assert.Equal(stops, BestEpoch.StopsEarly(state, epoch: 3, patience, epochs, hasValidation));
    }
}
