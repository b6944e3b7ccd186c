using System;
using System.Linq;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using Xunit;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>Which stages train in each epoch, and the rates the optimizer's groups get from the schedule.</summary>
[Collection("NoParallelization")]
public sealed class TrainingScheduleTests
{
    [Theory]
    [InlineData(false, new[] { 0, 0, 3, 3, 3 })]
    [InlineData(true, new[] { 0, 0, 1, 2, 3 })]
    public void Head_only_epochs_come_first_then_all_stages_or_one_more_per_epoch(bool gradual, int[] expected)
    {
        var stages = Enumerable.Range(1, 5).Select(epoch => UnfreezingSchedule.ActiveStages(epoch, headOnlyEpochs: 2, gradual, trainableStages: 3));
        Assert.Equal(expected, stages);
    }

    [Fact]
    public void Each_group_steps_at_its_peak_rate_times_the_schedule()
    {
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var plan = new FreezePlan(model, FreezeStrategy.LastStages(2), outputs: 2, BatchNormMode.Frozen, headLearningRate: 1e-3,
            backboneLearningRateRatio: 0.1, weightDecay: 1e-4);
        var schedule = new LearningRateSchedule(totalSteps: 10, warmupSteps: 4);
        using var optimizer = new ScheduledOptimizer(model, plan, schedule);
        var peaks = plan.Groups.Select(g => g.LearningRate).ToArray();

        foreach (long step in new long[] { 0, 3, 7 })
        {
            optimizer.ZeroGrad();
            optimizer.Step(step); // no gradients: AdamW leaves the weights, the rates are still set
            var rates = optimizer.Optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
            Assert.Equal(peaks.Select(p => p * schedule.Factor(step)), rates);
            Assert.Equal(1e-3 * schedule.Factor(step), optimizer.HeadLearningRate, 15);
        }
    }
}
