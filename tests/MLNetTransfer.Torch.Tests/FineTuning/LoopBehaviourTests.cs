using System;
using System.Collections.Generic;
using System.Linq;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>Schedule, head-first phase, early stopping, best-epoch restore and progress events of the loop.</summary>
[Collection("NoParallelization")]
public sealed class LoopBehaviourTests
{
    [Fact]
    public void Warmup_is_linear_then_cosine_decays_to_zero()
    {
        var schedule = new LearningRateSchedule(totalSteps: 110, warmupSteps: 10);
        Assert.Equal(1 / 11.0, schedule.Factor(0), 12);
        Assert.Equal(10 / 11.0, schedule.Factor(9), 12);
        Assert.Equal(1.0, schedule.Factor(10), 12);
        Assert.Equal(0.5, schedule.Factor(60), 12); // half way through the cosine
        // The last step keeps a small rate, as PyTorch's CosineAnnealingLR(T_max = 100): 0.5 (1 + cos(99 pi / 100)).
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 99 / 100)), schedule.Factor(109), 12);
        Assert.True(schedule.Factor(109) > 0);
        for (long s = 10; s < 109; s++)
        {
            Assert.True(schedule.Factor(s + 1) <= schedule.Factor(s));
        }
    }

    [Fact]
    public void Head_only_epochs_train_the_head_before_the_stages_unfreeze_one_by_one()
    {
        var epochs = Train(FreezeStrategy.LastStages(2), new FineTuneOptions { Epochs = 3, HeadOnlyEpochs = 1, GradualUnfreezing = true }, out _);
        using var probe = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        long head = 512 * 2 + 2;
        long layer4 = probe.named_parameters().Where(p => p.name.StartsWith("layer4.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        long layer3 = probe.named_parameters().Where(p => p.name.StartsWith("layer3.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        Assert.Equal(head, epochs[0].ActiveParameters);
        Assert.Equal(head + layer4, epochs[1].ActiveParameters);
        Assert.Equal(head + layer4 + layer3, epochs[2].ActiveParameters);
    }

    [Fact]
    public void Early_stopping_ends_the_run_and_the_best_epoch_is_restored()
    {
        // A min-delta no epoch can reach: epoch 1 is the best, epochs 2 and 3 do not improve, patience 2 stops at 3.
        var epochs = Train(FreezeStrategy.LastStages(1), new FineTuneOptions { Epochs = 6, EarlyStoppingPatience = 2, EarlyStoppingMinDelta = 1e9 }, out var result, out var finalValidationLoss);
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, epochs.Count);
        Assert.Equal(1, result.BestEpoch);
        Assert.True(epochs[0].IsBest);
        // The model now holds epoch 1's weights: its validation loss is epoch 1's, not epoch 3's.
        Assert.Equal(epochs[0].ValidationLoss, finalValidationLoss, 4);
        Assert.NotEqual(epochs[2].ValidationLoss, finalValidationLoss, 4);
    }

    [Fact]
    public void Progress_events_come_every_step_with_rate_throughput_and_eta()
    {
        var steps = new List<StepProgress>();
        var epochs = Train(FreezeStrategy.LastStages(1), new FineTuneOptions { Epochs = 2, WarmupEpochs = 1, StepCallback = steps.Add }, out _);
        Assert.Equal(2 * 3, steps.Count); // 48 images, batch 16, 2 epochs
        Assert.Equal(new[] { 1, 2, 3, 1, 2, 3 }, steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.Equal(3, s.StepsPerEpoch));
        Assert.True(steps[0].LearningRate < steps[2].LearningRate); // warming up
        Assert.True(steps[4].LearningRate > steps[5].LearningRate); // cosine decay
        Assert.All(steps, s => Assert.True(s.ImagesPerSecond > 0 && double.IsFinite(s.Loss)));
        Assert.Equal(TimeSpan.Zero, steps[^1].Eta);
        Assert.Equal(2, epochs.Count);
    }

    private static List<EpochMetrics> Train(FreezeStrategy strategy, FineTuneOptions options, out FineTuneResult result) =>
        Train(strategy, options, out result, out _);

    private static List<EpochMetrics> Train(FreezeStrategy strategy, FineTuneOptions options, out FineTuneResult result, out double finalValidationLoss)
    {
        var (trainImages, trainLabels) = SyntheticBlobs.Make(48, 32, seed: 100);
        var (valImages, valLabels) = SyntheticBlobs.Make(24, 32, seed: 101);
        random.manual_seed(0);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        var epochs = new List<EpochMetrics>();
        options.Strategy = strategy;
        options.BatchSize = 16;
        options.Augmentation = AugmentationOptions.EvalOnly(32, 32);
        options.CacheFeatures = false;
        options.MetricsCallback = epochs.Add;
        var validation = FineTuneData.SingleLabel(valImages, valLabels, 2);
        result = FineTuneTrainer.Train(model, FineTuneData.SingleLabel(trainImages, trainLabels, 2), validation, options);

        // One more validation pass, by hand, on the weights the model ends with.
        model.eval();
        using var loader = new BatchLoader(valImages, new BatchLoaderOptions { BatchSize = 24, Channels = 1, Augmentation = AugmentationOptions.EvalOnly(32, 32) });
        using var _ = no_grad();
        var batch = loader.GetBatches(Enumerable.Range(0, 24).ToArray(), 0, train: false).Single();
        using var scope = NewDisposeScope();
        var x = (tensor(batch.Data, batch.Shape) - model.Normalization.Mean[0]) / model.Normalization.Std[0];
        var y = tensor(batch.Indices.Select(i => (long)valLabels[i]).ToArray());
        finalValidationLoss = nn.functional.cross_entropy(model.call(x), y).item<float>();
        return epochs;
    }
}
