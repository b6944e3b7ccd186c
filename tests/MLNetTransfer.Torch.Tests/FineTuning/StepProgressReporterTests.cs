using System;
using System.Collections.Generic;
using MLNetTransfer.Torch.FineTuning;
using Xunit;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>Per-step progress on its own: what a report carries, and that it costs nothing without a callback.</summary>
public sealed class StepProgressReporterTests
{
    [Fact]
    public void Without_a_callback_nothing_is_read()
    {
        var reporter = new StepProgressReporter(null, epoch: 1, stepsPerEpoch: 3, totalSteps: 6, learningRate: () => throw new InvalidOperationException("read"));
        reporter.Step(1, 0.5, images: 16, globalStep: 1);
    }

    [Fact]
    public void Reports_carry_the_step_the_rate_the_throughput_and_the_time_left()
    {
        var reports = new List<StepProgress>();
        double rate = 1e-3;
        var reporter = new StepProgressReporter(reports.Add, epoch: 2, stepsPerEpoch: 3, totalSteps: 6, learningRate: () => rate);
        reporter.Step(1, 0.7, images: 16, globalStep: 4);
        rate = 5e-4;
        reporter.Step(3, 0.6, images: 48, globalStep: 6);

        Assert.Equal((2, 1, 3, 0.7, 1e-3), (reports[0].Epoch, reports[0].Step, reports[0].StepsPerEpoch, reports[0].Loss, reports[0].LearningRate));
        Assert.Equal((2, 3, 0.6, 5e-4), (reports[1].Epoch, reports[1].Step, reports[1].Loss, reports[1].LearningRate));
        Assert.All(reports, r => Assert.True(r.ImagesPerSecond > 0 && double.IsFinite(r.ImagesPerSecond)));
        Assert.True(reports[0].Eta > TimeSpan.Zero); // two steps left
        Assert.Equal(TimeSpan.Zero, reports[1].Eta); // the run's last step
    }
}
