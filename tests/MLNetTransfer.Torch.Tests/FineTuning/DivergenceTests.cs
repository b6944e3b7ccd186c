using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLNetTransfer.Torch.Data;
using MLNetTransfer.Torch.FineTuning;
using MLNetTransfer.Torch.Modules;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MLNetTransfer.Torch.Tests.FineTuning;

/// <summary>
/// A diverging run stops with a <see cref="TrainingDivergedException"/> that names the epoch, and the checkpoint of the
/// last good epoch stays on disk; a run that learns normally never trips the checks.
/// </summary>
[Collection("NoParallelization")]
public sealed class DivergenceTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnettransfer-diverge-").FullName;

    public DivergenceTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_huge_learning_rate_stops_at_the_first_step_after_it_and_keeps_the_checkpoint_before()
    {
        // One step per epoch (16 images, batch 16): epoch 1's only forward runs on the initial weights, so epoch 1
        // finishes and is checkpointed; its AdamW step at a rate of 1e6 moves every head weight by about 1e6, so the
        // logits of epoch 2's first step are far beyond any sane value.
        var (live, e) = LiveTensorsLeftBy(o => o.LearningRate = 1e6);
        _output.WriteLine(e!.Message);
        Assert.Equal((2, (int?)1), (e.Epoch, e.Step));
        Assert.Contains(e.Reason, new[] { DivergenceReason.LogitMagnitude, DivergenceReason.NonFiniteLoss });
        Assert.Contains("epoch 2, step 1", e.Message);
        Assert.Contains("LearningRate; --lr on the command line", e.Message);
        Assert.Contains($"The checkpoint of epoch 1, the last good one, stays in '{TrainingCheckpoint.PathIn(_dir)}'", e.Message);
        Assert.Equal(1, TrainingCheckpoint.ReadState(TrainingCheckpoint.PathIn(_dir)).CompletedEpochs);

        // Nothing of the failed step or run is left behind: the same tensors live afterwards as after a run that ends well.
        Directory.Delete(_dir, recursive: true);
        var (liveAfterNormalRun, none) = LiveTensorsLeftBy(_ => { });
        Assert.Null(none);
        Assert.Equal(liveAfterNormalRun, live);
    }

    [Fact]
    public void A_loss_ten_times_the_first_epochs_stops_before_that_epochs_checkpoint_and_the_run_resumes_from_the_one_before()
    {
        // After epoch 1 (its checkpoint written), the head's bias is set to say "class 0" by a margin of 100: every
        // class-1 image then costs a loss of about 100 in epoch 2, well above 10 times epoch 1's, while no logit
        // comes near 1e4 and the default learning rate barely moves the bias within an epoch.
        var metrics = new List<EpochMetrics>();
        var e = Assert.Throws<TrainingDivergedException>(() => Train(null, (o, model) => o.MetricsCallback = m =>
        {
            metrics.Add(m);
            if (m.Epoch == 1)
            {
                using var _ = no_grad();
                using var margin = tensor(new[] { 50f, -50f });
                ((TorchSharp.Modules.Linear)model.Head).bias!.copy_(margin);
            }
        }, strategy: FreezeStrategy.LastStages(1), images: 48));
        _output.WriteLine(e.Message);
        Assert.Equal((DivergenceReason.LossRise, 2, (int?)null), (e.Reason, e.Epoch, e.Step));
        Assert.Contains("mean training loss of epoch 2", e.Message);
        Assert.Contains("more than 10 times epoch 1's", e.Message);
        Assert.Contains("LearningRate; --lr on the command line", e.Message);
        Assert.Single(metrics); // the callback of epoch 2 never ran

        // The checkpoint is epoch 1's, with epoch 1's loss in its history: a resume checks against it ...
        var state = TrainingCheckpoint.ReadState(TrainingCheckpoint.PathIn(_dir));
        Assert.Equal(1, state.CompletedEpochs);
        Assert.Equal(metrics[0].TrainLoss, state.History.Single().TrainLoss);
        DivergenceGuard.CheckEpoch(state, epoch: 3, trainLoss: 9.9 * metrics[0].TrainLoss, _dir);
        var rise = Assert.Throws<TrainingDivergedException>(() => DivergenceGuard.CheckEpoch(state, epoch: 3, trainLoss: 10.1 * metrics[0].TrainLoss, _dir));
        Assert.Contains("The checkpoint of epoch 1, the last good one", rise.Message);

        // ... and continues from it to the end.
        var log = new List<string>();
        var resumed = Train(null, (o, _) =>
        {
            o.Resume = true;
            o.Log = log.Add;
        }, strategy: FreezeStrategy.LastStages(1), images: 48);
        Assert.Contains(log, m => m.Contains("after epoch 1 of 3", StringComparison.Ordinal));
        Assert.Equal(3, resumed.Epochs.Count);
        Assert.Equal(metrics[0].TrainLoss, resumed.Epochs[0].TrainLoss);
    }

    [Fact]
    public void A_run_that_learns_never_trips_the_checks()
    {
        var result = Train(null, (_, _) => { }, strategy: FreezeStrategy.LastStages(1), images: 48);
        Assert.Equal(3, result.Epochs.Count);
        Assert.All(result.Epochs, m => Assert.True(m.TrainLoss <= 10 * result.Epochs[0].TrainLoss));
    }

    // Tensors alive after a one-step-per-epoch run, counted from just before it; the exception when it diverged.
    private (long Live, TrainingDivergedException? Error) LiveTensorsLeftBy(Action<FineTuneOptions> configure)
    {
        random.manual_seed(0);
        using var model = new ResNet(ResNetLayout.ResNet18, inChannels: 1);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        TrainingDivergedException? error = null;
        try
        {
            Train(model, (o, _) => configure(o), strategy: FreezeStrategy.LastStages(1), images: 16);
        }
        catch (TrainingDivergedException e)
        {
            error = e;
        }

        return (DisposeScopeManager.Statistics.ThreadTotalLiveCount - before, error);
    }

    // A run without validation on the blob task, checkpointing to the test's folder; a fresh model unless one is given.
    private FineTuneResult Train(ResNet? model, Action<FineTuneOptions, ResNet> configure, FreezeStrategy strategy, int images)
    {
        var (trainImages, labels) = SyntheticBlobs.Make(images, 32, seed: 100);
        random.manual_seed(0);
        using var owned = model is null ? new ResNet(ResNetLayout.ResNet18, inChannels: 1) : null;
        var trained = model ?? owned!;
        var options = new FineTuneOptions
        {
            Strategy = strategy,
            Epochs = 3,
            WarmupEpochs = 0,
            BatchSize = 16,
            Seed = 3,
            WorkerCount = 2,
            Augmentation = AugmentationOptions.EvalOnly(32, 32),
            CheckpointDirectory = _dir,
        };
        configure(options, trained);
        return FineTuneTrainer.Train(trained, FineTuneData.SingleLabel(trainImages, labels, 2), null, options);
    }
}
